package documents

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrNotPDF means a file is not a PDF, whatever its name says.
var ErrNotPDF = errors.New("not a PDF")

// Limits of the structural check. They bound the work a hostile file can
// cause; real PDFs stay far below them.
const (
	pdfTailBytes        = 2048     // where %%EOF and startxref must be
	pdfWindowBytes      = 64 << 10 // one dictionary, or a line of the xref table
	pdfLineBytesMax     = 256      // a subsection header or the trailer keyword
	pdfSectionsMax      = 64       // xref sections followed through /Prev and /XRefStm
	pdfSubsectionsMax   = 10_000   // per classic xref table
	pdfNestingMax       = 32       // arrays and dictionaries inside each other
	pdfXRefStreamMax    = 32 << 20 // decompressed bytes of one xref stream
	pdfObjectNumberMax  = 8_388_607
	pdfXRefEntryBytes   = 20
	pdfShortEntryBytes  = 19 // some writers end entries with one byte; readers accept it
	pdfXRefWidthMax     = 8
	pdfXRefStreamFields = 3
)

// CheckPDF reports whether the size bytes of r are structurally a PDF: it
// starts with "%PDF-" and a version, ends with startxref and %%EOF, the
// cross-reference section it points to (a table or a stream, following
// incremental updates) parses, and names a document catalog that is an
// object where the section says it is. It reads only what it needs, never
// the whole file. It returns an error wrapping ErrNotPDF, naming what is
// wrong, or nil.
func CheckPDF(r io.ReaderAt, size int64) error {
	c := &pdfChecker{r: r, size: size, visited: map[int64]bool{}}
	if err := c.check(); err != nil {
		return fmt.Errorf("%w: %s", ErrNotPDF, err.Error())
	}
	return nil
}

type pdfChecker struct {
	r       io.ReaderAt
	size    int64
	visited map[int64]bool
}

// xrefEntry says where an object is: at an offset in the file (kind 1) or
// inside an object stream (kind 2).
type xrefEntry struct {
	kind   int
	offset int64 // kind 1
	stream int64 // kind 2: the object number of the object stream
}

// xrefSection is one cross-reference section with its trailer.
type xrefSection struct {
	lookup  func(number int64) (xrefEntry, bool, error)
	trailer pdfDict
}

func (c *pdfChecker) check() error {
	head, err := c.read(0, 16)
	if err != nil || len(head) < 8 || !bytes.HasPrefix(head, []byte("%PDF-")) ||
		!isDigit(head[5]) || head[6] != '.' || !isDigit(head[7]) {
		return errors.New("it does not start with %PDF- and a version")
	}
	start, err := c.startXRef()
	if err != nil {
		return err
	}
	var root pdfRef
	var sections []xrefSection
	for offset := start; offset != 0; {
		if len(sections) >= pdfSectionsMax || c.visited[offset] {
			return errors.New("its cross-reference sections loop or are too many")
		}
		c.visited[offset] = true
		section, err := c.section(offset)
		if err != nil {
			return fmt.Errorf("cross-reference section at %d: %w", offset, err)
		}
		sections = append(sections, section)
		if ref, ok := section.trailer["Root"].(pdfRef); ok && root == (pdfRef{}) {
			root = ref
		}
		// A hybrid file lists some objects only in the stream that /XRefStm
		// names; it is read before the section /Prev names.
		if stream, ok := section.trailer.int("XRefStm"); ok && !c.visited[stream] {
			c.visited[stream] = true
			streamSection, err := c.section(stream)
			if err != nil {
				return fmt.Errorf("cross-reference stream at %d: %w", stream, err)
			}
			sections = append(sections, streamSection)
		}
		offset, _ = section.trailer.int("Prev")
	}
	if root == (pdfRef{}) {
		return errors.New("its trailer names no document catalog (/Root)")
	}
	return c.checkCatalog(root, sections)
}

// startXRef finds the offset after the last startxref, before %%EOF.
func (c *pdfChecker) startXRef() (int64, error) {
	from := max(c.size-pdfTailBytes, 0)
	tail, err := c.read(from, int(c.size-from))
	if err != nil {
		return 0, err
	}
	end := bytes.LastIndex(tail, []byte("%%EOF"))
	if end < 0 {
		return 0, errors.New("it does not end with %%EOF")
	}
	keyword := bytes.LastIndex(tail[:end], []byte("startxref"))
	if keyword < 0 {
		return 0, errors.New("it has no startxref before %%EOF")
	}
	p := &pdfParser{data: tail[:end], pos: keyword + len("startxref")}
	offset, ok := p.integer()
	if !ok || offset <= 0 || offset >= c.size {
		return 0, errors.New("its startxref is not an offset inside the file")
	}
	return offset, nil
}

