package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// sequentialIDs hands out predictable ids so that tests can name accounts.
func sequentialIDs() func() uuid.UUID {
	n := 0
	return func() uuid.UUID {
		n++
		var id uuid.UUID
		id[15] = byte(n)
		id[14] = byte(n >> 8)
		return id
	}
}

// run decides and applies cmd, failing the test on rejection.
func run(t *testing.T, books *domain.Books, newID func() uuid.UUID, cmd domain.Command) []domain.Event {
	t.Helper()
	events, err := domain.Decide(books, cmd, newID)
	if err != nil {
		t.Fatalf("%s rejected: %v", domain.CommandName(cmd), err)
	}
	for _, event := range events {
		if err := books.Apply(event); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	return events
}

type fixture struct {
	books     *domain.Books
	newID     func() uuid.UUID
	bank      uuid.UUID
	groceries uuid.UUID
	usdCash   uuid.UUID
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{books: domain.NewBooks(), newID: sequentialIDs()}
	run(t, f.books, f.newID, domain.OpenBooks{BaseCurrency: "eur", FiscalYearStartMonth: 1})
	f.bank = openAccount(t, f, "Bank", domain.Asset, "EUR")
	f.groceries = openAccount(t, f, "Groceries", domain.Expense, "")
	f.usdCash = openAccount(t, f, "USD Cash", domain.Asset, "USD")
	return f
}

func openAccount(t *testing.T, f *fixture, name string, accountType domain.AccountType, currency string) uuid.UUID {
	t.Helper()
	events := run(t, f.books, f.newID, domain.OpenAccount{Name: name, Type: accountType, Currency: currency})
	return events[0].(domain.AccountOpened).AccountID
}

func amount(text string) decimal.Decimal { return decimal.RequireFromString(text) }

func (f *fixture) spend(date, value string) domain.Entry {
	return domain.Entry{
		Date:        domain.MustDate(date),
		Description: "Market",
		Postings: []domain.Posting{
			{AccountID: f.groceries, Amount: amount(value), Currency: "EUR"},
			{AccountID: f.bank, Amount: amount(value).Neg(), Currency: "EUR"},
		},
	}
}

func TestDecideRejectsWithReadableReasons(t *testing.T) {
	f := newFixture(t)
	run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-10", "12.50")})
	closed := openAccount(t, f, "Old Bank", domain.Asset, "EUR")
	run(t, f.books, f.newID, domain.CloseAccount{AccountID: closed})

	unbalanced := f.spend("2026-01-11", "10")
	unbalanced.Postings[1].Amount = amount("-9.99")
	unknownAccount := f.spend("2026-01-11", "10")
	unknownAccount.Postings[0].AccountID = uuid.New()
	toClosed := f.spend("2026-01-11", "10")
	toClosed.Postings[1].AccountID = closed
	wrongCurrency := f.spend("2026-01-11", "10")
	wrongCurrency.Postings[0].Currency, wrongCurrency.Postings[1].Currency = "USD", "USD"
	onePosting := f.spend("2026-01-11", "10")
	onePosting.Postings = onePosting.Postings[:1]
	tooPrecise := f.spend("2026-01-11", "0.123456789")
	tooLarge := f.spend("2026-01-11", strings.Repeat("9", 16))
	badPrice := domain.Entry{Date: domain.MustDate("2026-01-11"), Postings: []domain.Posting{
		{AccountID: f.usdCash, Amount: amount("10"), Currency: "USD", Price: &domain.Price{Amount: amount("-1"), Currency: "EUR"}},
		{AccountID: f.bank, Amount: amount("10"), Currency: "EUR"},
	}}

	tests := []struct {
		name    string
		cmd     domain.Command
		code    domain.Code
		message string
	}{
		{"unbalanced postings", domain.RecordTransaction{Entry: unbalanced}, domain.CodeInvalid, "do not balance: they add up to 0.01 EUR"},
		{"unknown account", domain.RecordTransaction{Entry: unknownAccount}, domain.CodeInvalid, "does not exist"},
		{"closed account", domain.RecordTransaction{Entry: toClosed}, domain.CodeInvalid, `"Old Bank" is closed`},
		{"currency the account does not hold", domain.RecordTransaction{Entry: wrongCurrency}, domain.CodeInvalid, "only holds EUR"},
		{"a single posting", domain.RecordTransaction{Entry: onePosting}, domain.CodeInvalid, "at least two postings"},
		{"nine decimals", domain.RecordTransaction{Entry: tooPrecise}, domain.CodeInvalid, "more than 8 decimals"},
		{"sixteen integer digits", domain.RecordTransaction{Entry: tooLarge}, domain.CodeInvalid, "too large"},
		{"negative price", domain.RecordTransaction{Entry: badPrice}, domain.CodeInvalid, "price must be more than zero"},
		{"no date", domain.RecordTransaction{Entry: domain.Entry{}}, domain.CodeInvalid, "enter the date"},
		{"duplicate account name in other case", domain.OpenAccount{Name: "bank", Type: domain.Asset}, domain.CodeConflict, "already exists"},
		{"unknown account type", domain.OpenAccount{Name: "X", Type: "cash"}, domain.CodeInvalid, "not an account type"},
		{"account name with line break", domain.OpenAccount{Name: "a\nb", Type: domain.Asset}, domain.CodeInvalid, "control characters"},
		{"close with a balance", domain.CloseAccount{AccountID: f.bank}, domain.CodeConflict, "still holds -12.5 EUR"},
		{"amend unknown transaction", domain.AmendTransaction{TransactionID: uuid.New(), Entry: f.spend("2026-01-12", "1")}, domain.CodeNotFound, "no such transaction"},
		{"bad fiscal month", domain.ChangeSettings{BaseCurrency: "EUR", FiscalYearStartMonth: 13}, domain.CodeInvalid, "from 1 (January)"},
		{"bad base currency", domain.ChangeSettings{BaseCurrency: "EURO", FiscalYearStartMonth: 1}, domain.CodeInvalid, "not a currency code"},
		{"books opened twice", domain.OpenBooks{BaseCurrency: "EUR", FiscalYearStartMonth: 1}, domain.CodeConflict, "already open"},
		{"void unknown transaction", domain.VoidTransaction{TransactionID: uuid.New()}, domain.CodeNotFound, "no such transaction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			versionBefore := f.books.Version
			events, err := domain.Decide(f.books, tt.cmd, f.newID)
			if err == nil {
				t.Fatalf("accepted, produced %d events", len(events))
			}
			var domainErr *domain.Error
			if !errors.As(err, &domainErr) {
				t.Fatalf("got %T %v, want *domain.Error", err, err)
			}
			if domainErr.Code != tt.code || !strings.Contains(domainErr.Error(), tt.message) {
				t.Errorf("got %s %q, want %s containing %q", domainErr.Code, domainErr.Error(), tt.code, tt.message)
			}
			if f.books.Version != versionBefore {
				t.Errorf("books changed on rejection")
			}
		})
	}
}

