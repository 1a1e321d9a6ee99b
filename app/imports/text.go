package imports

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"folio/domain"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Encodings a CSV file may be written in. Latin-1 is read as Windows-1252, its superset
// that Windows programs write under that name.
const (
	EncodingUTF8   = "utf-8"
	EncodingLatin1 = "latin-1"
)

// detectEncoding guesses the encoding of head: UTF-8 when it decodes as UTF-8 (a rune cut
// off at the end of head does not count against it), Latin-1 otherwise.
func detectEncoding(head []byte) string {
	head = bytes.TrimPrefix(head, utf8BOM)
	for cut := 0; cut < utf8.UTFMax && len(head) > 0; cut++ {
		if utf8.Valid(head) {
			return EncodingUTF8
		}
		head = head[:len(head)-1]
	}
	return EncodingLatin1
}

// decodingReader returns r decoded from encoding to UTF-8, without a byte order mark.
func decodingReader(r io.Reader, encoding string) io.Reader {
	if encoding == EncodingLatin1 {
		return charmap.Windows1252.NewDecoder().Reader(r)
	}
	return &bomSkipper{r: r}
}

// bomSkipper drops a UTF-8 byte order mark at the start of a stream.
type bomSkipper struct {
	r       io.Reader
	started bool
	pending []byte
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		head := make([]byte, len(utf8BOM))
		n, err := io.ReadFull(b.r, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if !bytes.Equal(head[:n], utf8BOM) {
			b.pending = head[:n]
		}
	}
	if len(b.pending) > 0 {
		n := copy(p, b.pending)
		b.pending = b.pending[n:]
		return n, nil
	}
	return b.r.Read(p)
}

// errLineTooLong is returned by lineLimiter; parsers turn it into a ParseError.
type errLineTooLong struct{ line int }

func (e errLineTooLong) Error() string { return "line too long" }

// lineLimiter fails a read once a physical line grows past max bytes, so that a file
// without line breaks cannot make a parser buffer all of it.
type lineLimiter struct {
	r      io.Reader
	max    int
	length int // bytes since the last line break
	line   int // current line, from 1
}

func newLineLimiter(r io.Reader, max int) *lineLimiter {
	return &lineLimiter{r: r, max: max, line: 1}
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.line++
			l.length = 0
			continue
		}
		l.length++
		if l.length > l.max {
			return i, errLineTooLong{line: l.line}
		}
	}
	return n, err
}

// cleanText makes statement text fit for a description or payee: control characters
// become spaces, runs of spaces one, and it is cut to textRunesMax runes.
func cleanText(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, text)
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > textRunesMax {
		runes := []rune(text)
		text = strings.TrimSpace(string(runes[:textRunesMax-1])) + "…"
	}
	return text
}

// DecimalSeparator says how amounts write their decimals.
type DecimalSeparator string

const (
	DecimalDot   DecimalSeparator = "."
	DecimalComma DecimalSeparator = ","
)

// parseAmount reads a bank's way of writing an amount: optional sign before or after,
// parentheses for negative, thousands separators (the other of dot and comma, spaces or
// apostrophes), currency symbols or codes around it. It never goes through a float.
func parseAmount(text string, separator DecimalSeparator) (decimal.Decimal, error) {
	text = strings.TrimSpace(text)
	negative := false
	if strings.HasPrefix(text, "(") && strings.HasSuffix(text, ")") {
		negative, text = true, text[1:len(text)-1]
	}
	text = trimCurrency(text)
	text = strings.Replace(text, "\u2212", "-", 1) // a minus sign written as U+2212
	switch {
	case strings.HasPrefix(text, "-"):
		negative, text = !negative, strings.TrimLeft(text[1:], " ")
	case strings.HasPrefix(text, "+"):
		text = text[1:]
	case strings.HasSuffix(text, "-"):
		negative, text = !negative, text[:len(text)-1]
	}
	if separator == DecimalComma {
		text = strings.Replace(commaGrouping.Replace(text), ",", ".", 1)
	} else {
		text = dotGrouping.Replace(text)
	}
	if text == "" {
		return decimal.Decimal{}, errors.New("no amount")
	}
	amount, err := domain.ParseAmount("amount", text)
	if err != nil {
		return decimal.Decimal{}, errors.New("not an amount")
	}
	if negative {
		amount = amount.Neg()
	}
	return amount, nil
}

