package projections

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
)

// countExtension keeps, per user, how many transactions count (not voided).
var countExtension = Extension{
	Projection: Projection{Name: "test_counts", Version: 1, Tables: []string{"test_counts"}},
	Columns:    map[string][]string{"test_counts": {"user_id", "transactions"}},
	Apply: func(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
		delta := 0
		for _, e := range events {
			switch e.Event.(type) {
			case domain.TransactionRecorded:
				delta++
			case domain.TransactionVoided:
				delta--
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+tables.Name("test_counts")+` (user_id, transactions) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET transactions = `+tables.Name("test_counts")+`.transactions + $2`,
			events[0].UserID, delta)
		return err
	},
	Rows: func(userID uuid.UUID, books *domain.Books) map[string][][]any {
		count := 0
		for _, txn := range books.Transactions() {
			if !txn.Voided {
				count++
			}
		}
		return map[string][][]any{"test_counts": {{pgUUID(userID), count}}}
	},
}

func withCountExtension(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `CREATE TABLE test_counts (user_id uuid PRIMARY KEY, transactions integer NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	allBefore := All
	RegisterExtension(countExtension)
	t.Cleanup(func() {
		extensionsMu.Lock()
		extensions = extensions[:len(extensions)-1]
		extensionsMu.Unlock()
		All = allBefore
	})
}

func TestExtensionsFollowEveryPath(t *testing.T) {
	pool := pgtest.NewPool(t)
	withCountExtension(t, pool)
	ctx := context.Background()
	store := eventstore.New(pool, eventstore.WithProjector(Projector{}))
	userID, bank, food := uuid.New(), uuid.New(), uuid.New()
	events := []domain.Event{
		domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1},
		domain.AccountOpened{AccountID: bank, Name: "Bank", Type: domain.Asset},
		domain.AccountOpened{AccountID: food, Name: "Food", Type: domain.Expense},
	}
	var txns []uuid.UUID
	for i := 0; i < 5; i++ {
		id := uuid.New()
		txns = append(txns, id)
		events = append(events, domain.TransactionRecorded{TransactionID: id, Entry: domain.Entry{
			Date: domain.MustDate("2026-01-02"), Description: "x", Postings: []domain.Posting{
				{AccountID: food, Amount: decimal.NewFromInt(int64(i + 1)), Currency: "EUR"},
				{AccountID: bank, Amount: decimal.NewFromInt(int64(-i - 1)), Currency: "EUR"},
			}}})
	}
	events = append(events, domain.TransactionVoided{TransactionID: txns[0]})
	if _, err := store.Append(ctx, eventstore.AppendRequest{UserID: userID, CommandID: uuid.New(), Events: events}); err != nil {
		t.Fatal(err)
	}

	assertCount := func(stage string, want int) {
		t.Helper()
		var got int
		if err := pool.QueryRow(ctx, `SELECT transactions FROM test_counts WHERE user_id = $1`, userID).Scan(&got); err != nil || got != want {
			t.Fatalf("%s: got %d (%v), want %d", stage, got, err, want)
		}
		if diff, err := Verify(ctx, pool, userID); err != nil || diff != "" {
			t.Fatalf("%s: verify: %q %v", stage, diff, err)
		}
	}
	assertCount("inline", 4)

	if _, err := pool.Exec(ctx, `UPDATE test_counts SET transactions = 99`); err != nil {
		t.Fatal(err)
	}
	diff, err := Verify(ctx, pool, userID)
	if err != nil || !strings.Contains(diff, "test_counts") {
		t.Fatalf("tampered extension table: got %q %v", diff, err)
	}
	if _, err := RebuildUser(ctx, pool, userID); err != nil {
		t.Fatal(err)
	}
	assertCount("user rebuild", 4)

	if _, err := pool.Exec(ctx, `UPDATE test_counts SET transactions = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := Rebuild(ctx, pool, RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	assertCount("full rebuild", 4)
}
