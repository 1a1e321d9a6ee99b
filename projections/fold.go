package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
	"folio/eventstore"
)

// Fold reads a user's events up to uptoVersion (0: all) and folds them into
// books. It uses only the events, never the read models.
func Fold(ctx context.Context, q eventstore.Querier, userID uuid.UUID, uptoVersion int64) (*domain.Books, error) {
	books := domain.NewBooks()
	err := eventstore.ReadStream(ctx, q, userID, 0, uptoVersion, func(e eventstore.RecordedEvent) error {
		if e.Version != books.Version+1 {
			return fmt.Errorf("event %d of %s follows version %d", e.Version, userID, books.Version)
		}
		return books.Apply(e.Event)
	})
	if err != nil {
		return nil, fmt.Errorf("fold books of %s: %w", userID, err)
	}
	return books, nil
}

// Database is what verification needs: queries and a transaction of its
// own (a pool, or a transaction, which nests as a savepoint).
type Database interface {
	eventstore.Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Verify compares the user's live read models, extensions included, with a
// fresh fold of their events and describes the first difference, or
// returns "". It changes nothing.
func Verify(ctx context.Context, db Database, userID uuid.UUID) (string, error) {
	var diff string
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		books, err := Fold(ctx, tx, userID, 0)
		if err != nil {
			return err
		}
		got, err := Load(ctx, tx, userID)
		if err != nil {
			return err
		}
		if diff = Diff(Derive(books), got); diff != "" {
			return nil
		}
		diff, err = diffExtensions(ctx, tx, userID, books)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("verify read models of %s: %w", userID, err)
	}
	return diff, nil
}

// HistoryPoint is a moment in a user's history: after the event with
// Version, or after the last event recorded before Before. Exactly one is set.
type HistoryPoint struct {
	Version int64
	Before  time.Time
}

var errPointReached = errors.New("history point reached")

// FoldAt folds the user's events up to point, from the events alone.
func FoldAt(ctx context.Context, q eventstore.Querier, userID uuid.UUID, point HistoryPoint) (*domain.Books, error) {
	if point.Before.IsZero() {
		return Fold(ctx, q, userID, point.Version)
	}
	books := domain.NewBooks()
	err := eventstore.ReadStream(ctx, q, userID, 0, 0, func(e eventstore.RecordedEvent) error {
		if !e.RecordedAt.Before(point.Before) {
			return errPointReached
		}
		return books.Apply(e.Event)
	})
	if err != nil && !errors.Is(err, errPointReached) {
		return nil, fmt.Errorf("fold books of %s: %w", userID, err)
	}
	return books, nil
}
