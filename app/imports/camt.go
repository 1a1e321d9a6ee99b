package imports

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"folio/domain"
)

// CAMT.053 versions .02 to .13 differ in their namespace and in a few elements, so the
// parser matches local names only and reads each <Ntry> as a small tree.

const (
	xmlTextBytesMax   = 4 << 10
	camtEntryNodesMax = 2000
)

// xmlNode is an element of one entry: its local name, text and children.
type xmlNode struct {
	name     string
	text     string
	attrs    map[string]string
	children []*xmlNode
}

// find returns the first descendant at the path of local names, or nil.
func (n *xmlNode) find(path ...string) *xmlNode {
	if n == nil || len(path) == 0 {
		return n
	}
	for _, child := range n.children {
		// #nosec G602 -- path is not empty: the function returned above when it was
		if child.name == path[0] {
			if found := child.find(path[1:]...); found != nil {
				return found
			}
		}
	}
	return nil
}

// value returns the text at path, "" when absent.
func (n *xmlNode) value(path ...string) string {
	if found := n.find(path...); found != nil {
		return strings.TrimSpace(found.text)
	}
	return ""
}

// all returns every descendant at path.
func (n *xmlNode) all(path ...string) []*xmlNode {
	if n == nil {
		return nil
	}
	if len(path) == 0 {
		return []*xmlNode{n}
	}
	var found []*xmlNode
	for _, child := range n.children {
		// #nosec G602 -- path is not empty: the function returned above when it was
		if child.name == path[0] {
			found = append(found, child.all(path[1:]...)...)
		}
	}
	return found
}

func camtCharsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(input), nil
	case "utf-8", "utf8", "us-ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", charset)
}

type camtParser struct {
	decoder   *xml.Decoder
	statement Statement
	path      []string
}

func parseCAMT(r io.Reader) (Statement, error) {
	decoder := xml.NewDecoder(&bomSkipper{r: r})
	decoder.CharsetReader = camtCharsetReader
	p := &camtParser{decoder: decoder, statement: Statement{Format: FormatCAMT053}}
	sawStatement := false
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Statement{}, p.syntaxError(err)
		}
		switch t := token.(type) {
		case xml.StartElement:
			if len(p.path) == xmlDepthMax {
				return Statement{}, p.errorHere("elements nest deeper than %d", xmlDepthMax)
			}
			p.path = append(p.path, t.Name.Local)
			if t.Name.Local == "Stmt" {
				sawStatement = true
			}
			if t.Name.Local == "Ntry" && p.parent() == "Stmt" {
				if err := p.entry(t); err != nil {
					return Statement{}, err
				}
			}
		case xml.EndElement:
			p.path = p.path[:len(p.path)-1]
		case xml.CharData:
			if len(p.path) >= 2 && p.path[len(p.path)-1] == "Ccy" && p.parent() == "Acct" {
				p.statement.Currency = strings.ToUpper(strings.TrimSpace(string(t)))
			}
		}
	}
	if !sawStatement {
		return Statement{}, &ParseError{Message: "the file is XML but holds no CAMT.053 statement (<Stmt>)"}
	}
	return p.statement, nil
}

func (p *camtParser) parent() string {
	if len(p.path) < 2 {
		return ""
	}
	return p.path[len(p.path)-2]
}

func (p *camtParser) errorHere(format string, args ...any) error {
	line, column := p.decoder.InputPos()
	return parseErrorf(line, column, format, args...)
}

func (p *camtParser) syntaxError(err error) error {
	var syntax *xml.SyntaxError
	if errors.As(err, &syntax) {
		return parseErrorf(syntax.Line, 0, "the XML is not well-formed: %s", syntax.Msg)
	}
	return p.errorHere("the XML cannot be read: %s", err.Error())
}

