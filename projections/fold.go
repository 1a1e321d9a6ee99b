package projections

import (
	"context"
	"fmt"

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
