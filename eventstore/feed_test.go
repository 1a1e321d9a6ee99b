package eventstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/eventstore/pgtest"
)

func newWidePool(t *testing.T, connsMax int32) *pgxpool.Pool {
	t.Helper()
	config, err := pgxpool.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	config.MaxConns = connsMax
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// naiveRead pages by position alone, as a reader of a plain sequence would.
func naiveRead(t *testing.T, pool *pgxpool.Pool, after int64) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT position FROM events WHERE position > $1 ORDER BY position`, after)
	if err != nil {
		t.Fatal(err)
	}
	positions, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return positions
}

// TestFeedNeverSkipsAnEventThatCommitsLate stages the race that breaks a
// position cursor: transaction A takes a position first but commits after
// transaction B. The naive reader moves past A's event for good; ReadAll
// waits for A and then delivers both.
func TestFeedNeverSkipsAnEventThatCommitsLate(t *testing.T) {
	pool := newWidePool(t, 4)
	s := New(pool)
	ctx := context.Background()

	slow, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback(ctx)
	_, err = s.appendInTx(ctx, slow, AppendRequest{UserID: uuid.New(), ExpectedVersion: 0, CommandID: uuid.New(), Events: opened(1)})
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, s, uuid.New(), 0, opened(1)) // B commits while A is open

	naiveSeen := naiveRead(t, pool, 0)
	feedSeen, cursor, err := ReadAll(ctx, pool, Cursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(feedSeen) != 0 {
		t.Fatalf("ReadAll returned %d events while an earlier transaction was in flight", len(feedSeen))
	}
	if err := slow.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	naiveSeen = append(naiveSeen, naiveRead(t, pool, naiveSeen[len(naiveSeen)-1])...)
	if len(naiveSeen) != 1 {
		t.Fatalf("the staged race did not happen: the naive reader saw %v", naiveSeen)
	}
	feedSeen, _, err = ReadAll(ctx, pool, cursor, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(feedSeen) != 2 {
		t.Fatalf("ReadAll delivered %d events, want both", len(feedSeen))
	}
}

func TestFeedDeliversEveryEventOnceUnderConcurrentWriters(t *testing.T) {
	pool := newWidePool(t, 16)
	s := New(pool)
	ctx := context.Background()
	const writers, appendsEach = 8, 25

	var written atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			userID := uuid.New()
			for i := 0; i < appendsEach; i++ {
				events := opened(1 + i%3)
				if i > 0 {
					events = events[1:]
					if len(events) == 0 {
						events = opened(2)[1:]
					}
				}
				_, err := s.Append(ctx, AppendRequest{UserID: userID, ExpectedVersion: AnyVersion, CommandID: uuid.New(), Events: events})
				if err != nil {
					t.Error(err)
					return
				}
				written.Add(int64(len(events)))
			}
		}()
	}
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()

	seen := map[string]int{}
	cursor := Cursor{}
	deadline := time.Now().Add(time.Minute)
	for done := false; !done; {
		select {
		case <-writersDone:
			done = int64(len(seen)) >= written.Load()
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("feed delivered %d of %d events within a minute", len(seen), written.Load())
		}
		events, next, err := ReadAll(ctx, pool, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			seen[fmt.Sprintf("%s/%d", e.UserID, e.Version)]++
		}
		cursor = next
	}
	for key, count := range seen {
		if count != 1 {
			t.Errorf("event %s delivered %d times", key, count)
		}
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(seen) != stored {
		t.Errorf("feed delivered %d distinct events, the table holds %d", len(seen), stored)
	}
}
