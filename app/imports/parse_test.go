package imports_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"folio/app/imports"
)

// wantLine is what a test checks of one parsed line; empty fields are not checked.
type wantLine struct {
	date, amount, currency, description, payee, reference, providerID, fee, foreign string
}

func checkLine(t *testing.T, got imports.Line, want wantLine) {
	t.Helper()
	checks := []struct{ name, got, want string }{
		{"date", got.Date.String(), want.date},
		{"amount", got.Amount.String(), want.amount},
		{"currency", got.Currency, want.currency},
		{"description", got.Description, want.description},
		{"payee", got.Payee, want.payee},
		{"reference", got.Reference, want.reference},
		{"provider id", got.ProviderID, want.providerID},
		{"fee", got.Fee.String(), want.fee},
		{"foreign", got.ForeignAmount.String() + " " + got.ForeignCurrency, want.foreign},
	}
	for _, check := range checks {
		if check.want != "" && check.got != check.want {
			t.Errorf("line %d %s: got %q, want %q", got.Number, check.name, check.got, check.want)
		}
	}
}

func parseFile(t *testing.T, name string, options imports.Options) imports.Statement {
	t.Helper()
	file, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	statement, err := imports.Parse(file, options)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return statement
}

func TestParseRealWorldFiles(t *testing.T) {
	tests := []struct {
		file      string
		format    imports.Format
		currency  string
		lines     int
		first     wantLine
		last      wantLine
		firstLine int
	}{
		{file: "de_sparkasse.csv", format: imports.FormatCSV, lines: 4, firstLine: 5,
			first: wantLine{date: "2025-03-03", amount: "-84", currency: "EUR",
				description: "Stromabschlag März", payee: "Stadtwerke München"},
			last: wantLine{date: "2025-03-07", amount: "-1234.56", payee: "REWE"}},
		{file: "us_chase.csv", format: imports.FormatCSV, lines: 4, firstLine: 2,
			first: wantLine{date: "2025-03-14", amount: "-5.75", description: "STARBUCKS STORE 0123 SEATTLE WA"},
			last:  wantLine{date: "2025-03-21", amount: "-60", description: "CHECK 1043"}},
		{file: "nl_ing.csv", format: imports.FormatCSV, lines: 3, firstLine: 2,
			first: wantLine{date: "2025-03-01", amount: "-23.45", payee: "Albert Heijn 1234",
				description: "Pasvolgnr: 001 01-03-2025 12:01"},
			last: wantLine{date: "2025-03-03", amount: "-7.8"}},
		{file: "uk_debit_credit.csv", format: imports.FormatCSV, lines: 3, firstLine: 2,
			first: wantLine{date: "2025-04-01", amount: "-1234", description: "COUNCIL TAX"},
			last:  wantLine{date: "2025-04-15", amount: "-62.18", description: "TESCO STORES 2231"}},
		{file: "no_header.tsv", format: imports.FormatCSV, lines: 3, firstLine: 1,
			first: wantLine{date: "2025-05-02", amount: "-3.2", description: "Coffee shop"},
			last:  wantLine{date: "2025-05-04", amount: "18.9"}},
		{file: "wise_statement.csv", format: imports.FormatWiseCSV, currency: "EUR", lines: 5, firstLine: 2,
			first: wantLine{date: "2025-03-04", amount: "-200.6", currency: "EUR", fee: "0.6",
				providerID: "TRANSFER-123456789", payee: "John Doe", reference: "INV 42"},
			last: wantLine{date: "2025-03-08", amount: "200", providerID: "TRANSFER-123456789"}},
		{file: "bank_ofx1.ofx", format: imports.FormatOFX, currency: "USD", lines: 3, firstLine: 39,
			first: wantLine{date: "2025-03-03", amount: "-42.17", providerID: "2025030301",
				payee: "SAFEWAY #1234", description: "POS PURCHASE & CASHBACK"},
			last: wantLine{date: "2025-03-10", amount: "-80", reference: "1001", providerID: "2025031003"}},
		{file: "card_ofx2.qfx", format: imports.FormatOFX, currency: "CAD", lines: 3, firstLine: 8,
			first: wantLine{date: "2025-03-12", amount: "-64.99", providerID: "CC-77120",
				payee: "Canadian Tire #44", description: "Hardware"},
			last: wantLine{date: "2025-03-20", amount: "500", description: "PAYMENT - THANK YOU"}},
		{file: "camt053_v02.xml", format: imports.FormatCAMT053, currency: "CHF", lines: 2, firstLine: 7,
			first: wantLine{date: "2025-03-04", amount: "-120.5", currency: "CHF", providerID: "20250304-0001",
				payee: "Swisscom AG", description: "Rechnung 03/2025", reference: "E2E-7781"},
			last: wantLine{date: "2025-03-25", amount: "5400", payee: "Arbeitgeber AG", reference: ""}},
		{file: "camt053_v08.xml", format: imports.FormatCAMT053, currency: "EUR", lines: 2, firstLine: 2,
			first: wantLine{date: "2025-03-02", amount: "-59.9", payee: "Fitness Studio GmbH",
				description: "Mitgliedsbeitrag März 2025", reference: "ABO-2025-03"},
			last: wantLine{date: "2025-03-15", amount: "1000", providerID: "REF-88",
				payee: "Erika Mustermann", description: "Gutschrift"}},
	}
	for _, test := range tests {
		t.Run(test.file, func(t *testing.T) {
			statement := parseFile(t, test.file, imports.Options{})
			if statement.Format != test.format {
				t.Fatalf("format: got %s, want %s", statement.Format, test.format)
			}
			if test.currency != "" && statement.Currency != test.currency {
				t.Errorf("currency: got %q, want %q", statement.Currency, test.currency)
			}
			if len(statement.Lines) != test.lines {
				t.Fatalf("lines: got %d, want %d: %+v", len(statement.Lines), test.lines, statement.Lines)
			}
			if got := statement.Lines[0].Number; got != test.firstLine {
				t.Errorf("first line number: got %d, want %d", got, test.firstLine)
			}
			checkLine(t, statement.Lines[0], test.first)
			checkLine(t, statement.Lines[len(statement.Lines)-1], test.last)
		})
	}
}

