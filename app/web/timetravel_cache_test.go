package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

// cacheTestBook appends books, two accounts and n transactions, some amended or voided, in
// appends of a few events, each a second after the one before.
func cacheTestBook(t *testing.T, store *eventstore.Store, clock *time.Time, n int) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	userID, bank, food := uuid.New(), uuid.New(), uuid.New()
	var version int64
	appendEvents := func(events ...domain.Event) {
		*clock = clock.Add(time.Second)
		result, err := store.Append(ctx, eventstore.AppendRequest{UserID: userID, ExpectedVersion: version,
			CommandID: uuid.New(), Events: events})
		if err != nil {
			t.Fatal(err)
		}
		version = result.LastVersion
	}
	appendEvents(domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1},
		domain.AccountOpened{AccountID: bank, Name: "Bank", Type: domain.Asset},
		domain.AccountOpened{AccountID: food, Name: "Food", Type: domain.Expense})
	var last uuid.UUID
	for i := 0; i < n; i++ {
		amount := decimal.New(int64(i+1), -1)
		entry := domain.Entry{Date: domain.MustDate("2026-01-01").AddDays(i % 40),
			Description: fmt.Sprintf("Entry %d", i), Postings: []domain.Posting{
				{AccountID: food, Amount: amount, Currency: "EUR"},
				{AccountID: bank, Amount: amount.Neg(), Currency: "EUR"}}}
		switch {
		case i%5 == 4:
			appendEvents(domain.TransactionAmended{TransactionID: last, Entry: entry})
		case i%7 == 6:
			appendEvents(domain.TransactionVoided{TransactionID: last})
			last = uuid.New()
			appendEvents(domain.TransactionRecorded{TransactionID: last, Entry: entry})
		default:
			last = uuid.New()
			appendEvents(domain.TransactionRecorded{TransactionID: last, Entry: entry})
		}
	}
	return userID
}

func TestTimeTravelCacheFoldsLikeTheLog(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}),
		eventstore.WithClock(func() time.Time { return clock }))
	ctx := context.Background()
	ann := cacheTestBook(t, store, &clock, 40)
	bob := cacheTestBook(t, store, &clock, 30)
	annLatest, _ := store.StreamVersion(ctx, ann)
	bobLatest, _ := store.StreamVersion(ctx, bob)
	// Room for one book only: folding the other evicts it.
	cache := newTimeTravelCache(int(annLatest)+5, time.Hour)

	check := func(ownerID uuid.UUID, point projections.HistoryPoint, latest int64) {
		t.Helper()
		got, err := cache.foldAt(ctx, pool, ownerID, point, latest)
		if err != nil {
			t.Fatal(err)
		}
		want, err := projections.FoldAt(ctx, pool, ownerID, point)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != want.Version {
			t.Fatalf("%+v: folded %d events, want %d", point, got.Version, want.Version)
		}
		if diff := projections.Diff(projections.Derive(want), projections.Derive(got)); diff != "" {
			t.Fatalf("%+v: %s", point, diff)
		}
	}
	for _, version := range []int64{5, 1, annLatest, 17, annLatest - 1} {
		check(ann, projections.HistoryPoint{Version: version}, annLatest)
	}
	for version := int64(1); version <= bobLatest; version += 3 {
		check(bob, projections.HistoryPoint{Version: version}, bobLatest)
	}
	if _, held := cache.books[ann]; held || cache.events != int(bobLatest) {
		t.Errorf("after folding bob: ann held %v, %d events counted, want only bob's %d", held,
			cache.events, bobLatest)
	}

	started := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, before := range []time.Time{started, started.Add(10 * time.Second),
		started.Add(10*time.Second + time.Millisecond), clock.Add(time.Hour)} {
		check(ann, projections.HistoryPoint{Before: before}, annLatest)
	}

	// Events appended after the cache read the book are caught up.
	newer, err := store.Append(ctx, eventstore.AppendRequest{UserID: ann, ExpectedVersion: annLatest,
		CommandID: uuid.New(), Events: []domain.Event{domain.LockDateSet{LockDate: domain.MustDate("2025-12-31")}}})
	if err != nil {
		t.Fatal(err)
	}
	check(ann, projections.HistoryPoint{Version: newer.LastVersion}, newer.LastVersion)

	// A book larger than the whole cache is folded from the log, and not kept.
	small := newTimeTravelCache(10, time.Hour)
	books, err := small.foldAt(ctx, pool, bob, projections.HistoryPoint{Version: bobLatest}, bobLatest)
	if err != nil || books.Version != bobLatest || len(small.books) != 0 {
		t.Errorf("large book: version %d, err %v, cached %d books", books.Version, err, len(small.books))
	}

	// Idle books are dropped.
	brief := newTimeTravelCache(1000, 10*time.Millisecond)
	if _, err := brief.foldAt(ctx, pool, bob, projections.HistoryPoint{Version: 3}, bobLatest); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	brief.mu.Lock()
	defer brief.mu.Unlock()
	if len(brief.books) != 0 || brief.events != 0 {
		t.Errorf("after the idle period: %d books, %d events held", len(brief.books), brief.events)
	}
}
