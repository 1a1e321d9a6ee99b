package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
	"folio/eventstore"
)

// The projected_versions read model records the last event version each
// user's read models hold. Comparing it with the streams tells how far the
// read models lag behind the log.

const projectedVersionsTable = "projected_versions"

func init() {
	RegisterExtension(Extension{
		Projection: Projection{Name: "projected_versions", Version: 1, Tables: []string{projectedVersionsTable}},
		Columns:    map[string][]string{projectedVersionsTable: {"user_id", "version"}},
		Apply:      applyProjectedVersion,
		Rows: func(userID uuid.UUID, books *domain.Books) map[string][][]any {
			return map[string][][]any{projectedVersionsTable: {{pgUUID(userID), books.Version}}}
		},
	})
}

func applyProjectedVersion(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
	last := events[len(events)-1]
	table := tables.Name(projectedVersionsTable)
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` (user_id, version) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version`, pgUUID(last.UserID), last.Version)
	if err != nil {
		return fmt.Errorf("record projected version: %w", err)
	}
	return nil
}

// Lag is how far the live read models trail the event log.
type Lag struct {
	Events int64 // events in the log that no read model holds yet
	Users  int64 // users with such events
}

// ReadLag compares every stream's head with the version its read models
// hold. Inline projection keeps it at zero; events restored into the log
// count until a rebuild projects them.
func ReadLag(ctx context.Context, q eventstore.Querier) (Lag, error) {
	var lag Lag
	err := q.QueryRow(ctx, `SELECT coalesce(sum(s.version - coalesce(p.version, 0)), 0)::bigint, count(*)
		FROM streams s LEFT JOIN projected_versions p ON p.user_id = s.user_id
		WHERE s.version > coalesce(p.version, 0)`).Scan(&lag.Events, &lag.Users)
	if err != nil {
		return Lag{}, fmt.Errorf("read projection lag: %w", err)
	}
	return lag, nil
}