// entry reads one <Ntry> into a tree, bounded in depth and size, then into a line.
func (p *camtParser) entry(start xml.StartElement) error {
	line, _ := p.decoder.InputPos()
	root := &xmlNode{name: start.Name.Local}
	stack := []*xmlNode{root}
	nodes := 1
	for len(stack) > 0 {
		token, err := p.decoder.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return parseErrorf(line, 0, "the entry starting here is not closed")
			}
			return p.syntaxError(err)
		}
		top := stack[len(stack)-1]
		switch t := token.(type) {
		case xml.StartElement:
			nodes++
			if len(p.path)+len(stack) > xmlDepthMax || nodes > camtEntryNodesMax {
				return p.errorHere("the entry is nested too deep or too large")
			}
			child := &xmlNode{name: t.Name.Local}
			for _, attr := range t.Attr {
				if child.attrs == nil {
					child.attrs = map[string]string{}
				}
				child.attrs[attr.Name.Local] = attr.Value
			}
			top.children = append(top.children, child)
			stack = append(stack, child)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(top.text)+len(t) > xmlTextBytesMax {
				return p.errorHere("the text of <%s> is longer than %d bytes", top.name, xmlTextBytesMax)
			}
			top.text += string(t)
		}
	}
	p.path = p.path[:len(p.path)-1] // the entry's end tag was read here
	parsed, skip, err := camtLine(root, line)
	if err != nil || skip {
		return err
	}
	if len(p.statement.Lines) == LinesMax {
		return parseErrorf(line, 0, "the file has more than %d entries: split it", LinesMax)
	}
	p.statement.Lines = append(p.statement.Lines, parsed)
	return nil
}

// camtLine turns an entry into a line. Entries that are not booked (pending or for
// information) are skipped.
func camtLine(entry *xmlNode, number int) (Line, bool, error) {
	status := firstOf(entry.value("Sts", "Cd"), entry.value("Sts"))
	if status != "" && !strings.EqualFold(status, "BOOK") {
		return Line{}, true, nil
	}
	fail := func(format string, args ...any) (Line, bool, error) {
		return Line{}, false, parseErrorf(number, 0, "entry: "+format, args...)
	}
	amountNode := entry.find("Amt")
	if amountNode == nil {
		return fail("<Amt> is missing")
	}
	amount, err := parseAmount(amountNode.text, DecimalDot)
	if err != nil || amount.IsNegative() {
		return fail("<Amt>%s is not an amount", strings.TrimSpace(amountNode.text))
	}
	switch indicator := entry.value("CdtDbtInd"); indicator {
	case "DBIT":
		amount = amount.Neg()
	case "CRDT":
	default:
		return fail("<CdtDbtInd>%s is neither CRDT nor DBIT", indicator)
	}
	dateText := firstOf(entry.value("BookgDt", "Dt"), entry.value("BookgDt", "DtTm"),
		entry.value("ValDt", "Dt"), entry.value("ValDt", "DtTm"))
	date, err := parseISODate(dateText)
	if err != nil {
		return fail("the booking date %q is not a date", dateText)
	}
	line := Line{Number: number, Date: date, Amount: amount,
		ProviderID: firstOf(entry.value("AcctSvcrRef"), entry.value("NtryRef"))}
	if code := amountNode.attrs["Ccy"]; code != "" {
		if line.Currency, err = domain.NormalizeCurrency("currency", code); err != nil {
			return fail("the currency %q is not a currency code", code)
		}
	}
	details := entry.find("NtryDtls", "TxDtls")
	var remittance []string
	for _, node := range details.all("RmtInf", "Ustrd") {
		remittance = append(remittance, strings.TrimSpace(node.text))
	}
	line.Description = cleanText(firstOf(strings.Join(remittance, " "), details.value("AddtlTxInf"),
		entry.value("AddtlNtryInf")))
	party := "Cdtr"
	if amount.IsPositive() {
		party = "Dbtr"
	}
	line.Payee = cleanText(firstOf(details.value("RltdPties", party, "Nm"),
		details.value("RltdPties", party, "Pty", "Nm")))
	if reference := details.value("Refs", "EndToEndId"); reference != "NOTPROVIDED" {
		line.Reference = cleanText(reference)
	}
	if line.Description == "" {
		line.Description = line.Payee
	}
	return line, false, nil
}

func parseISODate(text string) (domain.Date, error) {
	if len(text) < 10 {
		return domain.Date{}, errors.New("short")
	}
	day, err := time.Parse("2006-01-02", text[:10])
	if err != nil {
		return domain.Date{}, err
	}
	return checkedDate(day)
}
