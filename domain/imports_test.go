package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

func importLine(f *fixture, line int, key, date, amount string) domain.ImportLine {
	value := decimal.RequireFromString(amount)
	return domain.ImportLine{Line: line, Keys: []string{key}, Entry: domain.Entry{
		Date: domain.MustDate(date), Description: "line " + key,
		Postings: []domain.Posting{
			{AccountID: f.bank, Amount: value, Currency: "EUR"},
			{AccountID: f.groceries, Amount: value.Neg(), Currency: "EUR"},
		}}}
}

func importOf(f *fixture, lines ...domain.ImportLine) domain.ImportStatement {
	return domain.ImportStatement{AccountID: f.bank, Source: "csv", FileName: "march.csv",
		FileSHA256: strings.Repeat("ab", 32), ImportedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Lines: lines}
}

func importedOf(t *testing.T, events []domain.Event) domain.StatementImported {
	t.Helper()
	summary, ok := events[len(events)-1].(domain.StatementImported)
	if !ok {
		t.Fatalf("last event: got %T, want StatementImported", events[len(events)-1])
	}
	return summary
}

func TestImportStatementSkipsKnownLines(t *testing.T) {
	f := newFixture(t)
	first := importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10"), importLine(f, 3, "k2", "2026-02-02", "-20"))
	events := run(t, f.books, f.newID, first)
	summary := importedOf(t, events)
	if len(events) != 3 || len(summary.Transactions) != 2 || summary.Duplicates != 0 {
		t.Fatalf("first import: got %d events, %+v", len(events), summary)
	}

	again := importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10"), importLine(f, 3, "k2", "2026-02-02", "-20"),
		importLine(f, 4, "k3", "2026-02-03", "-30"))
	events = run(t, f.books, f.newID, again)
	summary = importedOf(t, events)
	if len(summary.Transactions) != 1 || summary.Duplicates != 2 {
		t.Fatalf("overlapping import: got %+v, want 1 new and 2 duplicates", summary)
	}
	if got := len(f.books.Transactions()); got != 3 {
		t.Fatalf("transactions: got %d, want 3", got)
	}
	if got := f.books.Balance(f.bank)["EUR"].String(); got != "-60" {
		t.Fatalf("bank balance: got %s, want -60", got)
	}
}

func TestImportStatementSameKeyTwiceInOneFile(t *testing.T) {
	f := newFixture(t)
	cmd := importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10"), importLine(f, 3, "k1", "2026-02-01", "-10"))
	plan, err := domain.PlanImport(f.books, cmd)
	if err != nil || plan.New != 1 || plan.Duplicates != 1 {
		t.Fatalf("plan: got %+v %v, want 1 new and 1 duplicate", plan, err)
	}
}

func TestImportStatementAllOrNothing(t *testing.T) {
	f := newFixture(t)
	bad := importLine(f, 3, "k2", "2026-02-02", "-20")
	bad.Entry.Postings[1].Amount = decimal.RequireFromString("21") // does not balance
	cmd := importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10"), bad, importLine(f, 4, "k3", "2026-02-03", "-5"))

	_, err := domain.Decide(f.books, cmd, f.newID)
	if domain.ErrorCode(err) != domain.CodeInvalid || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("got %v, want an invalid error naming line 3", err)
	}
	plan, _ := domain.PlanImport(f.books, cmd)
	if plan.New != 2 || plan.Fail != 1 || plan.Lines[1].Status != domain.LineFailed {
		t.Fatalf("plan: got %+v", plan)
	}
}

