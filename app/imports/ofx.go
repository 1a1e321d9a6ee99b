package imports

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"time"

	"folio/domain"
)

// OFX comes as SGML (1.x: a header of KEY:VALUE lines, then tags whose values are not
// closed) or as XML (2.x: a processing instruction, every element closed). One tokenizer
// reads both: a value is the text after a start tag, and a closing tag closes everything
// opened since its start tag.

const (
	ofxTagBytesMax         = 64
	ofxInstructionBytesMax = 1024 // <?OFX …?> and <!-- … -->
)

// ofxToken is a start tag with its value (leaf), a start tag without one (aggregate), or
// an end tag.
type ofxToken struct {
	name  string
	value string
	end   bool
	line  int
}

type ofxScanner struct {
	reader *bufio.Reader
	line   int
}

func (s *ofxScanner) readByte() (byte, error) {
	b, err := s.reader.ReadByte()
	if b == '\n' {
		s.line++
	}
	return b, err
}

// next returns the next tag; io.EOF at the end of the file.
func (s *ofxScanner) next() (ofxToken, error) {
	for {
		b, err := s.readByte()
		if err != nil {
			return ofxToken{}, err
		}
		if b != '<' {
			continue // text outside any tag: SGML header lines, whitespace
		}
		line := s.line
		name, err := s.until('>', ofxInstructionBytesMax)
		if err != nil {
			return ofxToken{}, parseErrorf(line, 0, "a tag is not closed with >")
		}
		if strings.HasPrefix(name, "?") || strings.HasPrefix(name, "!") {
			continue // XML declaration, OFX processing instruction, comment
		}
		if len(name) > ofxTagBytesMax {
			return ofxToken{}, parseErrorf(line, 0, "a tag is longer than %d bytes", ofxTagBytesMax)
		}
		token := ofxToken{name: strings.ToUpper(strings.TrimSpace(name)), line: line}
		if strings.HasPrefix(token.name, "/") {
			token.name, token.end = token.name[1:], true
		}
		if token.name == "" {
			return ofxToken{}, parseErrorf(line, 0, "a tag has no name")
		}
		if token.end {
			return token, nil
		}
		value, err := s.until('<', lineBytesMax)
		if err != nil && !errors.Is(err, io.EOF) {
			return ofxToken{}, parseErrorf(line, 0, "the value of <%s> is longer than %d bytes", token.name, lineBytesMax)
		}
		if err == nil {
			_ = s.reader.UnreadByte() // the '<' of the next tag
		}
		token.value = html.UnescapeString(strings.TrimSpace(value))
		return token, nil
	}
}

// until reads up to the delimiter (not included) or io.EOF, at most max bytes.
func (s *ofxScanner) until(delimiter byte, max int) (string, error) {
	var text strings.Builder
	for text.Len() <= max {
		b, err := s.readByte()
		if err != nil {
			return text.String(), err
		}
		if b == delimiter {
			return text.String(), nil
		}
		text.WriteByte(b)
	}
	return "", fmt.Errorf("longer than %d bytes", max)
}

func parseOFX(r io.Reader) (Statement, error) {
	scanner := &ofxScanner{reader: bufio.NewReader(newLineLimiter(r, lineBytesMax)), line: 1}
	statement := Statement{Format: FormatOFX}
	var stack []string
	var transaction map[string]string
	var transactionLine int
	for {
		token, err := scanner.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var tooLong errLineTooLong
		if errors.As(err, &tooLong) {
			return Statement{}, parseErrorf(tooLong.line, 0, "the line is longer than %d bytes", lineBytesMax)
		}
		if err != nil {
			return Statement{}, err
		}
		switch {
		case token.end:
			closed := closeOFX(&stack, token.name)
			if closed && transaction != nil && !slices.Contains(stack, "STMTTRN") {
				line, err := ofxLine(transaction, transactionLine, statement.Currency)
				if err != nil {
					return Statement{}, err
				}
				if len(statement.Lines) == LinesMax {
					return Statement{}, parseErrorf(token.line, 0, "the file has more than %d lines: split it", LinesMax)
				}
				statement.Lines = append(statement.Lines, line)
				transaction = nil
			}
		case token.value == "":
			if len(stack) == xmlDepthMax {
				return Statement{}, parseErrorf(token.line, 0, "elements nest deeper than %d", xmlDepthMax)
			}
			stack = append(stack, token.name)
			if token.name == "STMTTRN" {
				transaction, transactionLine = map[string]string{}, token.line
			}
		case transaction != nil:
			key := token.name
			if parent := stack[len(stack)-1]; parent != "STMTTRN" {
				key = parent + "." + token.name
			}
			transaction[key] = token.value
		case token.name == "CURDEF":
			statement.Currency = strings.ToUpper(token.value)
		}
	}
	if transaction != nil {
		return Statement{}, parseErrorf(transactionLine, 0, "the transaction starting here is not closed")
	}
	return statement, nil
}

// closeOFX closes name and everything opened inside it; a closing tag of a value (XML
// style) closes nothing. It reports whether an aggregate was closed.
func closeOFX(stack *[]string, name string) bool {
	for i := len(*stack) - 1; i >= 0; i-- {
		if (*stack)[i] == name {
			*stack = (*stack)[:i]
			return true
		}
	}
	return false
}

func ofxLine(fields map[string]string, number int, currency string) (Line, error) {
	fail := func(format string, args ...any) (Line, error) {
		return Line{}, parseErrorf(number, 0, "transaction: "+format, args...)
	}
	date, err := parseOFXDate(fields["DTPOSTED"])
	if err != nil {
		return fail("<DTPOSTED>%s is not a date", fields["DTPOSTED"])
	}
	text := fields["TRNAMT"]
	separator := DecimalDot
	if strings.Contains(text, ",") && !strings.Contains(text, ".") {
		separator = DecimalComma
	}
	amount, err := parseAmount(text, separator)
	if err != nil {
		return fail("<TRNAMT>%s is not an amount", text)
	}
	line := Line{Number: number, Date: date, Amount: amount, ProviderID: fields["FITID"],
		Payee:       cleanText(firstOf(fields["NAME"], fields["PAYEE.NAME"])),
		Description: cleanText(firstOf(fields["MEMO"], fields["NAME"], fields["PAYEE.NAME"], fields["TRNTYPE"])),
		Reference:   cleanText(firstOf(fields["CHECKNUM"], fields["REFNUM"]))}
	if line.Description == line.Payee {
		line.Payee = cleanText(fields["PAYEE.NAME"])
	}
	if code := firstOf(fields["CURRENCY.CURSYM"], fields["ORIGCURRENCY.CURSYM"]); code != "" &&
		!strings.EqualFold(code, currency) {
		if normalized, err := domain.NormalizeCurrency("currency", code); err == nil {
			line.Currency = normalized
		}
	}
	return line, nil
}

// parseOFXDate reads YYYYMMDD, optionally followed by a time, fraction and zone
// ("20250304120000.000[-5:EST]"); the date is the calendar day as written.
func parseOFXDate(text string) (domain.Date, error) {
	text = strings.TrimSpace(text)
	if len(text) < 8 {
		return domain.Date{}, errors.New("short")
	}
	day, err := time.Parse("20060102", text[:8])
	if err != nil {
		return domain.Date{}, err
	}
	return checkedDate(day)
}