func TestGuessCSVMappings(t *testing.T) {
	tests := []struct {
		file string
		want imports.Mapping
	}{
		{"de_sparkasse.csv", imports.Mapping{Delimiter: ";", Encoding: imports.EncodingLatin1, SkipRows: 2,
			Header: true, DateFormat: "DD.MM.YY", Decimal: imports.DecimalComma, Date: "Buchungstag",
			Amount: "Betrag", Description: "Verwendungszweck", Payee: "Begünstigter/Zahlungspflichtiger",
			Currency: "Währung"}},
		{"us_chase.csv", imports.Mapping{Delimiter: ",", Encoding: imports.EncodingUTF8, Header: true,
			DateFormat: "MM/DD/YYYY", Decimal: imports.DecimalDot, Date: "Posting Date", Amount: "Amount",
			Description: "Description"}},
		{"nl_ing.csv", imports.Mapping{Delimiter: ",", Encoding: imports.EncodingUTF8, Header: true,
			DateFormat: "YYYYMMDD", Decimal: imports.DecimalComma, Date: "Datum", Amount: "Bedrag (EUR)",
			Direction: "Af Bij", DebitValue: "Af", Description: "Mededelingen", Payee: "Naam / Omschrijving"}},
		{"uk_debit_credit.csv", imports.Mapping{Delimiter: ",", Encoding: imports.EncodingUTF8, Header: true,
			DateFormat: "DD/MM/YYYY", Decimal: imports.DecimalDot, Date: "Date", Debit: "Paid Out",
			Credit: "Paid In", Description: "Description"}},
		{"no_header.tsv", imports.Mapping{Delimiter: "\t", Encoding: imports.EncodingUTF8,
			DateFormat: "YYYY-MM-DD", Decimal: imports.DecimalDot, Date: "1", Amount: "3", Description: "2"}},
	}
	for _, test := range tests {
		t.Run(test.file, func(t *testing.T) {
			head, err := os.ReadFile(filepath.Join("testdata", test.file))
			if err != nil {
				t.Fatal(err)
			}
			got := imports.GuessCSV(head).Mapping
			// Columns the test does not name are not checked.
			if test.want.Reference == "" {
				got.Reference = ""
			}
			if test.want.Payee == "" {
				got.Payee = ""
			}
			if test.want.Currency == "" {
				got.Currency = ""
			}
			if got != test.want {
				t.Errorf("mapping:\n got %+v\nwant %+v", got, test.want)
			}
		})
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	mapping := imports.Mapping{Delimiter: ",", Encoding: imports.EncodingUTF8, Header: true,
		DateFormat: "YYYY-MM-DD", Decimal: imports.DecimalDot, Date: "Date", Amount: "Amount",
		Description: "Text"}
	tests := []struct {
		name    string
		input   string
		options imports.Options
		want    string
	}{
		{"BadAmount", "Date,Amount,Text\n2025-01-01,1.00,a\n2025-01-02,12x,b\n", imports.Options{Mapping: &mapping},
			`line 3, column 2: column 2 (Amount): "12x" is not an amount`},
		{"BadDate", "Date,Amount,Text\n2025-01-01,1.00,a\n2025-13-45,1,b\n", imports.Options{Mapping: &mapping},
			`line 3, column 1: column 1 (Date): "2025-13-45" is not a date`},
		{"LongLine", "Date,Amount,Text\n2025-01-01,1.00," + strings.Repeat("x", 40000) + "\n",
			imports.Options{Mapping: &mapping}, "line 2: the line is longer than"},
		{"NotUTF8", "Date,Amount,Text\n2025-01-01,1.00,caf\xe9\n", imports.Options{Mapping: &mapping},
			"line 2, column 17: the text is not UTF-8"},
		{"OFXBadAmount", "OFXHEADER:100\n\n<OFX>\n<STMTRS><CURDEF>EUR\n<BANKTRANLIST>\n<STMTTRN>\n<TRNTYPE>DEBIT\n" +
			"<DTPOSTED>20250101\n<TRNAMT>abc\n<FITID>1\n</STMTTRN>\n", imports.Options{},
			"line 6: transaction: <TRNAMT>abc is not an amount"},
		{"OFXDeep", "<OFX>" + strings.Repeat("<A>", 40), imports.Options{}, "line 1: elements nest deeper than 32"},
		{"CAMTBroken", "<?xml version=\"1.0\"?>\n<Document><BkToCstmrStmt><Stmt>\n<Ntry><Amt>1</Amt></Stmt>", imports.Options{},
			"line 3: the XML is not well-formed"},
		{"CAMTDeep", "<Document><BkToCstmrStmt>" + strings.Repeat("<x>", 40), imports.Options{},
			"line 1, column"},
		{"CAMTNoIndicator", "<Document><BkToCstmrStmt><Stmt>\n<Ntry><Amt Ccy=\"EUR\">1</Amt><CdtDbtInd>X</CdtDbtInd>" +
			"<BookgDt><Dt>2025-01-01</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>", imports.Options{},
			"line 2: entry: <CdtDbtInd>X is neither CRDT nor DBIT"},
		{"WiseBadDate", "\"TransferWise ID\",Date,Amount,Currency,Description,\"Running Balance\"\n" +
			"TRANSFER-1,31-02-2025x,1.00,EUR,x,1\n", imports.Options{}, "line 2, column 2: column 2 (date)"},
		{"Empty", "  \n", imports.Options{}, "the file is empty"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := imports.Parse(strings.NewReader(test.input), test.options)
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Fatalf("got %v, want an error containing %q", err, test.want)
			}
		})
	}
}
