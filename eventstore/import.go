package eventstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
)

// Import stores events that were chained elsewhere (a backup being
// restored, generated books) exactly as given, and moves each stream's head
// to its last event. Each user's events must continue that user's stream
// without a gap and carry hashes that chain. Import runs no projector:
// rebuild the read models afterwards.
func Import(ctx context.Context, tx pgx.Tx, events []RecordedEvent) error {
	byUser := map[uuid.UUID][]RecordedEvent{}
	var order []uuid.UUID
	for _, e := range events {
		if _, seen := byUser[e.UserID]; !seen {
			order = append(order, e.UserID)
		}
		byUser[e.UserID] = append(byUser[e.UserID], e)
	}
	for _, userID := range order {
		if err := importStream(ctx, tx, userID, byUser[userID]); err != nil {
			return err
		}
	}
	return nil
}

func importStream(ctx context.Context, tx pgx.Tx, userID uuid.UUID, events []RecordedEvent) error {
	head, err := lockStream(ctx, tx, userID)
	if err != nil {
		return err
	}
	previous := head.hash
	for i := range events {
		e := &events[i]
		if e.Version != head.version+int64(i)+1 {
			return fmt.Errorf("import %s: event %d does not follow version %d", userID, e.Version, head.version+int64(i))
		}
		if e.Event == nil {
			if e.Event, err = domain.DecodeEvent(e.Type, e.SchemaVersion, e.Payload); err != nil {
				return fmt.Errorf("import %s: event %d: %w", userID, e.Version, err)
			}
		}
		if !bytes.Equal(ChainHash(previous, e), e.Hash) {
			return fmt.Errorf("import %s: event %d does not chain to the one before", userID, e.Version)
		}
		previous = e.Hash
	}
	if err := insertEvents(ctx, tx, events); err != nil {
		return err
	}
	last := events[len(events)-1]
	_, err = tx.Exec(ctx, `UPDATE streams SET version = $2, head_hash = $3 WHERE user_id = $1`, userID, last.Version, last.Hash)
	if err != nil {
		return fmt.Errorf("import %s: advance stream: %w", userID, err)
	}
	return nil
}

// Chain numbers and hashes events for a stream that starts after version
// `after` with hash `previous`, as Append would. Tools that build events
// outside the store (benchmarks, tests) use it with Import.
func Chain(userID uuid.UUID, after int64, previous []byte, template RecordedEvent, events []domain.Event) ([]RecordedEvent, error) {
	recorded := make([]RecordedEvent, len(events))
	for i, event := range events {
		eventType, schemaVersion, payload, err := domain.EncodeEvent(event)
		if err != nil {
			return nil, err
		}
		e := template
		e.UserID, e.Version, e.Type, e.SchemaVersion, e.Payload, e.Event = userID, after+int64(i)+1, eventType, schemaVersion, payload, event
		e.Hash = ChainHash(previous, &e)
		previous = e.Hash
		recorded[i] = e
	}
	return recorded, nil
}
