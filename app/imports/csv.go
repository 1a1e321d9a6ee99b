package imports

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"folio/domain"
)

// Mapping says how to read a generic CSV statement. Columns are named by their header
// text, or by their number from 1 when the file has no header.
type Mapping struct {
	Delimiter  string           `json:"delimiter"`
	Encoding   string           `json:"encoding"`
	SkipRows   int              `json:"skip_rows"` // rows before the header or the first line
	Header     bool             `json:"header"`
	DateFormat string           `json:"date_format"`
	Decimal    DecimalSeparator `json:"decimal"`

	Date string `json:"date"`
	// The amount is either one signed column (Amount), an unsigned one with a direction
	// column (Amount, Direction, DebitValue), or separate debit and credit columns.
	Amount      string `json:"amount,omitempty"`
	Direction   string `json:"direction,omitempty"`
	DebitValue  string `json:"debit_value,omitempty"` // Direction's value for money out
	Debit       string `json:"debit,omitempty"`
	Credit      string `json:"credit,omitempty"`
	Description string `json:"description,omitempty"`
	Payee       string `json:"payee,omitempty"`
	Reference   string `json:"reference,omitempty"`
	Currency    string `json:"currency,omitempty"`
}

const skipRowsMax = 50

// Check reports the first problem of a mapping as a domain invalid error.
func (m Mapping) Check() error {
	if utf8.RuneCountInString(m.Delimiter) != 1 || strings.ContainsAny(m.Delimiter, "\"\r\n") {
		return domain.Invalid("mapping.delimiter", "choose one character, such as , or ;")
	}
	if m.Encoding != EncodingUTF8 && m.Encoding != EncodingLatin1 {
		return domain.Invalid("mapping.encoding", "choose utf-8 or latin-1")
	}
	if m.SkipRows < 0 || m.SkipRows > skipRowsMax {
		return domain.Invalid("mapping.skip_rows", "skip 0 to %d rows", skipRowsMax)
	}
	if _, ok := dateLayout(m.DateFormat); !ok {
		return domain.Invalid("mapping.date_format", "choose a date format such as DD.MM.YYYY")
	}
	if m.Decimal != DecimalDot && m.Decimal != DecimalComma {
		return domain.Invalid("mapping.decimal", "choose . or , as the decimal separator")
	}
	if m.Date == "" {
		return domain.Invalid("mapping.date", "choose the column of the date")
	}
	switch {
	case m.Amount != "" && (m.Debit != "" || m.Credit != ""):
		return domain.Invalid("mapping.amount", "choose an amount column or debit and credit columns, not both")
	case m.Amount == "" && (m.Debit == "" || m.Credit == ""):
		return domain.Invalid("mapping.amount", "choose an amount column, or both debit and credit columns")
	case m.Direction != "" && m.DebitValue == "":
		return domain.Invalid("mapping.debit_value", "enter the direction column's value for money out")
	}
	return nil
}

// columns are a mapping's columns resolved to field indexes; -1 is unused.
type columns struct {
	date, amount, direction, debit, credit, description, payee, reference, currency int
	names                                                                           []string
}

func (m Mapping) resolve(header []string) (columns, error) {
	cols := columns{names: header}
	specs := []struct {
		field string
		spec  string
		index *int
	}{
		{"date", m.Date, &cols.date}, {"amount", m.Amount, &cols.amount},
		{"direction", m.Direction, &cols.direction}, {"debit", m.Debit, &cols.debit},
		{"credit", m.Credit, &cols.credit}, {"description", m.Description, &cols.description},
		{"payee", m.Payee, &cols.payee}, {"reference", m.Reference, &cols.reference},
		{"currency", m.Currency, &cols.currency},
	}
	for _, spec := range specs {
		*spec.index = -1
		if spec.spec == "" {
			continue
		}
		index, ok := findColumn(header, spec.spec)
		if !ok {
			return cols, domain.Invalid("mapping."+spec.field, "the file has no column %q", spec.spec)
		}
		*spec.index = index
	}
	return cols, nil
}

