// Package pdftest makes PDF files for tests: small but complete one-page
// documents whose cross-reference sections are exact, in the shapes that
// PDF writers produce (a classic table, a compressed cross-reference stream
// with an object stream, an incremental update).
package pdftest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"strings"
)

// writer lays out numbered objects and remembers their offsets.
type writer struct {
	buffer  bytes.Buffer
	offsets map[int]int
}

func newWriter(version string) *writer {
	w := &writer{offsets: map[int]int{}}
	// The binary comment tells transfer programs that the file is binary.
	fmt.Fprintf(&w.buffer, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version)
	return w
}

func (w *writer) object(number int, body string) {
	w.offsets[number] = w.buffer.Len()
	fmt.Fprintf(&w.buffer, "%d 0 obj\n%s\nendobj\n", number, body)
}

func (w *writer) stream(number int, dict string, data []byte) {
	w.offsets[number] = w.buffer.Len()
	fmt.Fprintf(&w.buffer, "%d 0 obj\n<< %s /Length %d >>\nstream\n", number, dict, len(data))
	w.buffer.Write(data)
	w.buffer.WriteString("\nendstream\nendobj\n")
}

// table writes a classic cross-reference table for objects 0 to size-1
// and the trailer, and returns the table's offset.
func (w *writer) table(size int, trailer string) int {
	offset := w.buffer.Len()
	fmt.Fprintf(&w.buffer, "xref\n0 %d\n0000000000 65535 f \n", size)
	for number := 1; number < size; number++ {
		fmt.Fprintf(&w.buffer, "%010d 00000 n \n", w.offsets[number])
	}
	fmt.Fprintf(&w.buffer, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", size, trailer, offset)
	return offset
}

func escape(text string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(text)
}

// pageObjects writes objects 3 (the page), 4 (its content) and 5 (a font).
func (w *writer) pageObjects(text string) {
	w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "+
		"/Resources << /Font << /F1 5 0 R >> >> >>")
	w.stream(4, "", []byte("BT /F1 24 Tf 72 720 Td ("+escape(text)+") Tj ET"))
	w.object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
}

const (
	catalog = "<< /Type /Catalog /Pages 2 0 R >>"
	pages   = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
)

// Document returns a PDF 1.4 file with a classic cross-reference table that
// shows text on one page.
func Document(text string) []byte {
	return padded(text, 0)
}

func padded(text string, padding int) []byte {
	w := newWriter("1.4")
	w.object(1, catalog)
	w.object(2, pages)
	w.pageObjects(text)
	// Incompressible padding, as scanned images are.
	data := make([]byte, padding)
	for i := range data {
		data[i] = byte(i*7919>>3) ^ byte(i>>11)
	}
	w.stream(6, "", data)
	w.table(7, "/Root 1 0 R")
	return w.buffer.Bytes()
}

// Padded returns a Document of exactly size bytes, padded with an unused
// stream. size must be at least len(Document(text)).
func Padded(text string, size int) []byte {
	padding := 0
	for range 10 {
		file := padded(text, padding)
		if len(file) == size {
			return file
		}
		padding += size - len(file)
		if padding < 0 {
			panic(fmt.Sprintf("pdftest: %d bytes is too small for a document", size))
		}
	}
	panic(fmt.Sprintf("pdftest: cannot make a document of exactly %d bytes", size))
}

// WithXRefStream returns a PDF 1.5 file as modern writers make it: the
// catalog and page tree inside an object stream, and a compressed
// cross-reference stream with the PNG Up predictor.
func WithXRefStream(text string) []byte {
	w := newWriter("1.5")
	w.pageObjects(text)
	first := fmt.Sprintf("1 0 2 %d ", len(catalog)+1)
	members := catalog + "\n" + pages
	w.stream(6, fmt.Sprintf("/Type /ObjStm /N 2 /First %d", len(first)), []byte(first+members))

	type row struct{ kind, field2, field3 int }
	rows := []row{{0, 0, 65535}, {2, 6, 0}, {2, 6, 1}}
	for number := 3; number <= 6; number++ {
		rows = append(rows, row{1, w.offsets[number], 0})
	}
	rows = append(rows, row{1, w.buffer.Len(), 0}) // object 7, the stream itself
	const columns = 1 + 4 + 2
	var raw bytes.Buffer
	previous := make([]byte, columns)
	for _, r := range rows {
		line := make([]byte, columns)
		line[0] = byte(r.kind)
		binary.BigEndian.PutUint32(line[1:5], uint32(r.field2))
		binary.BigEndian.PutUint16(line[5:7], uint16(r.field3))
		raw.WriteByte(2) // PNG Up
		for i := range line {
			raw.WriteByte(line[i] - previous[i])
		}
		previous = line
	}
	var compressed bytes.Buffer
	z := zlib.NewWriter(&compressed)
	_, _ = z.Write(raw.Bytes())
	_ = z.Close()
	offset := w.buffer.Len()
	w.stream(7, fmt.Sprintf("/Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "+
		"/DecodeParms << /Columns %d /Predictor 12 >>", columns), compressed.Bytes())
	fmt.Fprintf(&w.buffer, "startxref\n%d\n%%%%EOF\n", offset)
	return w.buffer.Bytes()
}

// Updated returns a Document with an incremental update appended: a new
// version of the font, listed in a second table whose trailer points back
// to the first with /Prev. The catalog is only in the first table.
func Updated(text string) []byte {
	w := newWriter("1.4")
	w.object(1, catalog)
	w.object(2, pages)
	w.pageObjects(text)
	previous := w.table(6, "/Root 1 0 R")
	w.object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")
	offset := w.buffer.Len()
	fmt.Fprintf(&w.buffer, "xref\n0 1\n0000000000 65535 f \n5 1\n%010d 00000 n \n", w.offsets[5])
	fmt.Fprintf(&w.buffer, "trailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		previous, offset)
	return w.buffer.Bytes()
}
