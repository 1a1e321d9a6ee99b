package projections_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

// queryBooks is a user's books written straight to the store for the read queries: the
// writer's Bank (asset) and Food (expense), and Card (liability) and Salary (income).
type queryBooks struct {
	*writer
	pool   *pgxpool.Pool
	card   uuid.UUID
	salary uuid.UUID
}

func newQueryBooks(t *testing.T, pool *pgxpool.Pool) *queryBooks {
	t.Helper()
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	b := &queryBooks{writer: newWriter(t, store), pool: pool, card: uuid.New(), salary: uuid.New()}
	b.append(t, domain.AccountOpened{AccountID: b.card, Name: "card", Type: domain.Liability},
		domain.AccountOpened{AccountID: b.salary, Name: "Salary", Type: domain.Income})
	return b
}

// spend records amount moved from the account from to Food.
func (b *queryBooks) spend(t *testing.T, date, description, payee, amount string,
	from uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	value := decimal.RequireFromString(amount)
	b.append(t, domain.TransactionRecorded{TransactionID: id, Entry: domain.Entry{
		Date: domain.MustDate(date), Description: description, Payee: payee,
		Postings: []domain.Posting{
			{AccountID: b.food, Amount: value, Currency: "EUR"},
			{AccountID: from, Amount: value.Neg(), Currency: "EUR"},
		}}})
	return id
}

