package metrics

import (
	"context"

	"github.com/jackc/pgx/v5"

	"folio/eventstore"
)

// Projector is an eventstore.Projector in front of another that counts the events it
// projects. The store runs the projector inside every append's transaction, so the count is
// of events appended, less none: an append whose projection fails is not counted. An append
// that fails to commit after its projection succeeded (the connection drops at that moment)
// is counted; that is rare enough for a rate.
type Projector struct {
	Next     eventstore.Projector
	Registry *Registry
}

// Apply projects events through Next and counts them when that succeeds.
func (p Projector) Apply(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	if err := p.Next.Apply(ctx, tx, events); err != nil {
		return err
	}
	p.Registry.EventsAppended(len(events))
	return nil
}
