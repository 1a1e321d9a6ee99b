package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/domain"
	"folio/eventstore"
)

// ErrRebuildRunning means another process or request is rebuilding.
var ErrRebuildRunning = errors.New("a rebuild is already running")

const (
	// rebuildLockKey is the advisory lock that lets one rebuild run at a
	// time across every app instance.
	rebuildLockKey = 0x666f6c696f01
	// copyBatchRows is how many rows a rebuild gathers before each COPY.
	copyBatchRows = 20_000
	// Catch-up rounds re-derive the users who wrote while the rebuild ran,
	// without blocking anyone, until few are left for the final locked step.
	catchUpRoundsMax   = 5
	catchUpUsersFinish = 20
)

// Progress reports how far a rebuild has come.
type Progress struct {
	Phase       string // "copy", "index", "catch-up", "swap", "done"
	Events      int64
	EventsTotal int64
}

// RebuildOptions chooses what to rebuild and where to report progress.
type RebuildOptions struct {
	Projections []Projection // all when empty
	Progress    func(Progress)
	Logger      *slog.Logger
}

// RebuildReport summarises a finished rebuild.
type RebuildReport struct {
	Events   int64
	Users    int
	Duration time.Duration
}

// Rebuild rebuilds projections online. It fills fresh tables in a side
// schema from one snapshot of the log while the live tables keep serving
// and taking inline updates, indexes them, re-derives the users who wrote
// in the meantime, and finally, holding a lock that pauses appends (not
// reads) for a moment, catches up the last writers and swaps the tables in
// one transaction.
func Rebuild(ctx context.Context, pool *pgxpool.Pool, options RebuildOptions) (RebuildReport, error) {
	started := time.Now()
	release, err := lockRebuild(ctx, pool)
	if err != nil {
		return RebuildReport{}, err
	}
	defer release()
	defer raiseGCPercent(rebuildGCPercent)()
	r := &rebuild{pool: pool, tables: tableSet(options.Projections), options: options}
	if r.options.Progress == nil {
		r.options.Progress = func(Progress) {}
	}
	if r.options.Logger == nil {
		r.options.Logger = slog.New(slog.DiscardHandler)
	}
	report, err := r.run(ctx)
	if err != nil {
		r.dropSideTables()
		return RebuildReport{}, fmt.Errorf("rebuild: %w", err)
	}
	report.Duration = time.Since(started)
	if err := r.recordState(ctx, report); err != nil {
		return report, err
	}
	r.options.Progress(Progress{Phase: "done", Events: report.Events, EventsTotal: report.Events})
	return report, nil
}

// rebuildGCPercent is the garbage collector's GOGC while a rebuild runs. A
// rebuild allocates gigabytes per million events (decoded events, folded
// books, rows) while its live heap stays near 50 MB, so at the default of
// 100 the collector ran every few dozen megabytes and took a fifth of the
// rebuild's CPU. At 400 the heap may reach five times the live heap, about
// 250 MB, for the rebuild's duration; GOMEMLIMIT, when set, still bounds it.
const rebuildGCPercent = 400

// raiseGCPercent raises GOGC to percent, unless it is higher already or
// off, and returns what puts the previous value back.
func raiseGCPercent(percent int) (restore func()) {
	previous := debug.SetGCPercent(percent)
	if previous < 0 || previous >= percent {
		debug.SetGCPercent(previous)
		return func() {}
	}
	return func() { debug.SetGCPercent(previous) }
}

// lockRebuild takes the cluster-wide rebuild lock on a dedicated connection.
func lockRebuild(ctx context.Context, pool *pgxpool.Pool) (func(), error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("rebuild: acquire connection: %w", err)
	}
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(rebuildLockKey)).Scan(&locked); err != nil {
		conn.Release()
		return nil, fmt.Errorf("rebuild: take lock: %w", err)
	}
	if !locked {
		conn.Release()
		return nil, ErrRebuildRunning
	}
	return func() {
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(rebuildLockKey))
		conn.Release()
	}, nil
}

type rebuild struct {
	pool    *pgxpool.Pool
	tables  map[string]bool
	options RebuildOptions
	copied  map[string]int // rows copied per side table
}

func (r *rebuild) run(ctx context.Context) (RebuildReport, error) {
	if err := r.createSideTables(ctx); err != nil {
		return RebuildReport{}, err
	}
	snapshot, report, err := r.copyAll(ctx)
	if err != nil {
		return report, err
	}
	r.options.Progress(Progress{Phase: "index", Events: report.Events, EventsTotal: report.Events})
	if err := r.indexSideTables(ctx); err != nil {
		return report, err
	}
	r.options.Progress(Progress{Phase: "catch-up", Events: report.Events, EventsTotal: report.Events})
	for round := 0; round < catchUpRoundsMax; round++ {
		var changed int
		if snapshot, changed, err = r.catchUp(ctx, snapshot); err != nil {
			return report, err
		}
		if changed <= catchUpUsersFinish {
			break
		}
	}
	r.options.Progress(Progress{Phase: "swap", Events: report.Events, EventsTotal: report.Events})
	return report, r.swap(ctx, snapshot)
}

