package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

func TestLagCountsEventsNoReadModelHoldsUntilARebuild(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))

	projected, g := uuid.New(), &benchBooks{}
	events := g.opening()
	for len(events) < 40 {
		events = append(events, g.next())
	}
	if _, err := store.Append(ctx, eventstore.AppendRequest{UserID: projected, CommandID: uuid.New(), Events: events}); err != nil {
		t.Fatal(err)
	}
	assertLag(t, pool, projections.Lag{})

	// A restore writes events into the log without projecting them.
	restored, g := uuid.New(), &benchBooks{}
	events = g.opening()
	for len(events) < 25 {
		events = append(events, g.next())
	}
	template := eventstore.RecordedEvent{RecordedAt: time.Now().UTC().Truncate(time.Microsecond), CommandID: uuid.New()}
	chained, err := eventstore.Chain(restored, 0, nil, template, events)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return eventstore.Import(ctx, tx, chained) }); err != nil {
		t.Fatal(err)
	}
	assertLag(t, pool, projections.Lag{Events: 25, Users: 1})

	if _, err := projections.RebuildUser(ctx, pool, restored); err != nil {
		t.Fatal(err)
	}
	assertLag(t, pool, projections.Lag{})
	for _, userID := range []uuid.UUID{projected, restored} {
		if diff, err := projections.Verify(ctx, pool, userID); diff != "" || err != nil {
			t.Fatalf("verify %s: %q %v", userID, diff, err)
		}
	}
}

func assertLag(t *testing.T, q eventstore.Querier, want projections.Lag) {
	t.Helper()
	lag, err := projections.ReadLag(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if lag != want {
		t.Fatalf("lag %+v, want %+v", lag, want)
	}
}