// findColumn finds a column by header text (ignoring case and spaces around it) or by
// its number from 1.
func findColumn(header []string, spec string) (int, bool) {
	spec = strings.TrimSpace(spec)
	for i, name := range header {
		if strings.EqualFold(strings.TrimSpace(name), spec) {
			return i, true
		}
	}
	number, err := strconv.Atoi(strings.TrimPrefix(spec, "#"))
	if err == nil && number >= 1 && number <= fieldsMax {
		return number - 1, true
	}
	return 0, false
}

// name is how messages name column i.
func (c columns) name(i int) string {
	if i < len(c.names) && strings.TrimSpace(c.names[i]) != "" {
		return fmt.Sprintf("%d (%s)", i+1, strings.TrimSpace(c.names[i]))
	}
	return strconv.Itoa(i + 1)
}

// HeaderSignature identifies a bank's CSV layout by its header, so that a mapping saved
// for one account is found again for a file of the same layout.
func HeaderSignature(header []string) string {
	var normalized []string
	for _, name := range header {
		normalized = append(normalized, strings.ToLower(strings.TrimSpace(name)))
	}
	sum := sha256.Sum256([]byte(strings.Join(normalized, "\x1f")))
	return hex.EncodeToString(sum[:8])
}

// csvReader reads records from a decoded stream with Folio's limits.
type csvReader struct {
	limiter *lineLimiter
	reader  *csv.Reader
}

func newCSVReader(r io.Reader, delimiter rune, encoding string) *csvReader {
	limiter := newLineLimiter(r, lineBytesMax)
	reader := csv.NewReader(decodingReader(limiter, encoding))
	reader.Comma = delimiter
	reader.LazyQuotes = true
	reader.FieldsPerRecord = -1
	reader.ReuseRecord = true
	return &csvReader{limiter: limiter, reader: reader}
}

// next returns the next record and the line it starts on, or io.EOF.
func (r *csvReader) next() ([]string, int, error) {
	record, err := r.reader.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	var tooLong errLineTooLong
	if errors.As(err, &tooLong) {
		return nil, 0, parseErrorf(tooLong.line, 0, "the line is longer than %d bytes", lineBytesMax)
	}
	var csvErr *csv.ParseError
	if errors.As(err, &csvErr) {
		return nil, 0, parseErrorf(csvErr.Line, csvErr.Column, "%s", csvErr.Err.Error())
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read csv: %w", err)
	}
	line, _ := r.reader.FieldPos(0)
	if len(record) > fieldsMax {
		return nil, 0, parseErrorf(line, 0, "the line has %d fields; at most %d are read", len(record), fieldsMax)
	}
	for i, field := range record {
		if !utf8.ValidString(field) {
			_, column := r.reader.FieldPos(i)
			return nil, 0, parseErrorf(line, column,
				"the text is not UTF-8: choose the encoding latin-1 or save the file as UTF-8")
		}
	}
	return record, line, nil
}

func parseCSV(r io.Reader, m Mapping) (Statement, error) {
	if err := m.Check(); err != nil {
		return Statement{}, err
	}
	delimiter, _ := utf8.DecodeRuneInString(m.Delimiter)
	reader := newCSVReader(r, delimiter, m.Encoding)
	for i := 0; i < m.SkipRows; i++ {
		if _, _, err := reader.next(); err != nil {
			return Statement{}, eofAsEmpty(err)
		}
	}
	var header []string
	if m.Header {
		record, _, err := reader.next()
		if err != nil {
			return Statement{}, eofAsEmpty(err)
		}
		header = append([]string(nil), record...)
	}
	cols, err := m.resolve(header)
	if err != nil {
		return Statement{}, err
	}
	layout, _ := dateLayout(m.DateFormat)
	statement := Statement{Format: FormatCSV, Mapping: &m}
	for {
		record, line, err := reader.next()
		if errors.Is(err, io.EOF) {
			return statement, nil
		}
		if err != nil {
			return Statement{}, err
		}
		parsed, skip, err := m.line(record, line, cols, layout)
		if err != nil {
			return Statement{}, err
		}
		if skip {
			continue
		}
		if len(statement.Lines) == LinesMax {
			return Statement{}, parseErrorf(line, 0, "the file has more than %d lines: split it", LinesMax)
		}
		statement.Lines = append(statement.Lines, parsed)
	}
}