// Replacers that drop the thousands separators of each way of writing decimals.
var (
	dotGrouping   = strings.NewReplacer(",", "", " ", "", "\u00a0", "", "\u202f", "", "'", "", "’", "")
	commaGrouping = strings.NewReplacer(".", "", " ", "", "\u00a0", "", "\u202f", "", "'", "", "’", "")
)

// trimCurrency removes a currency symbol or a three-letter code before or after an
// amount ("€ 12,50", "12.50 USD", "-£3.00").
func trimCurrency(text string) string {
	isSymbol := func(r rune) bool { return unicode.Is(unicode.Sc, r) || unicode.IsSpace(r) }
	text = strings.TrimFunc(text, isSymbol)
	if len(text) > 3 && isCode(text[:3]) {
		text = strings.TrimLeftFunc(text[3:], unicode.IsSpace)
	}
	if len(text) > 3 && isCode(text[len(text)-3:]) {
		text = strings.TrimRightFunc(text[:len(text)-3], unicode.IsSpace)
	}
	if strings.HasPrefix(text, "-") || strings.HasPrefix(text, "+") {
		text = text[:1] + strings.TrimLeftFunc(text[1:], isSymbol)
	}
	return text
}

func isCode(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] < 'A' || text[i] > 'Z' {
			return false
		}
	}
	return true
}

// guessSeparator says which decimal separator a set of amounts uses, from the ones that
// give it away: "1.234,56" or "12,50" for a comma, "1,234.56" or "12.50" for a dot.
func guessSeparator(values []string) DecimalSeparator {
	comma, dot := 0, 0
	for _, value := range values {
		value = strings.TrimSpace(value)
		lastComma, lastDot := strings.LastIndex(value, ","), strings.LastIndex(value, ".")
		switch {
		case lastComma > lastDot && len(value)-lastComma-1 != 3:
			comma++
		case lastDot > lastComma && len(value)-lastDot-1 != 3:
			dot++
		case lastComma > lastDot && lastDot >= 0:
			comma++
		case lastDot > lastComma && lastComma >= 0:
			dot++
		}
	}
	if comma > dot {
		return DecimalComma
	}
	return DecimalDot
}

// DateFormats are the date layouts statements use, by the name the mapping screen shows.
var DateFormats = []struct{ Name, Layout string }{
	{"YYYY-MM-DD", "2006-01-02"},
	{"DD.MM.YYYY", "02.01.2006"},
	{"DD/MM/YYYY", "02/01/2006"},
	{"MM/DD/YYYY", "01/02/2006"},
	{"DD-MM-YYYY", "02-01-2006"},
	{"MM-DD-YYYY", "01-02-2006"},
	{"YYYY/MM/DD", "2006/01/02"},
	{"YYYYMMDD", "20060102"},
	{"DD.MM.YY", "02.01.06"},
	{"DD/MM/YY", "02/01/06"},
	{"MM/DD/YY", "01/02/06"},
}

func dateLayout(name string) (string, bool) {
	for _, format := range DateFormats {
		if format.Name == name {
			return format.Layout, true
		}
	}
	return "", false
}

// parseDate reads the date at the start of text (a time of day after it is ignored) with
// layout.
func parseDate(text, layout string) (domain.Date, error) {
	text = strings.TrimSpace(text)
	if cut := strings.IndexAny(text, " T"); cut > 0 && len(text) > len(layout) {
		text = text[:cut]
	}
	if len(text) != len(layout) {
		// Days and months written without a leading zero ("3/7/2025").
		day, err := time.Parse(looseLayout(layout), text)
		if err != nil {
			return domain.Date{}, errors.New("not a date")
		}
		return checkedDate(day)
	}
	day, err := time.Parse(layout, text)
	if err != nil {
		return domain.Date{}, errors.New("not a date")
	}
	return checkedDate(day)
}

var looseReplacer = strings.NewReplacer("02", "2", "01", "1")

func looseLayout(layout string) string {
	return looseReplacer.Replace(layout)
}

func checkedDate(day time.Time) (domain.Date, error) {
	if day.Year() < 1900 || day.Year() > 2999 {
		return domain.Date{}, errors.New("year out of range")
	}
	return domain.DateOf(day), nil
}
