package projections

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"folio/eventstore/pgtypes"
)

// indexSideTables gives each side table the primary key, unique constraints
// and indexes of its live table, under the same names, after the bulk copy:
// building an index once is much faster than maintaining it row by row.
//
// Every index is built on its own connection, those over the most rows first and
// at most indexBuildsMax at once, whatever table it belongs to: built table
// by table, the journal postings' two indexes ran one after the other on one
// core while the other had finished its tables. Keys are built as unique
// indexes, which can be built beside another index of the same table, and
// then attached as constraints, which takes a moment.
func (r *rebuild) indexSideTables(ctx context.Context) error {
	var builds []indexBuild
	remaining := map[string]int{} // builds still to finish, per table
	for table := range r.tables {
		tableBuilds, err := indexBuilds(ctx, r.pool, table)
		if err != nil {
			return err
		}
		builds = append(builds, tableBuilds...)
		remaining[table] = len(tableBuilds)
	}
	// The builds over the most rows first: sorting them is most of the work.
	slices.SortStableFunc(builds, func(a, b indexBuild) int {
		return cmp.Compare(r.copied[b.table], r.copied[a.table])
	})
	group, ctx := errgroup.WithContext(ctx)
	group.SetLimit(indexBuildsMax)
	var mu sync.Mutex
	finished := func(table string) bool {
		mu.Lock()
		defer mu.Unlock()
		remaining[table]--
		return remaining[table] == 0
	}
	for table, n := range remaining {
		if n == 0 {
			group.Go(func() error { return r.finishTable(ctx, table, builds) })
		}
	}
	for _, build := range builds {
		group.Go(func() error {
			if err := r.runIndexStatements(ctx, build.table, build.create); err != nil {
				return err
			}
			if !finished(build.table) {
				return nil
			}
			// The table's last index: attach its constraints and analyze it
			// while other tables' indexes are still being built.
			return r.finishTable(ctx, build.table, builds)
		})
	}
	return group.Wait()
}

// finishTable attaches a side table's constraints to their built indexes
// and analyzes the table.
func (r *rebuild) finishTable(ctx context.Context, table string, builds []indexBuild) error {
	var statements []string
	for _, build := range builds {
		if build.table == table && build.attach != "" {
			statements = append(statements, build.attach)
		}
	}
	statements = append(statements, `ANALYZE `+schema(rebuildSchema).table(table))
	return r.runIndexStatements(ctx, table, statements...)
}

// indexBuildsMax bounds the index builds in progress: enough to keep both
// cores of a small server busy while one build writes its index out.
const indexBuildsMax = 3

// runIndexStatements runs statements in one transaction, with room to sort
// in memory and no statement timeout: the app's 30 s bound on any one
// statement is for requests, and an index over ten million postings takes
// longer to build.
func (r *rebuild) runIndexStatements(ctx context.Context, table string, statements ...string) error {
	return pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '`+indexMemory+`'; SET LOCAL max_parallel_maintenance_workers = 0;
			SET LOCAL statement_timeout = 0`); err != nil {
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
const indexMemory = "512MB"

// indexBuild is one index of a side table: the statement that builds it
// and, for a primary key or unique constraint, the one that attaches it.
type indexBuild struct {
	table          string
	create, attach string
}

// indexBuilds reads the live table's constraints and indexes from the
// catalog and rewrites them for the side table.
func indexBuilds(ctx context.Context, pool *pgxpool.Pool, table string) ([]indexBuild, error) {
	live := schema(liveSchema).table(table)
	side := schema(rebuildSchema).table(table)
	rows, err := pool.Query(ctx, `
		SELECT pg_get_indexdef(i.indexrelid),
			coalesce('ALTER TABLE ' || $2 || ' ADD CONSTRAINT ' || quote_ident(c.conname) ||
				CASE c.contype WHEN 'p' THEN ' PRIMARY KEY' ELSE ' UNIQUE' END ||
				' USING INDEX ' || quote_ident(c.conname), '')
		FROM pg_index i
		LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
		WHERE i.indrelid = $1::regclass`, live, side)
	if err != nil {
		return nil, fmt.Errorf("read indexes of %s: %w", table, err)
	}
	builds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (indexBuild, error) {
		build := indexBuild{table: table}
		err := row.Scan(&build.create, &build.attach)
		return build, err
	})
	if err != nil {
		return nil, fmt.Errorf("read indexes of %s: %w", table, err)
	}
	// pg_get_indexdef qualifies the table without quotes, as our plain
	// lower-case names need none; the index name itself is unqualified, so
	// the index lands in the side table's schema.
	for i := range builds {
		builds[i].create = strings.Replace(builds[i].create, " ON "+liveSchema+"."+table+" ",
			" ON "+rebuildSchema+"."+table+" ", 1)
	}
	return builds, nil
}

// copyWriter gathers derived rows of many users and hands each table's rows,
// a batch at a time, to a goroutine of that table that writes them with
// COPY. Tables are written concurrently, at most copyWritersMax at once, each
// on a connection of its own: one writer at a time left the fold waiting
// while pgx encoded one table and PostgreSQL took in another.
type copyWriter struct {
	pool      *pgxpool.Pool
	tables    map[string]bool
	batchRows int            // rows of a table sent on together
	copied    map[string]int // rows queued per table
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
	return &copyWriter{pool: pool, tables: tables, batchRows: copyBatchRows, pending: map[string]*tableData{}, copied: map[string]int{},
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
		w.copied[table.name] += len(table.rows)
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
	var tx pgx.Tx
	defer func() {
		if tx != nil { // closing without a commit rolls back
			_ = tx.Conn().Close(context.Background())
		}
	}()
	for batch := range batches {
		select {
		case w.slots <- struct{}{}:
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
		var err error
		if tx == nil {
			tx, err = w.begin(name)
		}
		if err == nil {
			_, err = pgtypes.CopyFrom(w.ctx, tx.Conn(), pgx.Identifier{rebuildSchema, name}, columns, batch.rows)
		}
		<-w.slots
		if err != nil {
			return fmt.Errorf("copy into %s: %w", name, err)
		}
	}
	if tx == nil {
		return nil
	}
	if err := tx.Commit(w.ctx); err != nil {
		return fmt.Errorf("copy into %s: %w", name, err)
	}
	return nil
}

// begin opens a table's own connection, outside the pool, and a
// transaction on it that empties the side table: every batch of the table
// goes into that transaction, and PostgreSQL appends rows to a table whose
// storage the transaction created without looking for free space in earlier
// pages (nor, at wal_level minimal, writing WAL for them). The rows then lie
// in the order they were sent, which spares the index builds that follow
// their sort. Through pool connections, batches landed in gaps that earlier
// batches had left, out of order. Outside the pool, a writer waiting for
// batches holds no connection that others need.
func (w *copyWriter) begin(table string) (pgx.Tx, error) {
	conn, err := pgx.ConnectConfig(w.ctx, w.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	pgtypes.Register(conn.TypeMap())
	tx, err := conn.Begin(w.ctx)
	if err == nil {
		_, err = tx.Exec(w.ctx, `SET LOCAL statement_timeout = 0; TRUNCATE `+schema(rebuildSchema).table(table))
	}
	if err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("begin: %w", err)
	}
	return tx, nil
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