// section parses the cross-reference table or stream at offset.
func (c *pdfChecker) section(offset int64) (xrefSection, error) {
	if offset <= 0 || offset >= c.size {
		return xrefSection{}, errors.New("the offset is outside the file")
	}
	window, err := c.read(offset, pdfWindowBytes)
	if err != nil {
		return xrefSection{}, err
	}
	p := &pdfParser{data: window}
	p.skipSpace()
	if p.keyword("xref") {
		return c.table(offset, p)
	}
	return c.stream(offset, window)
}

type xrefSubsection struct {
	first, count int64
	entries      int64 // offset of the first entry
	entryBytes   int64
}

// table parses a classic cross-reference table; p stands after "xref".
func (c *pdfChecker) table(offset int64, p *pdfParser) (xrefSection, error) {
	var subsections []xrefSubsection
	for {
		p.skipSpace()
		if p.keyword("trailer") {
			break
		}
		if len(subsections) >= pdfSubsectionsMax {
			return xrefSection{}, errors.New("too many subsections")
		}
		first, ok1 := p.integer()
		count, ok2 := p.integer()
		if !ok1 || !ok2 || first < 0 || count < 0 || first+count > pdfObjectNumberMax+1 {
			return xrefSection{}, errors.New("a subsection header is not two numbers")
		}
		p.skipLineEnd()
		entries := offset + int64(p.pos)
		entryBytes, err := c.entryBytes(entries, count)
		if err != nil {
			return xrefSection{}, err
		}
		subsections = append(subsections, xrefSubsection{first, count, entries, entryBytes})
		// Move past the entries, reading a new window only when they run
		// past this one (or nearly: a subsection header must fit).
		next := entries + count*entryBytes
		if next+pdfLineBytesMax <= offset+int64(len(p.data)) || offset+int64(len(p.data)) == c.size {
			p.pos = int(next - offset)
			continue
		}
		window, err := c.read(next, pdfWindowBytes)
		if err != nil {
			return xrefSection{}, err
		}
		offset, p = next, &pdfParser{data: window}
	}
	// The trailer gets a window of its own, wherever the last one ended.
	window, err := c.read(offset+int64(p.pos), pdfWindowBytes)
	if err != nil {
		return xrefSection{}, errors.New("the trailer is missing")
	}
	trailer, ok := (&pdfParser{data: window}).object(0).(pdfDict)
	if !ok {
		return xrefSection{}, errors.New("the trailer is not a dictionary")
	}
	lookup := func(number int64) (xrefEntry, bool, error) {
		for i := len(subsections) - 1; i >= 0; i-- {
			s := subsections[i]
			if number < s.first || number >= s.first+s.count {
				continue
			}
			entry, err := c.read(s.entries+(number-s.first)*s.entryBytes, pdfShortEntryBytes)
			if err != nil {
				return xrefEntry{}, false, err
			}
			position, err := strconv.ParseInt(string(entry[:10]), 10, 64)
			if err != nil {
				return xrefEntry{}, false, errors.New("an entry is not a number")
			}
			if entry[17] == 'n' {
				return xrefEntry{kind: 1, offset: position}, true, nil
			}
			return xrefEntry{}, true, nil
		}
		return xrefEntry{}, false, nil
	}
	return xrefSection{lookup: lookup, trailer: trailer}, nil
}

// entryBytes checks the first entry of a subsection and tells whether its
// entries are 20 bytes long, as they must be, or 19, as some writers make
// them.
func (c *pdfChecker) entryBytes(entries, count int64) (int64, error) {
	if count == 0 {
		return pdfXRefEntryBytes, nil
	}
	entry, err := c.read(entries, pdfXRefEntryBytes)
	if err != nil || len(entry) < pdfShortEntryBytes {
		return 0, errors.New("the table is cut short")
	}
	for i, b := range entry[:pdfShortEntryBytes-1] {
		want := i == 10 || i == 16
		if want != (b == ' ') || (!want && i != 17 && !isDigit(b)) {
			return 0, errors.New("an entry is not in the form 0000000000 00000 n")
		}
	}
	if entry[17] != 'n' && entry[17] != 'f' {
		return 0, errors.New("an entry is neither in use (n) nor free (f)")
	}
	entryBytes := int64(pdfXRefEntryBytes)
	if entry[18] == '\n' || (entry[18] == '\r' && len(entry) > 19 && entry[19] != '\n') {
		entryBytes = pdfShortEntryBytes
	}
	if entries+count*entryBytes > c.size {
		return 0, errors.New("the table runs past the end of the file")
	}
	return entryBytes, nil
}