func TestImportStatementRejections(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *fixture, cmd *domain.ImportStatement)
		want   string
	}{
		{"UnknownAccount", func(f *fixture, cmd *domain.ImportStatement) { cmd.AccountID = uuid.New() },
			"choose one of your accounts"},
		{"ExpenseAccount", func(f *fixture, cmd *domain.ImportStatement) { cmd.AccountID = f.groceries },
			"asset or liability"},
		{"NoKeys", func(f *fixture, cmd *domain.ImportStatement) { cmd.Lines[0].Keys = nil }, "line 2"},
		{"LongKey", func(f *fixture, cmd *domain.ImportStatement) {
			cmd.Lines[0].Keys = []string{strings.Repeat("k", 201)}
		}, "line 2"},
		{"BadHash", func(f *fixture, cmd *domain.ImportStatement) { cmd.FileSHA256 = "xyz" }, "hash"},
		{"LockedDate", func(f *fixture, cmd *domain.ImportStatement) {
			run(t, f.books, f.newID, domain.SetLockDate{LockDate: domain.MustDate("2026-03-01")})
		}, "locked"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			f := newFixture(t)
			cmd := importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10"))
			test.change(f, &cmd)
			version := f.books.Version
			_, err := domain.Decide(f.books, cmd, f.newID)
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Fatalf("got %v, want an error containing %q", err, test.want)
			}
			if f.books.Version != version {
				t.Fatalf("books changed")
			}
		})
	}
}

func TestUndoImportVoidsAndReleasesKeys(t *testing.T) {
	f := newFixture(t)
	cmd := importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10"), importLine(f, 3, "k2", "2026-02-02", "-20"))
	summary := importedOf(t, run(t, f.books, f.newID, cmd))
	run(t, f.books, f.newID, domain.VoidTransaction{TransactionID: summary.Transactions[0].TransactionID})

	events := run(t, f.books, f.newID, domain.UndoImport{ImportID: summary.ImportID})
	if len(events) != 2 {
		t.Fatalf("undo: got %d events, want one void and the undo", len(events))
	}
	if balance := f.books.Balance(f.bank); len(balance) != 0 {
		t.Fatalf("bank after undo: got %v, want nothing", balance)
	}
	imported, _ := f.books.Import(summary.ImportID)
	if !imported.Undone || f.books.ImportKeyKnown("k1") {
		t.Fatalf("import after undo: %+v, key known %v", imported, f.books.ImportKeyKnown("k1"))
	}
	if _, err := domain.Decide(f.books, domain.UndoImport{ImportID: summary.ImportID}, f.newID); domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatalf("second undo: got %v, want conflict", err)
	}
	if _, err := domain.Decide(f.books, domain.UndoImport{ImportID: uuid.New()}, f.newID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("unknown import: got %v, want not found", err)
	}

	again := importedOf(t, run(t, f.books, f.newID, cmd))
	if len(again.Transactions) != 2 {
		t.Fatalf("re-import after undo: got %d new, want 2", len(again.Transactions))
	}
}

func TestImportEventsRoundTrip(t *testing.T) {
	f := newFixture(t)
	events := run(t, f.books, f.newID, importOf(f, importLine(f, 2, "k1", "2026-02-01", "-10")))
	events = append(events, run(t, f.books, f.newID, domain.UndoImport{ImportID: importedOf(t, events).ImportID})...)

	replayed := domain.NewBooks()
	for _, event := range f.allEvents(t, events) {
		eventType, version, payload, err := domain.EncodeEvent(event)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := domain.DecodeEvent(eventType, version, payload)
		if err != nil {
			t.Fatal(err)
		}
		if err := replayed.Apply(decoded); err != nil {
			t.Fatal(err)
		}
	}
	imports := replayed.Imports()
	if len(imports) != 1 || !imports[0].Undone || imports[0].FileName != "march.csv" ||
		!imports[0].ImportedAt.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("replayed imports: %+v", imports)
	}
}

// allEvents rebuilds the fixture's whole history: the events that opened the
// books and accounts, then extra.
func (f *fixture) allEvents(t *testing.T, extra []domain.Event) []domain.Event {
	t.Helper()
	events := []domain.Event{domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1}}
	for _, account := range f.books.Accounts() {
		events = append(events, domain.AccountOpened{AccountID: account.ID, Name: account.Name,
			Type: account.Type, Currency: account.Currency})
	}
	return append(events, extra...)
}
