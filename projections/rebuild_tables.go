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

// copyWriter gathers derived rows of many users and hands each table's rows,
// a batch at a time, to a goroutine of that table that writes them with
// COPY. Tables are written concurrently, at most copyWritersMax at once, each
// on a connection of its own while it copies: one writer at a time left the
// fold waiting while pgx encoded one table and PostgreSQL took in another.
type copyWriter struct {
	pool      *pgxpool.Pool
	tables    map[string]bool
	batchRows int // rows of a table sent on together
	pending   map[string]*tableData
	batches   map[string]chan tableData
	slots     chan struct{} // a token per COPY in progress
	group     *errgroup.Group
	ctx       context.Context
	closed    bool
}

// copyWritersMax bounds the COPYs in progress, and so the pool connections
// a rebuild holds for them, whatever the number of tables.
const copyWritersMax = 3

func newCopyWriter(ctx context.Context, pool *pgxpool.Pool, tables map[string]bool) *copyWriter {
	group, ctx := errgroup.WithContext(ctx)
	return &copyWriter{pool: pool, tables: tables, batchRows: copyBatchRows, pending: map[string]*tableData{},
		batches: map[string]chan tableData{}, slots: make(chan struct{}, copyWritersMax),
		group: group, ctx: ctx}
}

// add queues a user's rows, sending every table's rows on once they make a
// batch. It fails with the first error of any table's copy.
func (w *copyWriter) add(user userModel) error {
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
		if len(pending.rows) < w.batchRows {
			continue
		}
		if err := w.send(pending); err != nil {
			return err
		}
	}
	return nil
}

// send hands the table's pending rows to its writer, starting the writer
// on the table's first batch.
func (w *copyWriter) send(pending *tableData) error {
	if w.closed {
		return w.group.Wait()
	}
	batches, started := w.batches[pending.name]
	if !started {
		batches = make(chan tableData, 1)
		w.batches[pending.name] = batches
		name, columns := pending.name, pending.columns
		w.group.Go(func() error { return w.copyBatches(name, columns, batches) })
	}
	batch := *pending
	pending.rows = nil // the batch's rows now belong to the writer
	select {
	case batches <- batch:
		return nil
	case <-w.ctx.Done():
		return w.close()
	}
}

func (w *copyWriter) copyBatches(name string, columns []string, batches <-chan tableData) error {
	for batch := range batches {
		select {
		case w.slots <- struct{}{}:
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
		_, err := w.pool.CopyFrom(w.ctx, pgx.Identifier{rebuildSchema, name}, columns, pgx.CopyFromRows(batch.rows))
		<-w.slots
		if err != nil {
			return fmt.Errorf("copy into %s: %w", name, err)
		}
	}
	return nil
}

// finish sends the rows still pending and waits until every table's rows
// are written.
func (w *copyWriter) finish() error {
	for _, pending := range w.pending {
		if len(pending.rows) == 0 {
			continue
		}
		if err := w.send(pending); err != nil {
			return err
		}
	}
	return w.close()
}

// close stops taking rows and waits for the writers; it returns the first
// error of any of them. It is safe to call again.
func (w *copyWriter) close() error {
	if !w.closed {
		w.closed = true
		for _, batches := range w.batches {
			close(batches)
		}
	}
	return w.group.Wait()
}
