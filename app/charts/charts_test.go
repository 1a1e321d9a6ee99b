package charts_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"folio/app/charts"
)

func amounts(texts ...string) []decimal.Decimal {
	values := make([]decimal.Decimal, len(texts))
	for i, text := range texts {
		values[i] = decimal.RequireFromString(text)
	}
	return values
}

const hostile = `<script>alert("x")</script> & 'q'`

// checkSVG parses the drawing as XML and refuses anything a strict
// Content-Security-Policy would block or that could run script.
func checkSVG(t *testing.T, svg string) map[string]int {
	t.Helper()
	elements := map[string]int{}
	decoder := xml.NewDecoder(strings.NewReader(svg))
	for {
		token, err := decoder.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		start, ok := token.(xml.StartElement)
		if !ok {
			continue
		}
		elements[start.Name.Local]++
		if start.Name.Local == "script" || start.Name.Local == "style" || start.Name.Local == "foreignObject" {
			t.Errorf("element <%s> in chart", start.Name.Local)
		}
		for _, attribute := range start.Attr {
			if attribute.Name.Local == "style" || strings.HasPrefix(attribute.Name.Local, "on") ||
				attribute.Name.Local == "href" {
				t.Errorf("attribute %s in chart", attribute.Name.Local)
			}
		}
	}
	if strings.Contains(svg, "<script>") {
		t.Errorf("unescaped markup in chart:\n%s", svg)
	}
	return elements
}

func TestColumnsDrawBarsAndALineWithEscapedText(t *testing.T) {
	chart := charts.Chart{ID: "flow", Title: hostile, Unit: "EUR", Labels: []string{"Jan", hostile, "Mar"},
		Series: []charts.Series{
			{Name: "Income", Color: charts.ColorIncome, Values: amounts("1200", "0", "900.5")},
			{Name: "Expenses", Color: charts.ColorExpense, Values: amounts("800", "300", "1500")},
			{Name: hostile, Color: charts.ColorNet, Values: amounts("400", "-300", "-599.5")},
		}}
	elements := checkSVG(t, string(charts.Columns(chart)))
	if elements["rect"] != 6+3 || elements["circle"] != 3 || elements["polyline"] != 1 {
		t.Errorf("got %v, want 6 bars and 3 legend boxes, one line with 3 dots", elements)
	}
}

func TestLinesAndBarsAreWellFormed(t *testing.T) {
	lines := charts.Chart{ID: "worth", Title: "Net worth", Unit: "EUR", Labels: []string{"2025-01", "2025-02"},
		Series: []charts.Series{{Name: "Net", Color: charts.ColorNet, Values: amounts("-10", "25000000")}}}
	if elements := checkSVG(t, string(charts.Lines(lines))); elements["circle"] != 2 {
		t.Errorf("got %v, want 2 dots", elements)
	}
	var labels []string
	var values []decimal.Decimal
	for i := 0; i < 12; i++ {
		labels = append(labels, hostile)
		values = append(values, decimal.NewFromInt(int64(100-i)))
	}
	bars := charts.Chart{ID: "spending", Title: "Spending", Unit: "USD", Labels: labels,
		Series: []charts.Series{{Name: "Spent", Color: charts.ColorExpense, Values: values}}}
	svg := string(charts.Bars(bars, "Other"))
	if elements := checkSVG(t, svg); elements["rect"] != 8 {
		t.Errorf("got %v, want 8 bars (7 and Other)", elements)
	}
	if !strings.Contains(svg, "Spent, Other: 455.00 USD") {
		t.Errorf("the rest is not summed into Other (93+92+…+89 = 455):\n%s", svg)
	}
}