func (r *rebuild) createSideTables(ctx context.Context) error {
	if _, err := r.pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+rebuildSchema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	for table := range r.tables {
		side, live := schema(rebuildSchema).table(table), schema(liveSchema).table(table)
		_, err := r.pool.Exec(ctx, `DROP TABLE IF EXISTS `+side+`;
			CREATE TABLE `+side+` (LIKE `+live+` INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
		if err != nil {
			return fmt.Errorf("create %s: %w", side, err)
		}
	}
	return nil
}

func (r *rebuild) dropSideTables() {
	for table := range r.tables {
		_, err := r.pool.Exec(context.Background(), `DROP TABLE IF EXISTS `+schema(rebuildSchema).table(table))
		if err != nil {
			r.options.Logger.Warn("drop rebuild table", "table", table, "error", err)
		}
	}
}

// copyAll folds every user's events from one snapshot and copies the derived
// rows into the side tables. It returns that snapshot.
func (r *rebuild) copyAll(ctx context.Context) (string, RebuildReport, error) {
	var report RebuildReport
	tx, err := r.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return "", report, fmt.Errorf("begin snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	// Reading a large log takes longer than any request may.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return "", report, fmt.Errorf("lift statement timeout: %w", err)
	}
	var snapshot string
	var total int64
	if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text, (SELECT count(*) FROM events)`).Scan(&snapshot, &total); err != nil {
		return "", report, fmt.Errorf("take snapshot: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	writer := newCopyWriter(ctx, r.pool, r.tables)
	defer func() { _ = writer.close() }()
	models := make(chan userModel, 16)
	folded := make(chan error, 1)
	go func() {
		defer close(models)
		folded <- foldAll(ctx, tx, r.tables, models, func(events int64) {
			r.options.Progress(Progress{Phase: "copy", Events: events, EventsTotal: total})
		})
	}()
	for model := range models {
		report.Users++
		report.Events += model.events
		if err := writer.add(model); err != nil {
			cancel()
			for range models { // the cancelled fold stops at its next read
			}
			return "", report, err
		}
	}
	if err := <-folded; err != nil {
		return "", report, err
	}
	err = writer.finish()
	r.copied = writer.copied
	return snapshot, report, err
}

type userModel struct {
	userID uuid.UUID
	events int64
	model  Model
	extra  []tableData // rows of extension tables
}

// foldAll reads the whole log in user order, folds each user's events and
// sends their derived rows.
func foldAll(ctx context.Context, q eventstore.Querier, tables map[string]bool, out chan<- userModel, progress func(int64)) error {
	var current uuid.UUID
	var books *domain.Books
	var seen int64
	send := func() {
		if books != nil {
			out <- userModel{userID: current, events: books.Version, model: derive(books),
				extra: extensionRows(current, books, tables)}
		}
	}
	err := eventstore.ScanAll(ctx, q, func(e eventstore.RecordedEvent) error {
		if books == nil || e.UserID != current {
			send()
			current, books = e.UserID, domain.NewBooks()
		}
		if e.Version != books.Version+1 {
			return fmt.Errorf("event %d of %s follows version %d", e.Version, e.UserID, books.Version)
		}
		if seen++; seen%50_000 == 0 {
			progress(seen)
		}
		return books.Apply(e.Event)
	})
	if err != nil {
		return err
	}
	send()
	return nil
}

// catchUp re-derives, in the side tables, every user who appended events
// that the previous snapshot did not see. It returns the new snapshot.
func (r *rebuild) catchUp(ctx context.Context, previous string) (string, int, error) {
	var snapshot string
	var changed int
	err := pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text`).Scan(&snapshot); err != nil {
			return fmt.Errorf("take snapshot: %w", err)
		}
		var err error
		changed, err = r.replaceChangedUsers(ctx, tx, previous)
		return err
	})
	if err != nil {
		return "", 0, fmt.Errorf("catch up: %w", err)
	}
	return snapshot, changed, nil
}

// replaceChangedUsers re-derives the users with events invisible to the
// snapshot `since` but visible to tx.
func (r *rebuild) replaceChangedUsers(ctx context.Context, tx pgx.Tx, since string) (int, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT user_id FROM events
		WHERE xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)`, since)
	if err != nil {
		return 0, fmt.Errorf("find users who wrote: %w", err)
	}
	users, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, fmt.Errorf("find users who wrote: %w", err)
	}
	for _, userID := range users {
		if _, err := replaceUserRows(ctx, tx, rebuildSchema, userID, r.tables); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

// swap pauses appends, applies what the last snapshot missed and puts the
// side tables in place of the live ones, all in one transaction.
func (r *rebuild) swap(ctx context.Context, snapshot string) error {
	return pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE events IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("pause appends: %w", err)
		}
		if _, err := r.replaceChangedUsers(ctx, tx, snapshot); err != nil {
			return err
		}
		for table := range r.tables {
			side := schema(rebuildSchema).table(table)
			_, err := tx.Exec(ctx, `DROP TABLE `+schema(liveSchema).table(table)+`;
				ALTER TABLE `+side+` SET SCHEMA `+liveSchema)
			if err != nil {
				return fmt.Errorf("swap %s: %w", table, err)
			}
		}
		return nil
	})
}

func (r *rebuild) recordState(ctx context.Context, report RebuildReport) error {
	for _, projection := range All {
		if !r.tables[projection.Tables[0]] {
			continue
		}
		_, err := r.pool.Exec(ctx, `INSERT INTO projection_state (name, version, rebuilt_at, rebuild_duration_ms, rebuilt_events)
			VALUES ($1, $2, now(), $3, $4)
			ON CONFLICT (name) DO UPDATE SET version = $2, rebuilt_at = now(), rebuild_duration_ms = $3, rebuilt_events = $4`,
			projection.Name, projection.Version, report.Duration.Milliseconds(), report.Events)
		if err != nil {
			return fmt.Errorf("record rebuild of %s: %w", projection.Name, err)
		}
	}
	return nil
}