func eofAsEmpty(err error) error {
	if errors.Is(err, io.EOF) {
		return &ParseError{Message: "the file ends before its first statement line"}
	}
	return err
}

// line reads one record. Blank records, and records without a date and an amount (a
// closing balance or a total under the lines), are skipped.
func (m Mapping) line(record []string, number int, cols columns, layout string) (Line, bool, error) {
	field := func(i int) string {
		if i < 0 || i >= len(record) {
			return ""
		}
		return strings.TrimSpace(record[i])
	}
	if blank(record) {
		return Line{}, true, nil
	}
	fail := func(column int, format string, args ...any) (Line, bool, error) {
		return Line{}, false, parseErrorf(number, column+1, "column %s: %s", cols.name(column),
			fmt.Sprintf(format, args...))
	}
	dateText := field(cols.date)
	if dateText == "" {
		return Line{}, true, nil
	}
	date, err := parseDate(dateText, layout)
	if err != nil {
		return fail(cols.date, "%q is not a date written %s", dateText, m.DateFormat)
	}
	amount, column, err := m.amount(field, cols)
	if err != nil {
		return fail(column, "%s", err.Error())
	}
	parsed := Line{Number: number, Date: date, Amount: amount,
		Description: cleanText(field(cols.description)), Payee: cleanText(field(cols.payee)),
		Reference: cleanText(field(cols.reference))}
	if currency := field(cols.currency); currency != "" {
		if parsed.Currency, err = domain.NormalizeCurrency("currency", currency); err != nil {
			return fail(cols.currency, "%q is not a currency code", currency)
		}
	}
	return parsed, false, nil
}

func blank(record []string) bool {
	for _, field := range record {
		if strings.TrimSpace(field) != "" {
			return false
		}
	}
	return true
}

// amount reads the signed amount of a record and, on failure, the column at fault.
func (m Mapping) amount(field func(int) string, cols columns) (decimal.Decimal, int, error) {
	read := func(column int, required bool) (decimal.Decimal, error) {
		text := field(column)
		if text == "" && !required {
			return decimal.Zero, nil
		}
		amount, err := parseAmount(text, m.Decimal)
		if err != nil {
			return amount, fmt.Errorf("%q is not an amount with %q for decimals", text, string(m.Decimal))
		}
		return amount, nil
	}
	if cols.amount < 0 {
		debit, err := read(cols.debit, false)
		if err != nil {
			return debit, cols.debit, err
		}
		credit, err := read(cols.credit, false)
		if err != nil {
			return credit, cols.credit, err
		}
		if debit.IsZero() && credit.IsZero() {
			return debit, cols.debit, errors.New("neither debit nor credit has an amount")
		}
		return credit.Abs().Sub(debit.Abs()), 0, nil
	}
	amount, err := read(cols.amount, true)
	if err != nil {
		return amount, cols.amount, err
	}
	if cols.direction < 0 {
		return amount, 0, nil
	}
	if strings.EqualFold(field(cols.direction), strings.TrimSpace(m.DebitValue)) {
		return amount.Abs().Neg(), 0, nil
	}
	return amount.Abs(), 0, nil
}

// decodeHead returns the sniffed bytes as UTF-8 text, cut after the last full line when
// the file goes on past them.
func decodeHead(head []byte, encoding string, complete bool) string {
	head = bytes.TrimPrefix(head, utf8BOM)
	if !complete {
		if cut := bytes.LastIndexByte(head, '\n'); cut >= 0 {
			head = head[:cut+1]
		}
	}
	if encoding == EncodingLatin1 {
		decoded, err := charmap.Windows1252.NewDecoder().Bytes(head)
		if err == nil {
			return string(decoded)
		}
	}
	return strings.ToValidUTF8(string(head), "\uFFFD")
}
