package projections_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func widePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	config, err := pgxpool.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	config.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// writer appends a user's books straight to the store: books, two
// accounts, then transactions, some of them amended or voided.
type writer struct {
	store   *eventstore.Store
	userID  uuid.UUID
	version int64
	bank    uuid.UUID
	food    uuid.UUID
	txns    []uuid.UUID
}

func newWriter(t *testing.T, store *eventstore.Store) *writer {
	w := &writer{store: store, userID: uuid.New(), bank: uuid.New(), food: uuid.New()}
	w.append(t, domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1},
		domain.AccountOpened{AccountID: w.bank, Name: "Bank", Type: domain.Asset},
		domain.AccountOpened{AccountID: w.food, Name: "Food", Type: domain.Expense})
	return w
}

func (w *writer) append(t *testing.T, events ...domain.Event) {
	t.Helper()
	result, err := w.store.Append(context.Background(), eventstore.AppendRequest{UserID: w.userID,
		ExpectedVersion: w.version, CommandID: uuid.New(), Events: events})
	if err != nil {
		t.Error(err)
		return
	}
	w.version = result.LastVersion
}

func (w *writer) entry(i int) domain.Entry {
	amount := decimal.New(int64(i%997+1), -2)
	return domain.Entry{Date: domain.MustDate("2025-01-01").AddDays(i % 700), Description: fmt.Sprintf("Entry %d", i),
		Postings: []domain.Posting{
			{AccountID: w.food, Amount: amount, Currency: "EUR"},
			{AccountID: w.bank, Amount: amount.Neg(), Currency: "EUR"},
		}}
}

func (w *writer) step(t *testing.T, i int) {
	switch {
	case i%7 == 3 && len(w.txns) > 0:
		w.append(t, domain.TransactionAmended{TransactionID: w.txns[len(w.txns)-1], Entry: w.entry(i)})
	case i%11 == 5 && len(w.txns) > 1:
		id := w.txns[len(w.txns)-2]
		w.txns = append(w.txns[:len(w.txns)-2], w.txns[len(w.txns)-1])
		w.append(t, domain.TransactionVoided{TransactionID: id})
	default:
		id := uuid.New()
		w.txns = append(w.txns, id)
		w.append(t, domain.TransactionRecorded{TransactionID: id, Entry: w.entry(i)})
	}
}

func TestRebuildWhileAppendingLosesNothing(t *testing.T) {
	pool := widePool(t)
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	var writers []*writer
	for u := 0; u < 6; u++ {
		w := newWriter(t, store)
		for i := 0; i < 300; i++ {
			w.step(t, i)
		}
		writers = append(writers, w)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range writers[:3] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 300; ; i++ {
				select {
				case <-stop:
					return
				default:
					w.step(t, i)
				}
			}
		}()
	}
	var phases []string
	report, err := projections.Rebuild(context.Background(), pool, projections.RebuildOptions{
		Progress: func(p projections.Progress) { phases = append(phases, p.Phase) },
	})
	time.Sleep(50 * time.Millisecond) // appends keep landing on the swapped-in tables
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if report.Users != len(writers) || report.Events < 6*300 {
		t.Errorf("report %+v covers too little", report)
	}
	if phases[len(phases)-1] != "done" {
		t.Errorf("progress ended with %v", phases)
	}
	for _, w := range writers {
		diff, err := projections.Verify(context.Background(), pool, w.userID)
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Fatalf("user %s after rebuild under writes: %s", w.userID, diff)
		}
	}
	var leftover int
	_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'folio_rebuild'`).Scan(&leftover)
	if leftover != 0 {
		t.Errorf("%d side tables left behind", leftover)
	}
}

func TestOnlyOneRebuildRunsAtATime(t *testing.T) {
	pool := widePool(t)
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_lock($1)`, int64(0x666f6c696f01)); err != nil {
		t.Fatal(err)
	}
	_, err = projections.Rebuild(context.Background(), pool, projections.RebuildOptions{})
	if !errors.Is(err, projections.ErrRebuildRunning) {
		t.Fatalf("got %v, want ErrRebuildRunning", err)
	}
}

func TestRebuildOneProjectionKeepsTheOthers(t *testing.T) {
	pool := widePool(t)
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	w := newWriter(t, store)
	for i := 0; i < 50; i++ {
		w.step(t, i)
	}
	if _, err := pool.Exec(context.Background(), `DELETE FROM monthly_totals; UPDATE accounts SET name = 'tampered'`); err != nil {
		t.Fatal(err)
	}
	monthly, _ := projections.ByName("monthly_totals")
	if _, err := projections.Rebuild(context.Background(), pool, projections.RebuildOptions{Projections: []projections.Projection{monthly}}); err != nil {
		t.Fatal(err)
	}
	diff, _ := projections.Verify(context.Background(), pool, w.userID)
	if diff == "" || diff[:len("accounts")] != "accounts" {
		t.Fatalf("got %q, want only the untouched accounts table to differ", diff)
	}
	if _, err := projections.RebuildUser(context.Background(), pool, w.userID); err != nil {
		t.Fatal(err)
	}
	if diff, _ := projections.Verify(context.Background(), pool, w.userID); diff != "" {
		t.Fatalf("after user rebuild: %s", diff)
	}
}
