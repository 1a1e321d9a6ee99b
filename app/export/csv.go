package export

import (
	"encoding/csv"
	"io"

	"github.com/shopspring/decimal"

	"folio/domain"
)

// Cell is one value of a CSV row: text, or an amount that stays a number.
type Cell struct {
	text   string
	number bool
}

// Text is a cell of free text. Text that a spreadsheet would read as a
// formula (starting with =, +, -, @, a tab, a carriage return or a line
// feed) is written with a leading apostrophe, so that it stays text.
func Text(text string) Cell { return Cell{text: text} }

// Number is an amount, written exactly with a dot as the decimal mark and
// never neutralised, so that spreadsheets read it as a number.
func Number(amount decimal.Decimal) Cell {
	return Cell{text: domain.FormatAmount(amount), number: true}
}

// Date is a date written as YYYY-MM-DD.
func Date(date domain.Date) Cell { return Cell{text: date.String()} }

// CSV writes rows of cells as CSV.
type CSV struct {
	writer *csv.Writer
}

// NewCSV returns a CSV writer on w.
func NewCSV(w io.Writer) *CSV {
	return &CSV{writer: csv.NewWriter(w)}
}

// Row writes one row.
func (c *CSV) Row(cells ...Cell) error {
	record := make([]string, len(cells))
	for i, cell := range cells {
		record[i] = cell.text
		if !cell.number {
			record[i] = neutralise(cell.text)
		}
	}
	return c.writer.Write(record)
}

// Headings writes a row of text cells.
func (c *CSV) Headings(headings ...string) error {
	cells := make([]Cell, len(headings))
	for i, heading := range headings {
		cells[i] = Text(heading)
	}
	return c.Row(cells...)
}

// Flush writes what is buffered and returns the first error of any write.
func (c *CSV) Flush() error {
	c.writer.Flush()
	return c.writer.Error()
}

// neutralise keeps text from being read as a formula by a spreadsheet.
func neutralise(text string) string {
	if text == "" {
		return text
	}
	switch text[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + text
	}
	return text
}
