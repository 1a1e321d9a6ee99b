package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

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

// Verify compares the user's live read models with a fresh fold of their
// events and describes the first difference, or returns "".
func Verify(ctx context.Context, q eventstore.Querier, userID uuid.UUID) (string, error) {
	books, err := Fold(ctx, q, userID, 0)
	if err != nil {
		return "", err
	}
	got, err := Load(ctx, q, userID)
	if err != nil {
		return "", err
	}
	return Diff(Derive(books), got), nil
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