func TestAccountsInStatementOrderWithBalances(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	books := newQueryBooks(t, pool)
	other := newQueryBooks(t, pool)
	books.spend(t, "2026-01-02", "Market", "", "12.50", books.bank)
	books.spend(t, "2026-01-03", "Cafe", "", "3", books.card)
	voided := books.spend(t, "2026-01-04", "Oops", "", "100", books.bank)
	books.append(t, domain.TransactionVoided{TransactionID: voided})

	accounts, err := projections.Accounts(ctx, pool, books.userID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, account := range accounts {
		got = append(got, fmt.Sprintf("%s %s %v", account.Type, account.Name, account.Balances))
	}
	want := []string{"asset Bank map[EUR:-12.5]", "liability card map[EUR:-3]",
		"income Salary map[]", "expense Food map[EUR:15.5]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}

	account, err := projections.Account(ctx, pool, books.userID, books.card)
	if err != nil || account.Name != "card" {
		t.Errorf("got %+v, %v; want the card", account, err)
	}
	for name, id := range map[string]uuid.UUID{"another user's": other.card, "made-up": uuid.New()} {
		_, err := projections.Account(ctx, pool, books.userID, id)
		if domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("%s account: got %v, want not found", name, err)
		}
	}
}

func TestJournalFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	books := newQueryBooks(t, pool)
	other := newQueryBooks(t, pool)
	other.spend(t, "2026-01-05", "Market of another user", "", "1", other.bank)
	// ids are newest first, as the journal lists them: by date, and the later recorded
	// first on the same date (the juice before the rent).
	var ids []uuid.UUID
	for i, spend := range []struct{ date, description, payee, amount string }{
		{"2026-01-01", "Market", "Corner shop", "10"},
		{"2026-01-05", "Rent", "Landlord", "800"},
		{"2026-01-05", "100% juice", "", "2"},
		{"2026-01-09", "Market", "corner SHOP", "12.5"},
		{"2026-02-01", "Dinner_out", "", "40"},
	} {
		from := books.bank
		if i == 2 {
			from = books.card
		}
		id := books.spend(t, spend.date, spend.description, spend.payee, spend.amount, from)
		ids = append([]uuid.UUID{id}, ids...)
	}
	voided := books.spend(t, "2026-01-06", "Market voided", "", "5", books.bank)
	books.append(t, domain.TransactionVoided{TransactionID: voided})
	twelveFifty := decimal.RequireFromString("12.50")

	tests := []struct {
		name   string
		filter projections.JournalFilter
		want   []uuid.UUID
	}{
		{"everything", projections.JournalFilter{}, ids},
		{"text in description or payee, any case", projections.JournalFilter{Text: "corner"},
			[]uuid.UUID{ids[1], ids[4]}},
		{"percent sign taken literally", projections.JournalFilter{Text: "100%"},
			[]uuid.UUID{ids[2]}},
		{"percent sign matches only itself", projections.JournalFilter{Text: "0%j"}, nil},
		{"underscore taken literally", projections.JournalFilter{Text: "r_o"},
			[]uuid.UUID{ids[0]}},
		{"underscore matches only itself", projections.JournalFilter{Text: "r_s"}, nil},
		{"account", projections.JournalFilter{AccountID: books.card}, []uuid.UUID{ids[2]}},
		{"another user's account", projections.JournalFilter{AccountID: other.bank}, nil},
		{"date range", projections.JournalFilter{From: domain.MustDate("2026-01-05"),
			To: domain.MustDate("2026-01-09")}, ids[1:4]},
		{"amount", projections.JournalFilter{Amount: &twelveFifty}, []uuid.UUID{ids[1]}},
		{"voided too", projections.JournalFilter{Text: "market", IncludeVoided: true},
			[]uuid.UUID{ids[1], voided, ids[4]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := projections.Journal(ctx, pool, books.userID, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := entryIDs(page.Entries); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if page.Next != nil {
				t.Errorf("got a next page after %v", page.Next)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		var got []uuid.UUID
		filter := projections.JournalFilter{Limit: 2}
		for pages := 0; pages < 10; pages++ {
			page, err := projections.Journal(ctx, pool, books.userID, filter)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, entryIDs(page.Entries)...)
			if page.Next == nil {
				break
			}
			filter.After, err = projections.ParseJournalCursor(page.Next.String())
			if err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("got %v, want %v", got, ids)
		}
	})
}

func entryIDs(entries []projections.JournalEntry) []uuid.UUID {
	var ids []uuid.UUID
	for _, entry := range entries {
		ids = append(ids, entry.TransactionID)
	}
	return ids
}

func TestTransactionOfOneUser(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	books := newQueryBooks(t, pool)
	other := newQueryBooks(t, pool)
	id := books.spend(t, "2026-01-02", "Market", "Corner shop", "12.50", books.bank)
	books.append(t, domain.TransactionVoided{TransactionID: id})

	entry, err := projections.Transaction(ctx, pool, books.userID, id)
	if err != nil {
		t.Fatal(err)
	}
	if !entry.Voided || entry.Payee != "Corner shop" || len(entry.Postings) != 2 ||
		entry.Postings[0].AccountName != "Food" || entry.Postings[1].AccountType != domain.Asset {
		t.Errorf("got %+v, want the voided market with its two postings", entry)
	}
	_, err = projections.Transaction(ctx, pool, other.userID, id)
	if domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("another user's transaction: got %v, want not found", err)
	}
}

func TestRegisterRunningBalance(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	books := newQueryBooks(t, pool)
	other := newQueryBooks(t, pool)
	books.spend(t, "2026-01-01", "First", "", "10", books.bank)
	books.spend(t, "2026-01-03", "Third", "", "30", books.bank)
	books.spend(t, "2026-01-02", "Second", "", "20", books.bank)
	voided := books.spend(t, "2026-01-04", "Voided", "", "1000", books.bank)
	books.append(t, domain.TransactionVoided{TransactionID: voided})
	books.spend(t, "2026-01-05", "On the card", "", "7", books.card)

	var got []string
	var after *projections.RegisterCursor
	for pages := 0; pages < 10; pages++ {
		page, err := projections.Register(ctx, pool, books.userID, books.bank, 2, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range page.Lines {
			got = append(got, fmt.Sprintf("%s %s %s", line.Description, line.Amount, line.Balance))
		}
		if page.Next == nil {
			break
		}
		after, err = projections.ParseRegisterCursor(page.Next.String())
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Third -30 -60", "Second -20 -30", "First -10 -10"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}

	_, err := projections.Register(ctx, pool, other.userID, books.bank, 2, nil)
	if domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("another user's register: got %v, want not found", err)
	}
}

func TestPeriodTotals(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	books := newQueryBooks(t, pool)
	books.append(t, domain.TransactionRecorded{TransactionID: uuid.New(), Entry: domain.Entry{
		Date: domain.MustDate("2026-02-01"), Description: "Pay", Postings: []domain.Posting{
			{AccountID: books.bank, Amount: decimal.NewFromInt(2000), Currency: "EUR"},
			{AccountID: books.salary, Amount: decimal.NewFromInt(-2000), Currency: "EUR"},
		}}})
	books.spend(t, "2026-01-31", "January", "", "1", books.bank)
	books.spend(t, "2026-02-10", "February", "", "20", books.bank)
	books.spend(t, "2026-02-28", "February", "", "5", books.card)
	voided := books.spend(t, "2026-02-15", "Voided", "", "1000", books.bank)
	books.append(t, domain.TransactionVoided{TransactionID: voided})
	books.spend(t, "2026-03-01", "March", "", "300", books.bank)

	totals, err := projections.PeriodTotals(ctx, pool, books.userID,
		domain.MustDate("2026-02-01"), domain.MustDate("2026-02-14"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(totals[domain.Income], totals[domain.Expense], totals[domain.Asset],
		totals[domain.Liability])
	want := "map[EUR:-2000] map[EUR:25] map[EUR:1980] map[EUR:-5]"
	if got != want {
		t.Errorf("got %s, want %s (whole months, voided left out)", got, want)
	}
}

func TestCursorsRoundTrip(t *testing.T) {
	journal := projections.JournalCursor{Date: domain.MustDate("2026-01-31"), RecordedVersion: 42}
	parsed, err := projections.ParseJournalCursor(journal.String())
	if err != nil || *parsed != journal {
		t.Errorf("journal cursor: got %v, %v; want %v", parsed, err, journal)
	}
	register := projections.RegisterCursor{Date: domain.MustDate("2026-01-31"), RecordedVersion: 42,
		Line: 3}
	parsedRegister, err := projections.ParseRegisterCursor(register.String())
	if err != nil || *parsedRegister != register {
		t.Errorf("register cursor: got %v, %v; want %v", parsedRegister, err, register)
	}

	for _, text := range []string{"", "2026-01-31", "2026-01-31_x", "2026-02-30_1", "2026-01-31_0",
		"2026-01-31_-4"} {
		if _, err := projections.ParseJournalCursor(text); domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("journal cursor %q: got %v, want invalid", text, err)
		}
	}
	for _, text := range []string{"", "2026-01-31_1", "2026-01-31_1_x", "x_1_1"} {
		if _, err := projections.ParseRegisterCursor(text); domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("register cursor %q: got %v, want invalid", text, err)
		}
	}
}
