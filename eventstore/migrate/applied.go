package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// querier is what both a pool and a single connection offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// unapplied returns the migrations not yet recorded in schema_migrations, after checking that
// every recorded one still has its recorded checksum.
func unapplied(ctx context.Context, q querier, migrations []migration) ([]migration, error) {
	applied, err := appliedChecksums(ctx, q)
	if err != nil {
		return nil, err
	}

	var changed []error
	var result []migration
	for _, m := range migrations {
		checksum, done := applied[m.name]
		switch {
		case !done:
			result = append(result, m)
		case checksum != m.checksum:
			changed = append(changed, fmt.Errorf("migration %s changed after it was applied "+
				"(checksum %s, applied %s): add a new migration instead", m.name, m.checksum, checksum))
		}
	}
	if len(changed) > 0 {
		return nil, errors.Join(changed...)
	}
	return result, nil
}

// appliedChecksums maps applied migrations' names to their checksums. A database without the
// schema_migrations table has none applied.
func appliedChecksums(ctx context.Context, q querier) (map[string]string, error) {
	var exists bool
	err := q.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("look for schema_migrations: %w", err)
	}
	applied := make(map[string]string)
	if !exists {
		return applied, nil
	}

	rows, err := q.Query(ctx, "SELECT name, checksum FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	var name, checksum string
	_, err = pgx.ForEachRow(rows, []any{&name, &checksum}, func() error {
		applied[name] = checksum
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}
