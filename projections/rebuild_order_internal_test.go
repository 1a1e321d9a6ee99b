package projections

import (
	"bytes"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// TestDeriveOrdersRowsAsTheirIndexes: a rebuild relies on derive's order
// (journal newest first, postings by account and date) for index builds
// that need no sort.
func TestDeriveOrdersRowsAsTheirIndexes(t *testing.T) {
	books := domain.NewBooks()
	random := rand.New(rand.NewPCG(3, 4))
	apply := func(event domain.Event) {
		t.Helper()
		if err := books.Apply(event); err != nil {
			t.Fatal(err)
		}
	}
	apply(domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1})
	var accounts []uuid.UUID
	for range 6 {
		id := uuid.New()
		accounts = append(accounts, id)
		apply(domain.AccountOpened{AccountID: id, Name: id.String(), Type: domain.Expense})
	}
	var recorded []uuid.UUID
	for n := range 500 {
		amount := decimal.New(int64(n+1), -2)
		entry := domain.Entry{Date: domain.MustDate("2024-01-01").AddDays(random.IntN(60)), Description: "entry",
			Postings: []domain.Posting{
				{AccountID: accounts[random.IntN(6)], Amount: amount, Currency: "EUR"},
				{AccountID: accounts[random.IntN(6)], Amount: amount.Neg(), Currency: "EUR"},
			}}
		if n%10 == 9 {
			apply(domain.TransactionAmended{TransactionID: recorded[random.IntN(len(recorded))], Entry: entry})
			continue
		}
		id := uuid.New()
		recorded = append(recorded, id)
		apply(domain.TransactionRecorded{TransactionID: id, Entry: entry})
	}

	model := derive(books)
	for i := 1; i < len(model.Journal); i++ {
		a, b := model.Journal[i-1], model.Journal[i]
		if a.Date.Before(b.Date) || (a.Date == b.Date && a.RecordedVersion < b.RecordedVersion) {
			t.Fatalf("journal row %d (%s, %d) comes before (%s, %d)", i, a.Date, a.RecordedVersion, b.Date, b.RecordedVersion)
		}
	}
	for i := 1; i < len(model.Postings); i++ {
		a, b := model.Postings[i-1], model.Postings[i]
		byAccount := bytes.Compare(a.AccountID[:], b.AccountID[:])
		if byAccount > 0 || byAccount == 0 && (b.Date.Before(a.Date) ||
			a.Date == b.Date && a.RecordedVersion > b.RecordedVersion) {
			t.Fatalf("posting %d is out of account and date order", i)
		}
	}
	if len(model.Journal) != len(recorded) || len(model.Postings) != 2*len(recorded) {
		t.Fatalf("%d journal rows and %d postings for %d transactions", len(model.Journal), len(model.Postings), len(recorded))
	}
}

func TestRaiseGCPercentKeepsAHigherOne(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	restore := raiseGCPercent(400)
	if now := debug.SetGCPercent(400); now != 400 {
		t.Fatalf("GOGC is %d while raised, want 400", now)
	}
	restore()
	if now := debug.SetGCPercent(800); now != 100 {
		t.Fatalf("GOGC is %d after restore, want 100", now)
	}
	raiseGCPercent(400)()
	if now := debug.SetGCPercent(-1); now != 800 {
		t.Fatalf("a GOGC of 800 became %d", now)
	}
	raiseGCPercent(400)()
	if now := debug.SetGCPercent(100); now != -1 {
		t.Fatalf("GOGC=off became %d", now)
	}
}
