// Package migrate brings a database's schema up to date from the SQL files embedded in the
// binary, so that every instance of Folio runs against the schema it was built with.
//
// Migrations are files named NNNN_name.sql in the sql folder, applied in name order, each in its
// own transaction. A file must therefore not contain transaction control (BEGIN, COMMIT) nor
// statements that refuse to run in a transaction (CREATE INDEX CONCURRENTLY). Once applied, a
// file must never change: Apply and Pending fail if its checksum differs from the recorded one.
package migrate

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed sql/*.sql
var embedded embed.FS

// lockKey is the advisory lock every instance takes before migrating. Its value is the ASCII
// code of "folio", so that it is unlikely to clash with locks of other programs in the database.
const lockKey int64 = 0x666f6c696f

// closeTimeout bounds saying goodbye on the dedicated connection.
const closeTimeout = 5 * time.Second

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	name text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now(),
	checksum text NOT NULL
)`

// Apply applies every embedded migration not yet applied and returns the names it applied, in
// order. It holds a PostgreSQL advisory lock on one dedicated connection meanwhile, so that
// instances starting at once never both migrate: the later one waits, then finds nothing to do.
// The wait is bounded only by ctx.
//
// On failure it returns the names applied before the failing file, and an error naming that
// file; the failing file's changes are rolled back.
func Apply(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) ([]string, error) {
	return apply(ctx, pool, logger, files())
}

// Pending returns the names of the embedded migrations not applied yet, in order. Like Apply, it
// fails if an applied file has changed.
func Pending(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	return pending(ctx, pool, files())
}

func files() fs.FS {
	sub, err := fs.Sub(embedded, "sql")
	if err != nil {
		panic(fmt.Sprintf("embedded migrations: %v", err)) // The embed directive guarantees sql/.
	}
	return sub
}

func apply(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger,
	fsys fs.FS) ([]string, error) {
	migrations, err := readMigrations(fsys)
	if err != nil {
		return nil, err
	}
	// An up-to-date database needs nothing but reading schema_migrations, so
	// the app's least-privileged role, which may not create tables, can
	// start. Anything pending is decided again under the lock below.
	if todo, err := unapplied(ctx, pool, migrations); err == nil && len(todo) == 0 {
		return nil, nil
	}

	conn, err := lockedConn(ctx, pool)
	if err != nil {
		return nil, err
	}
	defer closeConn(conn)

	_, err = conn.Exec(ctx, createTable)
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	todo, err := unapplied(ctx, conn, migrations)
	if err != nil {
		return nil, err
	}

	var names []string
	for _, m := range todo {
		started := time.Now()
		err = applyOne(ctx, conn, m)
		if err != nil {
			return names, err
		}
		names = append(names, m.name)
		logger.Info("migration applied", "name", m.name,
			"duration_ms", time.Since(started).Milliseconds())
	}
	return names, nil
}

func pending(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) ([]string, error) {
	migrations, err := readMigrations(fsys)
	if err != nil {
		return nil, err
	}

	todo, err := unapplied(ctx, pool, migrations)
	if err != nil {
		return nil, err
	}

	names := make([]string, 0, len(todo))
	for _, m := range todo {
		names = append(names, m.name)
	}
	return names, nil
}

// lockedConn takes a connection out of the pool for good and acquires the migration lock on it.
// Closing the connection afterwards ends the session, which releases the lock even if unlocking
// would fail, and discards any session setting a migration may have changed.
func lockedConn(ctx context.Context, pool *pgxpool.Pool) (*pgx.Conn, error) {
	pooled, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquire connection to migrate: %w", err)
	}
	conn := pooled.Hijack()

	_, err = conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey)
	if err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	return conn, nil
}

func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	// #nosec G104 -- the connection is being thrown away; a failed goodbye changes nothing
	conn.Close(ctx)
}

// applyOne runs one migration and records it in the same transaction, so that it is either
// applied and recorded or neither.
func applyOne(ctx context.Context, conn *pgx.Conn, m migration) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin migration %s: %w", m.name, err)
	}
	defer tx.Rollback(ctx) // A no-op once committed.

	// Without arguments pgx sends the simple protocol, which accepts many statements at once.
	_, err = tx.Exec(ctx, m.sql)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	_, err = tx.Exec(ctx,
		"INSERT INTO schema_migrations (name, applied_at, checksum) VALUES ($1, now(), $2)",
		m.name, m.checksum)
	if err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}

	err = tx.Commit(ctx)
	if err != nil {
		return fmt.Errorf("commit migration %s: %w", m.name, err)
	}
	return nil
}