// stream parses a cross-reference stream: "n g obj << /Type /XRef … >> stream".
func (c *pdfChecker) stream(offset int64, window []byte) (xrefSection, error) {
	p := &pdfParser{data: window}
	if _, ok := p.objectHeader(); !ok {
		return xrefSection{}, errors.New("neither xref nor an object")
	}
	dict, ok := p.object(0).(pdfDict)
	if !ok || dict.name("Type") != "XRef" {
		return xrefSection{}, errors.New("the object is not a cross-reference stream")
	}
	data, err := c.streamData(offset, p, dict)
	if err != nil {
		return xrefSection{}, err
	}
	widths, index, err := xrefStreamLayout(dict)
	if err != nil {
		return xrefSection{}, err
	}
	rowBytes := widths[0] + widths[1] + widths[2]
	lookup := func(number int64) (xrefEntry, bool, error) {
		row := int64(0)
		for i := 0; i+1 < len(index); i += 2 {
			first, count := index[i], index[i+1]
			if number >= first && number < first+count {
				row += number - first
				start := row * int64(rowBytes)
				if start+int64(rowBytes) > int64(len(data)) {
					return xrefEntry{}, false, errors.New("the stream is shorter than its index")
				}
				return decodeXRefRow(data[start:start+int64(rowBytes)], widths), true, nil
			}
			row += count
		}
		return xrefEntry{}, false, nil
	}
	return xrefSection{lookup: lookup, trailer: dict}, nil
}

