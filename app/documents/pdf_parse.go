package documents

import (
	"bytes"
	"strconv"
)

// The few PDF objects the structural check needs to read: dictionaries of
// trailers, cross-reference streams and catalogs, and what they hold.
type (
	pdfValue any // int64, float64, bool, nil, pdfName, pdfString, pdfRef, []pdfValue, pdfDict
	pdfName  string
	pdfDict  map[string]pdfValue
	pdfRef   struct{ number, generation int64 }
	// pdfString stands for a string's place; the check never needs its bytes.
	pdfString struct{}
)

// pdfInvalid marks an object that did not parse.
type pdfInvalid struct{}

func (d pdfDict) int(key string) (int64, bool) {
	n, ok := d[key].(int64)
	return n, ok
}

func (d pdfDict) name(key string) pdfName {
	n, _ := d[key].(pdfName)
	return n
}

// pdfParser reads PDF objects from a window of the file. It never reads
// past the window and stops at pdfNestingMax levels.
type pdfParser struct {
	data []byte
	pos  int
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isSpace(b byte) bool {
	switch b {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelimiter(b byte) bool {
	switch b {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skipSpace skips white space and comments.
func (p *pdfParser) skipSpace() {
	for p.pos < len(p.data) {
		switch b := p.data[p.pos]; {
		case isSpace(b):
			p.pos++
		case b == '%':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

// skipLineEnd skips spaces and one end of line.
func (p *pdfParser) skipLineEnd() {
	for p.pos < len(p.data) && (p.data[p.pos] == ' ' || p.data[p.pos] == '\t') {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '\n' {
		p.pos++
	}
}

// keyword consumes word when it stands at the position as a whole token.
func (p *pdfParser) keyword(word string) bool {
	end := p.pos + len(word)
	if end > len(p.data) || !bytes.Equal(p.data[p.pos:end], []byte(word)) {
		return false
	}
	if end < len(p.data) && !isSpace(p.data[end]) && !isDelimiter(p.data[end]) {
		return false
	}
	p.pos = end
	return true
}

// integer reads an unsigned integer after optional white space.
func (p *pdfParser) integer() (int64, bool) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.data) && isDigit(p.data[p.pos]) && p.pos-start < 18 {
		p.pos++
	}
	if p.pos == start || (p.pos < len(p.data) && isDigit(p.data[p.pos])) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(p.data[start:p.pos]), 10, 64)
	return n, err == nil
}

// objectHeader reads "number generation obj" and returns the number.
func (p *pdfParser) objectHeader() (int64, bool) {
	number, ok := p.integer()
	if !ok {
		return 0, false
	}
	if _, ok := p.integer(); !ok {
		return 0, false
	}
	p.skipSpace()
	return number, p.keyword("obj")
}

// object reads one object; pdfInvalid{} when it does not parse.
func (p *pdfParser) object(depth int) pdfValue {
	p.skipSpace()
	if p.pos >= len(p.data) || depth > pdfNestingMax {
		return pdfInvalid{}
	}
	switch b := p.data[p.pos]; {
	case b == '/':
		return p.name()
	case b == '(':
		return p.literalString()
	case b == '<' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '<':
		return p.dictionary(depth)
	case b == '<':
		return p.hexString()
	case b == '[':
		return p.array(depth)
	case isDigit(b) || b == '-' || b == '+' || b == '.':
		return p.numberOrRef()
	case p.keyword("true"):
		return true
	case p.keyword("false"):
		return false
	case p.keyword("null"):
		return nil
	}
	return pdfInvalid{}
}

func (p *pdfParser) name() pdfValue {
	p.pos++ // '/'
	start := p.pos
	for p.pos < len(p.data) && !isSpace(p.data[p.pos]) && !isDelimiter(p.data[p.pos]) {
		p.pos++
	}
	return pdfName(p.data[start:p.pos])
}

func (p *pdfParser) literalString() pdfValue {
	p.pos++ // '('
	for level := 1; p.pos < len(p.data); p.pos++ {
		switch p.data[p.pos] {
		case '\\':
			p.pos++
		case '(':
			level++
		case ')':
			level--
			if level == 0 {
				p.pos++
				return pdfString{}
			}
		}
	}
	return pdfInvalid{}
}

func (p *pdfParser) hexString() pdfValue {
	end := bytes.IndexByte(p.data[p.pos:], '>')
	if end < 0 {
		return pdfInvalid{}
	}
	p.pos += end + 1
	return pdfString{}
}

func (p *pdfParser) dictionary(depth int) pdfValue {
	p.pos += 2 // "<<"
	dict := pdfDict{}
	for {
		p.skipSpace()
		if p.pos+1 < len(p.data) && p.data[p.pos] == '>' && p.data[p.pos+1] == '>' {
			p.pos += 2
			return dict
		}
		key, ok := p.object(depth + 1).(pdfName)
		if !ok {
			return pdfInvalid{}
		}
		value := p.object(depth + 1)
		if _, invalid := value.(pdfInvalid); invalid {
			return pdfInvalid{}
		}
		dict[string(key)] = value
	}
}

func (p *pdfParser) array(depth int) pdfValue {
	p.pos++ // '['
	var values []pdfValue
	for {
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			return values
		}
		value := p.object(depth + 1)
		if _, invalid := value.(pdfInvalid); invalid {
			return pdfInvalid{}
		}
		values = append(values, value)
	}
}

// numberOrRef reads a number, or "number generation R".
func (p *pdfParser) numberOrRef() pdfValue {
	start := p.pos
	p.pos++
	for p.pos < len(p.data) && (isDigit(p.data[p.pos]) || p.data[p.pos] == '.') {
		p.pos++
	}
	text := string(p.data[start:p.pos])
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		real, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return pdfInvalid{}
		}
		return real
	}
	if n < 0 || text[0] == '+' {
		return n
	}
	// Look ahead for "generation R" without consuming anything else.
	saved := p.pos
	if generation, ok := p.integer(); ok {
		p.skipSpace()
		if p.keyword("R") {
			return pdfRef{number: n, generation: generation}
		}
	}
	p.pos = saved
	return n
}
