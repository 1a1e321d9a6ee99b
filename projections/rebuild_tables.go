package projections

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// indexSideTables gives each side table the primary key, unique constraints
// and indexes of its live table, under the same names, after the bulk copy:
// building an index once is much faster than maintaining it row by row.
// Tables are indexed concurrently, each on its own connection.
func (r *rebuild) indexSideTables(ctx context.Context) error {
	group, ctx := errgroup.WithContext(ctx)
	for table := range r.tables {
		group.Go(func() error { return r.indexSideTable(ctx, table) })
	}
	return group.Wait()
}

func (r *rebuild) indexSideTable(ctx context.Context, table string) error {
	statements, err := indexStatements(ctx, r.pool, table)
	if err != nil {
		return err
	}
	statements = append(statements, `ANALYZE `+schema(rebuildSchema).table(table))
	return pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '`+indexMemory+`'`); err != nil {
			return fmt.Errorf("index %s: %w", table, err)
		}
		for _, statement := range statements {
			if _, err := tx.Exec(ctx, statement); err != nil {
				return fmt.Errorf("index %s: %w", table, err)
			}
		}
		return nil
	})
}

// indexMemory lets each index build sort in memory.
const indexMemory = "256MB"

// indexStatements reads the live table's constraints and indexes from the
// catalog and rewrites them for the side table.
func indexStatements(ctx context.Context, pool *pgxpool.Pool, table string) ([]string, error) {
	live := schema(liveSchema).table(table)
	side := schema(rebuildSchema).table(table)
	rows, err := pool.Query(ctx, `
		SELECT 'ALTER TABLE ' || $2 || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u')
		UNION ALL
		SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
		WHERE i.indrelid = $1::regclass
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, live, side)
	if err != nil {
		return nil, fmt.Errorf("read indexes of %s: %w", table, err)
	}
	statements, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read indexes of %s: %w", table, err)
	}
	// pg_get_indexdef qualifies the table without quotes, as our plain
	// lower-case names need none.
	for i, statement := range statements {
		statements[i] = strings.Replace(statement, " ON "+liveSchema+"."+table+" ",
			" ON "+rebuildSchema+"."+table+" ", 1)
	}
	return statements, nil
}

// copyWriter gathers derived rows of many users and writes them to the side
// tables with one COPY per table and batch.
type copyWriter struct {
	pool    *pgxpool.Pool
	tables  map[string]bool
	pending map[string]*tableData
	rows    int
}

func newCopyWriter(pool *pgxpool.Pool, tables map[string]bool) *copyWriter {
	return &copyWriter{pool: pool, tables: tables, pending: map[string]*tableData{}}
}

func (w *copyWriter) add(ctx context.Context, user userModel) error {
	for _, table := range append(tableRows(user.userID, user.model), user.extra...) {
		if !w.tables[table.name] {
			continue
		}
		pending := w.pending[table.name]
		if pending == nil {
			pending = &tableData{name: table.name, columns: table.columns}
			w.pending[table.name] = pending
		}
		pending.rows = append(pending.rows, table.rows...)
		w.rows += len(table.rows)
	}
	if w.rows < copyBatchRows {
		return nil
	}
	return w.flush(ctx)
}

func (w *copyWriter) flush(ctx context.Context) error {
	for name, table := range w.pending {
		if len(table.rows) == 0 {
			continue
		}
		_, err := w.pool.CopyFrom(ctx, pgx.Identifier{rebuildSchema, name}, table.columns, pgx.CopyFromRows(table.rows))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", name, err)
		}
		table.rows = table.rows[:0]
	}
	w.rows = 0
	return nil
}