// streamData reads and decodes the data of the stream whose dictionary p
// just parsed.
func (c *pdfChecker) streamData(offset int64, p *pdfParser, dict pdfDict) ([]byte, error) {
	p.skipSpace()
	if !p.keyword("stream") {
		return nil, errors.New("the stream keyword is missing")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '\n' {
		p.pos++
	}
	length, ok := dict.int("Length")
	start := offset + int64(p.pos)
	if !ok || length < 0 || start+length > c.size || length > pdfXRefStreamMax {
		return nil, errors.New("the stream's /Length is missing or runs past the end of the file")
	}
	raw, err := c.read(start, int(length))
	if err != nil {
		return nil, err
	}
	switch filter := dict["Filter"].(type) {
	case nil:
		return raw, nil
	case pdfName:
		if filter != "FlateDecode" {
			return nil, fmt.Errorf("the stream has the unexpected filter %s", filter)
		}
	case []pdfValue:
		if len(filter) != 1 || filter[0] != pdfName("FlateDecode") {
			return nil, errors.New("the stream has unexpected filters")
		}
	default:
		return nil, errors.New("the stream's /Filter is not a name")
	}
	inflated, err := inflate(raw)
	if err != nil {
		return nil, err
	}
	params, _ := dict["DecodeParms"].(pdfDict)
	return unpredict(inflated, params)
}

func inflate(raw []byte) ([]byte, error) {
	reader, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.New("the stream does not inflate")
	}
	defer reader.Close()
	data, err := io.ReadAll(io.LimitReader(reader, pdfXRefStreamMax+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errors.New("the stream does not inflate")
	}
	if len(data) > pdfXRefStreamMax {
		return nil, errors.New("the stream inflates too far")
	}
	return data, nil
}

// unpredict undoes the PNG predictors (10 to 15) that xref streams use.
func unpredict(data []byte, params pdfDict) ([]byte, error) {
	predictor, _ := params.int("Predictor")
	if predictor <= 1 {
		return data, nil
	}
	if predictor < 10 {
		return nil, errors.New("the stream uses an unexpected predictor")
	}
	columns, ok := params.int("Columns")
	if !ok {
		columns = 1
	}
	if columns < 1 || columns > 64 {
		return nil, errors.New("the stream's predictor has unexpected /Columns")
	}
	width := int(columns)
	out := make([]byte, 0, len(data))
	previous := make([]byte, width)
	for row := 0; row+width+1 <= len(data); row += width + 1 {
		kind, line := data[row], data[row+1:row+1+width]
		current := make([]byte, width)
		for i, b := range line {
			var left, up, upLeft byte
			if i > 0 {
				left, upLeft = current[i-1], previous[i-1]
			}
			up = previous[i]
			switch kind {
			case 0:
				current[i] = b
			case 1:
				current[i] = b + left
			case 2:
				current[i] = b + up
			case 3:
				// #nosec G115 -- the mean of two bytes fits a byte (PNG average filter)
				current[i] = b + byte((int(left)+int(up))/2)
			case 4:
				current[i] = b + paeth(left, up, upLeft)
			default:
				return nil, errors.New("the stream has an unknown PNG filter")
			}
		}
		out = append(out, current...)
		previous = current
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// xrefStreamLayout reads /W and /Index (default [0 /Size]).
func xrefStreamLayout(dict pdfDict) ([pdfXRefStreamFields]int, []int64, error) {
	var widths [pdfXRefStreamFields]int
	w, ok := dict["W"].([]pdfValue)
	if !ok || len(w) != pdfXRefStreamFields {
		return widths, nil, errors.New("the stream's /W is not three widths")
	}
	for i, value := range w {
		width, ok := value.(int64)
		if !ok || width < 0 || width > pdfXRefWidthMax {
			return widths, nil, errors.New("the stream's /W is not three widths")
		}
		widths[i] = int(width)
	}
	if widths[1] == 0 {
		return widths, nil, errors.New("the stream's /W has no offsets")
	}
	size, ok := dict.int("Size")
	if !ok || size < 0 || size > pdfObjectNumberMax+1 {
		return widths, nil, errors.New("the stream's /Size is missing")
	}
	index := []int64{0, size}
	if values, ok := dict["Index"].([]pdfValue); ok {
		if len(values)%2 != 0 || len(values) > 2*pdfSubsectionsMax {
			return widths, nil, errors.New("the stream's /Index is not pairs of numbers")
		}
		index = index[:0]
		for _, value := range values {
			number, ok := value.(int64)
			if !ok || number < 0 || number > pdfObjectNumberMax+1 {
				return widths, nil, errors.New("the stream's /Index is not pairs of numbers")
			}
			index = append(index, number)
		}
	}
	return widths, index, nil
}

func decodeXRefRow(row []byte, widths [pdfXRefStreamFields]int) xrefEntry {
	var fields [pdfXRefStreamFields]int64
	position := 0
	for i, width := range widths {
		for _, b := range row[position : position+width] {
			fields[i] = fields[i]<<8 | int64(b)
		}
		position += width
	}
	kind := fields[0]
	if widths[0] == 0 {
		kind = 1 // the default type when the field is left out
	}
	switch kind {
	case 1:
		return xrefEntry{kind: 1, offset: fields[1]}
	case 2:
		return xrefEntry{kind: 2, stream: fields[1]}
	}
	return xrefEntry{}
}

// checkCatalog finds the catalog through the sections, newest first, and
// checks the object where they say it is.
func (c *pdfChecker) checkCatalog(root pdfRef, sections []xrefSection) error {
	entry, err := find(sections, root.number)
	if err != nil {
		return err
	}
	switch entry.kind {
	case 1:
		dict, err := c.objectAt(entry.offset, root.number)
		if err != nil {
			return fmt.Errorf("the document catalog: %w", err)
		}
		if kind := dict.name("Type"); kind != "" && kind != "Catalog" {
			return fmt.Errorf("the document catalog is of type %s", kind)
		}
		return nil
	case 2:
		holder, err := find(sections, entry.stream)
		if err != nil || holder.kind != 1 {
			return errors.New("the object stream that holds the document catalog is missing")
		}
		dict, err := c.objectAt(holder.offset, entry.stream)
		if err != nil {
			return fmt.Errorf("the object stream that holds the document catalog: %w", err)
		}
		if dict.name("Type") != "ObjStm" {
			return errors.New("the document catalog is said to be in an object that is no object stream")
		}
		return nil
	}
	return errors.New("the document catalog is missing")
}

func find(sections []xrefSection, number int64) (xrefEntry, error) {
	for _, section := range sections {
		entry, found, err := section.lookup(number)
		if err != nil {
			return xrefEntry{}, err
		}
		if found {
			return entry, nil
		}
	}
	return xrefEntry{}, errors.New("the document catalog is not in the cross-reference sections")
}

// objectAt parses "number g obj <<…>>" at offset and returns the dictionary.
func (c *pdfChecker) objectAt(offset, number int64) (pdfDict, error) {
	if offset <= 0 || offset >= c.size {
		return nil, errors.New("its offset is outside the file")
	}
	window, err := c.read(offset, pdfWindowBytes)
	if err != nil {
		return nil, err
	}
	p := &pdfParser{data: window}
	got, ok := p.objectHeader()
	if !ok || got != number {
		return nil, errors.New("no such object at its offset")
	}
	dict, ok := p.object(0).(pdfDict)
	if !ok {
		return nil, errors.New("it is not a dictionary")
	}
	return dict, nil
}

// read returns up to n bytes at offset, fewer at the end of the file.
func (c *pdfChecker) read(offset int64, n int) ([]byte, error) {
	if offset < 0 || offset >= c.size || n <= 0 {
		return nil, errors.New("a read falls outside the file")
	}
	n = int(min(int64(n), c.size-offset))
	buffer := make([]byte, n)
	read, err := c.r.ReadAt(buffer, offset)
	if read < n {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read the file: %w", err)
	}
	return buffer, nil
}
