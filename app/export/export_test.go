package export_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/export"
	"folio/app/export/randombooks"
	"folio/domain"
)

func TestCSVNeutralisesFormulasButKeepsAmountsNumeric(t *testing.T) {
	var buffer bytes.Buffer
	w := export.NewCSV(&buffer)
	texts := []string{"=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "plain", "", "a=b"}
	for _, text := range texts {
		if err := w.Row(export.Text(text), export.Number(decimal.RequireFromString("-12.5"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buffer).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, record := range records {
		want := texts[i]
		if want != "" && strings.ContainsRune("=+-@\t\r\n", rune(want[0])) {
			want = "'" + want
		}
		if record[0] != want {
			t.Errorf("text %q: got %q, want %q", texts[i], record[0], want)
		}
		if record[1] != "-12.50" {
			t.Errorf("amount: got %q, want -12.50 unchanged", record[1])
		}
	}
}

func TestAccountNamesAreDistinctAndValidInBothFormats(t *testing.T) {
	books := domain.NewBooks()
	newID := func() uuid.UUID { return uuid.New() }
	run := func(cmd domain.Command) {
		events, err := domain.Decide(books, cmd, newID)
		if err != nil {
			t.Fatal(err)
		}
		for _, event := range events {
			if err := books.Apply(event); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(domain.OpenBooks{BaseCurrency: "EUR", FiscalYearStartMonth: 1})
	for _, name := range []string{"Food:", "Food", "Food-2", "credit card", "Credit-Card", "ßpar", "家賃", "!!!",
		"Bank: Joint", "O'Neil"} {
		run(domain.OpenAccount{Name: name, Type: domain.Expense})
	}
	beancountComponent := regexp.MustCompile(`^[\p{Lu}\p{Nd}][\p{L}\p{Nd}-]*$`)
	for format, names := range map[string]map[uuid.UUID]string{
		"journal":   export.JournalAccountNames(books),
		"beancount": export.BeancountAccountNames(books),
	} {
		seen := map[string]bool{}
		for _, account := range books.Accounts() {
			name := names[account.ID]
			if seen[strings.ToLower(name)] {
				t.Errorf("%s: %q is used twice", format, name)
			}
			seen[strings.ToLower(name)] = true
			if !strings.HasPrefix(name, "Expenses:") || strings.Contains(name, "  ") || strings.HasSuffix(name, ":") {
				t.Errorf("%s: %q for %q is not a valid name", format, name, account.Name)
			}
			if format != "beancount" {
				continue
			}
			for _, component := range strings.Split(name, ":")[1:] {
				if !beancountComponent.MatchString(component) {
					t.Errorf("beancount: component %q of %q (from %q) is not valid", component, name, account.Name)
				}
			}
		}
	}
	journal := export.JournalAccountNames(books)
	food, _ := books.AccountByName("Food")
	joint, _ := books.AccountByName("Bank: Joint")
	if journal[food.ID] != "Expenses:Food-2" || journal[joint.ID] != "Expenses:Bank:Joint" {
		t.Errorf("got %q and %q, want Expenses:Food-2 (Food: came first) and Expenses:Bank:Joint",
			journal[food.ID], journal[joint.ID])
	}
}

func TestJournalKeepsEveryTransactionOnItsOwnLines(t *testing.T) {
	generated := randombooks.Generate(randombooks.Options{Seed: 3, Transactions: 200,
		Start: domain.MustDate("2025-01-01"), Days: 365})
	var journal, beancount bytes.Buffer
	if err := export.WriteJournal(&journal, generated.Books); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteBeancount(&beancount, generated.Books); err != nil {
		t.Fatal(err)
	}
	transactionLine := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \* \(\) [^;]*  ; folio-id: [0-9a-f-]{36}(, [^,]+:)*$`)
	counted := 0
	for _, line := range strings.Split(journal.String(), "\n") {
		if len(line) > 0 && line[0] >= '0' && line[0] <= '9' {
			counted++
			if !transactionLine.MatchString(line) {
				t.Errorf("transaction line %q: a description or payee leaked into the comment", line)
			}
		}
	}
	voided := 0
	for _, txn := range generated.Books.Transactions() {
		if txn.Voided {
			voided++
		}
	}
	if want := len(generated.Books.Transactions()) - voided; counted != want {
		t.Errorf("journal has %d transactions, want %d", counted, want)
	}
	if !strings.Contains(beancount.String(), `"=HYPERLINK(\"x\")"`) {
		t.Error("beancount strings do not escape quotes")
	}
}