func TestLockDateProtectsThePast(t *testing.T) {
	f := newFixture(t)
	recorded := run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-10", "5")})
	txnID := recorded[0].(domain.TransactionRecorded).TransactionID
	run(t, f.books, f.newID, domain.SetLockDate{LockDate: domain.MustDate("2026-01-31")})

	for name, cmd := range map[string]domain.Command{
		"record on the lock date":     domain.RecordTransaction{Entry: f.spend("2026-01-31", "1")},
		"amend a locked transaction":  domain.AmendTransaction{TransactionID: txnID, Entry: f.spend("2026-02-10", "1")},
		"void a locked transaction":   domain.VoidTransaction{TransactionID: txnID},
		"record before the lock date": domain.RecordTransaction{Entry: f.spend("2025-12-31", "1")},
	} {
		if _, err := domain.Decide(f.books, cmd, f.newID); err == nil || !strings.Contains(err.Error(), "locked") {
			t.Errorf("%s: got %v, want a locked-period rejection", name, err)
		}
	}
	run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-02-01", "1")})
}

func TestAmendAndVoidChangeBalancesButKeepHistory(t *testing.T) {
	f := newFixture(t)
	recorded := run(t, f.books, f.newID, domain.RecordTransaction{Entry: f.spend("2026-01-10", "12.50")})
	txnID := recorded[0].(domain.TransactionRecorded).TransactionID

	run(t, f.books, f.newID, domain.AmendTransaction{TransactionID: txnID, Entry: f.spend("2026-03-01", "15.20")})
	if got := f.books.Balance(f.groceries)["EUR"]; !got.Equal(amount("15.20")) {
		t.Fatalf("after amend got %s, want 15.20", got)
	}
	if rows := f.books.TrialBalance(domain.MustDate("2026-02-28")); len(rows) != 0 {
		t.Fatalf("amended date should move the transaction out of February, got %v", rows)
	}
	txn, _ := f.books.Transaction(txnID)
	if txn.Revision != 2 {
		t.Errorf("got revision %d, want 2", txn.Revision)
	}

	run(t, f.books, f.newID, domain.VoidTransaction{TransactionID: txnID, Reason: "duplicate"})
	if balance := f.books.Balance(f.groceries); len(balance) != 0 {
		t.Errorf("voided transaction still counts: %v", balance)
	}
	if _, err := domain.Decide(f.books, domain.VoidTransaction{TransactionID: txnID}, f.newID); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("second void: got %v, want conflict", err)
	}
	run(t, f.books, f.newID, domain.CloseAccount{AccountID: f.groceries})
}

func TestConversionBalancesByPriceWeight(t *testing.T) {
	f := newFixture(t)
	entry := domain.Entry{Date: domain.MustDate("2026-01-10"), Description: "Exchange", Postings: []domain.Posting{
		{AccountID: f.usdCash, Amount: amount("108"), Currency: "USD"},
		{AccountID: f.bank, Amount: amount("-100"), Currency: "EUR", Price: &domain.Price{Amount: amount("1.08"), Currency: "usd"}},
	}}
	run(t, f.books, f.newID, domain.RecordTransaction{Entry: entry})
	weights := f.books.TrialBalanceWeights(domain.Date{})
	for currency, sum := range weights {
		if !sum.IsZero() {
			t.Errorf("weights in %s sum to %s, want 0", currency, sum)
		}
	}
}

func TestStarterChartOpensUsableAccounts(t *testing.T) {
	books := domain.NewBooks()
	events := run(t, books, sequentialIDs(), domain.OpenBooks{BaseCurrency: "CHF", FiscalYearStartMonth: 4, StarterChart: true})
	if len(events) < 10 {
		t.Fatalf("got %d events, want books plus a starter chart", len(events))
	}
	checking, ok := books.AccountByName("checking")
	if !ok || checking.Currency != "CHF" {
		t.Fatalf("got %+v, want a CHF checking account", checking)
	}
	if _, ok := books.AccountByName("Uncategorized"); !ok {
		t.Error("starter chart lacks Uncategorized")
	}
	if books.Settings.FiscalYearStartMonth != 4 {
		t.Errorf("got fiscal start %d, want 4", books.Settings.FiscalYearStartMonth)
	}
}

func TestCommandsBeforeOpeningAreRejected(t *testing.T) {
	_, err := domain.Decide(domain.NewBooks(), domain.OpenAccount{Name: "X", Type: domain.Asset}, sequentialIDs())
	if domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatalf("got %v, want conflict", err)
	}
}
