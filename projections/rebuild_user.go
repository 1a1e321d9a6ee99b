package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RebuildUser replaces one user's rows in the live tables of the given
// projections (all when none are given) with rows derived from a fresh fold,
// in one transaction. It locks the user's stream, so the user's appends wait
// until it commits; readers keep seeing the old rows until then.
func RebuildUser(ctx context.Context, pool *pgxpool.Pool, userID uuid.UUID, chosen ...Projection) (int64, error) {
	tables := tableSet(chosen)
	var events int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT 1 FROM streams WHERE user_id = $1 FOR UPDATE`, userID)
		if err != nil {
			return fmt.Errorf("lock stream: %w", err)
		}
		events, err = replaceUserRows(ctx, tx, liveSchema, userID, tables)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild read models of %s: %w", userID, err)
	}
	return events, nil
}

// replaceUserRows deletes a user's rows from tables in schema s and writes
// rows derived from a fold of the user's events. It returns the number of
// events folded.
func replaceUserRows(ctx context.Context, tx pgx.Tx, s schema, userID uuid.UUID, tables map[string]bool) (int64, error) {
	for table := range tables {
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.table(table)+` WHERE user_id = $1`, userID); err != nil {
			return 0, fmt.Errorf("clear %s: %w", table, err)
		}
	}
	books, err := Fold(ctx, tx, userID, 0)
	if err != nil {
		return 0, err
	}
	if err := copyModel(ctx, tx, s, userID, derive(books), tables); err != nil {
		return 0, err
	}
	if err := copyExtensions(ctx, tx, s, userID, books, tables); err != nil {
		return 0, err
	}
	return books.Version, nil
}

// tableSet returns the tables of the chosen projections, or of all.
func tableSet(chosen []Projection) map[string]bool {
	if len(chosen) == 0 {
		chosen = All
	}
	tables := map[string]bool{}
	for _, projection := range chosen {
		for _, table := range projection.Tables {
			tables[table] = true
		}
	}
	return tables
}
