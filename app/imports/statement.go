// Package imports reads bank statements (generic CSV, Wise's CSV export, OFX/QFX and
// CAMT.053) into statement lines, and turns lines into the entries of an import: the
// counter-account chosen by the user's rules and the keys that make re-imports skip what
// is already in the books. It does no I/O of its own beyond reading the io.Reader it is
// given, and it reads that as a stream: the whole file is never held in memory.
package imports

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"folio/domain"
)

// Limits of what a statement file may hold. A file that goes past one is refused with a
// message naming the line.
const (
	// LinesMax is the most statement lines one file may hold: an import is one append.
	LinesMax = domain.ImportLinesMax
	// lineBytesMax bounds one physical line of a CSV or SGML file.
	lineBytesMax = 32 << 10
	// fieldsMax bounds the fields of one CSV record.
	fieldsMax = 200
	// xmlDepthMax bounds the nesting of XML and OFX elements.
	xmlDepthMax = 32
	// textRunesMax bounds a description or payee: longer ones are shortened.
	textRunesMax = 300
	// sniffBytes is how much of a file detection and the CSV guess look at.
	sniffBytes = 64 << 10
)

// Format names a statement format.
type Format string

const (
	FormatCSV     Format = "csv"
	FormatWiseCSV Format = "wise-csv"
	FormatOFX     Format = "ofx"
	FormatCAMT053 Format = "camt.053"
)

// Formats lists the formats a file can be read as, for pickers.
var Formats = []Format{FormatCSV, FormatWiseCSV, FormatOFX, FormatCAMT053}

// Label is the format's name for people.
func (f Format) Label() string {
	switch f {
	case FormatCSV:
		return "CSV"
	case FormatWiseCSV:
		return "Wise CSV"
	case FormatOFX:
		return "OFX/QFX"
	case FormatCAMT053:
		return "CAMT.053"
	}
	return string(f)
}

// Line is one statement line as a file states it.
type Line struct {
	// Number is the line of the file where the statement line starts, from 1.
	Number int
	Date   domain.Date
	// Amount is signed: positive is money in. For Wise it includes Fee.
	Amount decimal.Decimal
	// Currency is the line's currency, "" for the account's.
	Currency    string
	Description string
	Payee       string
	Reference   string
	// ProviderID is the bank's own id of the line, "" when the format has none. It is
	// unique within the statement's account.
	ProviderID string
	// Fee is the part of Amount that is a fee, positive, zero when none.
	Fee decimal.Decimal
	// ForeignAmount and ForeignCurrency say what the line paid or received in another
	// currency (a card payment abroad, a conversion), both zero when nothing.
	ForeignAmount   decimal.Decimal
	ForeignCurrency string
	// Balance is the running balance after the line, when the statement says.
	Balance *decimal.Decimal
}

// Statement is a parsed file.
type Statement struct {
	Format   Format
	Currency string // the statement's currency, "" when the file does not say
	Lines    []Line
	// Mapping is the CSV mapping the lines were read with, and Guess what the file's
	// first bytes suggested (generic CSV only).
	Mapping *Mapping
	Guess   *Guess
}

// ParseError is a file that cannot be read, with the place of the problem.
type ParseError struct {
	Line    int // from 1; 0 when the problem is the file as a whole
	Column  int // from 1; 0 when unknown
	Message string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return e.Message
	case e.Column == 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

func parseErrorf(line, column int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Column: column, Message: fmt.Sprintf(format, args...)}
}

// Options steer Parse.
type Options struct {
	// Format forces a format; "" detects it.
	Format Format
	// Mapping reads a generic CSV; nil asks MappingFor, then guesses one from the file.
	Mapping *Mapping
	// MappingFor, when set, returns a saved mapping for a file that looks like guess, or
	// nil.
	MappingFor func(guess Guess) *Mapping
}

// Parse reads a statement from r. It returns a *ParseError for a file it cannot read.
func Parse(r io.Reader, options Options) (Statement, error) {
	reader := bufio.NewReaderSize(r, sniffBytes)
	head, err := reader.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Statement{}, fmt.Errorf("read statement: %w", err)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return Statement{}, &ParseError{Message: "the file is empty"}
	}
	format := options.Format
	if format == "" {
		format = Detect(head)
	}
	switch format {
	case FormatOFX:
		return parseOFX(reader)
	case FormatCAMT053:
		return parseCAMT(reader)
	case FormatWiseCSV:
		return parseWiseCSV(reader, head)
	case FormatCSV:
		guess := GuessCSV(head)
		mapping := options.Mapping
		if mapping == nil && options.MappingFor != nil {
			mapping = options.MappingFor(guess)
		}
		if mapping == nil {
			mapping = &guess.Mapping
		}
		statement, err := parseCSV(reader, *mapping)
		statement.Guess = &guess
		return statement, err
	}
	return Statement{}, &ParseError{Message: fmt.Sprintf("unknown format %q", format)}
}

// Detect names the format of a file from its first bytes.
func Detect(head []byte) Format {
	text := bytes.TrimPrefix(head, utf8BOM)
	trimmed := bytes.TrimSpace(text)
	upper := strings.ToUpper(string(trimmed[:min(len(trimmed), 4096)]))
	switch {
	case strings.HasPrefix(upper, "OFXHEADER"), strings.Contains(upper, "<OFX>"),
		strings.Contains(upper, "<?OFX"):
		return FormatOFX
	case strings.HasPrefix(upper, "<") && strings.Contains(string(text), "BkToCstmrStmt"):
		return FormatCAMT053
	}
	firstLine, _, _ := bytes.Cut(trimmed, []byte("\n"))
	if isWiseHeader(string(firstLine)) {
		return FormatWiseCSV
	}
	return FormatCSV
}
