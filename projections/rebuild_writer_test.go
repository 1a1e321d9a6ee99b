package projections

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore/pgtest"
)

// writerBooks folds a user's books with count two-posting transactions.
func writerBooks(t *testing.T, count int) *domain.Books {
	t.Helper()
	books := domain.NewBooks()
	bank, food := uuid.New(), uuid.New()
	events := []domain.Event{
		domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1},
		domain.AccountOpened{AccountID: bank, Name: "Bank", Type: domain.Asset},
		domain.AccountOpened{AccountID: food, Name: "Food", Type: domain.Expense},
	}
	for i := range count {
		events = append(events, domain.TransactionRecorded{TransactionID: uuid.New(), Entry: domain.Entry{
			Date: domain.MustDate("2026-01-02").AddDays(i % 40), Description: "groceries", Postings: []domain.Posting{
				{AccountID: food, Amount: decimal.NewFromInt(int64(i + 1)), Currency: "EUR"},
				{AccountID: bank, Amount: decimal.NewFromInt(int64(-i - 1)), Currency: "EUR"},
			}}})
	}
	for _, event := range events {
		if err := books.Apply(event); err != nil {
			t.Fatal(err)
		}
	}
	return books
}

func sideTables(t *testing.T, pool *pgxpool.Pool) *rebuild {
	t.Helper()
	r := &rebuild{pool: pool, tables: tableSet(nil)}
	if err := r.createSideTables(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.dropSideTables)
	return r
}

func sideCount(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var count int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+schema(rebuildSchema).table(table)).Scan(&count)
	if err != nil {
		t.Fatal(err)
	}
	return count
}

// TestCopyWriterWritesEveryBatchOfEveryTable sends batches of three rows, so
// that every table's writer starts, takes many batches and finishes with a
// partial one.
func TestCopyWriterWritesEveryBatchOfEveryTable(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := sideTables(t, pool)
	writer := newCopyWriter(context.Background(), pool, r.tables)
	writer.batchRows = 3
	users, transactions := 4, 25
	for range users {
		userID := uuid.New()
		books := writerBooks(t, transactions)
		if err := writer.add(userModel{userID: userID, events: books.Version, model: derive(books),
			extra: extensionRows(userID, books, r.tables)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := writer.finish(); err != nil {
		t.Fatal(err)
	}
	if err := writer.close(); err != nil {
		t.Fatalf("closing again: %v", err)
	}
	for table, want := range map[string]int{"accounts": 2 * users, "journal": transactions * users,
		"journal_postings": 2 * transactions * users} {
		if got := sideCount(t, pool, table); got != want {
			t.Errorf("%s: got %d rows, want %d", table, got, want)
		}
	}
}

// TestCopyWriterStopsAtTheFirstFailedCopy makes one table refuse every row:
// the writer reports that table's error, from add or from finish, and
// neither hangs nor panics when rows keep coming.
func TestCopyWriterStopsAtTheFirstFailedCopy(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := sideTables(t, pool)
	_, err := pool.Exec(context.Background(), `ALTER TABLE `+schema(rebuildSchema).table("journal")+
		` ADD CONSTRAINT refuse_all CHECK (description = 'never')`)
	if err != nil {
		t.Fatal(err)
	}
	writer := newCopyWriter(context.Background(), pool, r.tables)
	writer.batchRows = 3
	var failure error
	for range 20 {
		userID := uuid.New()
		books := writerBooks(t, 10)
		failure = writer.add(userModel{userID: userID, events: books.Version, model: derive(books)})
		if failure != nil {
			break
		}
	}
	if failure == nil {
		failure = writer.finish()
	}
	if failure == nil || !strings.Contains(failure.Error(), "copy into journal") {
		t.Fatalf("got %v, want the journal's copy error", failure)
	}
	if err := writer.close(); err == nil {
		t.Fatal("close after a failure reports no error")
	}
	if err := writer.finish(); err == nil {
		t.Fatal("finish after a failure reports no error")
	}
}

// TestCopyWriterKeepsRowsInSendOrder: every batch of a table goes through
// one server process, so the side table holds its rows in the order they
// were sent, which lets the index builds after the copy skip their sort.
// Through pool connections, a batch on one process left the rest of a page
// that a later batch on another process filled, out of order.
func TestCopyWriterKeepsRowsInSendOrder(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := sideTables(t, pool)
	writer := newCopyWriter(context.Background(), pool, r.tables)
	writer.batchRows = 5
	userIDs := make([]uuid.UUID, 12)
	for i := range userIDs {
		userIDs[i] = uuid.New()
	}
	slices.SortFunc(userIDs, compareIDs) // as a rebuild reads the log
	random := rand.New(rand.NewPCG(5, 6))
	for _, userID := range userIDs {
		books := writerBooks(t, 200)
		model := derive(books)
		for i := range model.Journal { // rows of many sizes leave gaps at page ends
			model.Journal[i].Description = strings.Repeat("x", 1+random.IntN(600))
		}
		if err := writer.add(userModel{userID: userID, events: books.Version, model: model,
			extra: extensionRows(userID, books, r.tables)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := writer.finish(); err != nil {
		t.Fatal(err)
	}
	var outOfOrder, rows int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE k < previous), count(*) FROM (
		SELECT (user_id, -(date - date '2000-01-01'), -recorded_version) AS k,
			lag((user_id, -(date - date '2000-01-01'), -recorded_version)) OVER (ORDER BY ctid) AS previous
		FROM `+schema(rebuildSchema).table("journal")+`) s`).Scan(&outOfOrder, &rows)
	if err != nil || rows != 12*200 || outOfOrder != 0 {
		t.Fatalf("%d of %d journal rows out of order (%v)", outOfOrder, rows, err)
	}
}

// TestRebuildStatementsOutlastTheStatementTimeout: index builds and the
// copy transactions of a rebuild are not cut off by the pool's statement
// timeout, which the app sets for requests.
func TestRebuildStatementsOutlastTheStatementTimeout(t *testing.T) {
	config, err := pgxpool.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	config.ConnConfig.RuntimeParams["statement_timeout"] = "50ms"
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // after the side tables' cleanup, which needs the pool
	slow := `SELECT pg_sleep(0.2)`
	if _, err := pool.Exec(context.Background(), slow); err == nil {
		t.Fatal("the pool's statement timeout did not apply")
	}
	r := sideTables(t, pool)
	if err := r.runIndexStatements(context.Background(), "journal", slow); err != nil {
		t.Fatalf("index statements: %v", err)
	}
	writer := newCopyWriter(context.Background(), pool, r.tables)
	tx, err := writer.begin("journal")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Conn().Close(context.Background())
	if _, err := tx.Exec(context.Background(), slow); err != nil {
		t.Fatalf("copy transaction: %v", err)
	}
}
