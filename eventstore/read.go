package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
)

// Querier is what reads need: a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const selectEvents = `SELECT user_id, version, position, event_type, schema_version, payload,
	recorded_at, actor_id, command_id, request_id, hash FROM events`

// ReadStream calls fn for each of the user's events with a version in
// (afterVersion, uptoVersion], in order; uptoVersion 0 means no upper
// bound. It streams rows, so memory stays flat on long streams.
func ReadStream(ctx context.Context, q Querier, userID uuid.UUID, afterVersion, uptoVersion int64,
	fn func(RecordedEvent) error) error {
	if uptoVersion <= 0 {
		uptoVersion = 1<<63 - 1
	}
	rows, err := q.Query(ctx, selectEvents+` WHERE user_id = $1 AND version > $2 AND version <= $3 ORDER BY version`,
		userID, afterVersion, uptoVersion)
	if err != nil {
		return fmt.Errorf("read stream %s: %w", userID, err)
	}
	return scanEvents(rows, fn)
}

// ReadStream reads one user's events through the store's pool.
func (s *Store) ReadStream(ctx context.Context, userID uuid.UUID, afterVersion, uptoVersion int64,
	fn func(RecordedEvent) error) error {
	return ReadStream(ctx, s.pool, userID, afterVersion, uptoVersion, fn)
}

// StreamVersion returns the user's current stream version (0 for none).
func (s *Store) StreamVersion(ctx context.Context, userID uuid.UUID) (int64, error) {
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM streams WHERE user_id = $1`, userID).Scan(&version)
	if err != nil {
		return 0, fmt.Errorf("stream version of %s: %w", userID, err)
	}
	return version, nil
}

// scanBatchEvents is how many rows travel together between the stages of
// scanEvents; large enough to amortise channel hand-offs, small enough that
// a short read starts delivering at once.
const scanBatchEvents = 256

// errScanStopped tells the reading stage that the consumer has stopped.
var errScanStopped = errors.New("scan stopped")

// scanEvents reads rows of selectEvents, decodes each event and calls fn in
// version order. Reading rows, decoding payloads and fn run on three
// goroutines, so a long stream is folded with every core busy. When fn
// returns an error the reader stops at its next batch and the rows close.
func scanEvents(rows pgx.Rows, fn func(RecordedEvent) error) error {
	done := make(chan struct{})
	raw := make(chan []RecordedEvent, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(raw)
		readErr <- readBatches(rows, raw, done)
	}()
	decoded := make(chan decodedBatch, 4)
	go decodeBatches(raw, decoded)

	var fnErr error
	for batch := range decoded {
		if fnErr != nil {
			continue // drain until the reader notices done
		}
		if fnErr = batch.err; fnErr == nil {
			fnErr = applyBatch(batch.events, fn)
		}
		if fnErr != nil {
			close(done)
		}
	}
	if err := <-readErr; err != nil && !errors.Is(err, errScanStopped) && fnErr == nil {
		return err
	}
	return fnErr
}

func applyBatch(events []RecordedEvent, fn func(RecordedEvent) error) error {
	for _, e := range events {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// readBatches scans rows in batches until they end or done closes.
func readBatches(rows pgx.Rows, out chan<- []RecordedEvent, done <-chan struct{}) error {
	batch := make([]RecordedEvent, 0, scanBatchEvents)
	err := scanRaw(rows, func(e RecordedEvent) error {
		if batch = append(batch, e); len(batch) < scanBatchEvents {
			return nil
		}
		select {
		case out <- batch:
			batch = make([]RecordedEvent, 0, scanBatchEvents)
			return nil
		case <-done:
			return errScanStopped
		}
	})
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		select {
		case out <- batch:
		case <-done:
		}
	}
	return nil
}

type decodedBatch struct {
	events []RecordedEvent
	err    error
}

func decodeBatches(in <-chan []RecordedEvent, out chan<- decodedBatch) {
	defer close(out)
	for events := range in {
		var err error
		for i := range events {
			e := &events[i]
			if e.Event, err = domain.DecodeEvent(e.Type, e.SchemaVersion, e.Payload); err != nil {
				err = fmt.Errorf("event %d of %s: %w", e.Version, e.UserID, err)
				break
			}
		}
		out <- decodedBatch{events: events, err: err}
	}
}

// Cursor is a position in the global feed: the appending transaction's id
// and the event's position within it. The zero Cursor is the start.
type Cursor struct {
	XID      uint64
	Position int64
}

// String encodes the cursor for storage in a checkpoint.
func (c Cursor) String() string {
	return strconv.FormatUint(c.XID, 10) + ":" + strconv.FormatInt(c.Position, 10)
}

// ReadAll returns up to limit events of every user that come after cursor
// in commit-safe order, and the cursor after the last one.
//
// A plain sequence can become visible out of order: a transaction that took
// position 10 may commit after one that took 11, so a reader paging by
// position would skip 10 for good. ReadAll therefore only reads events of
// transactions older than every transaction still in flight
// (pg_snapshot_xmin), ordered by transaction id and position. Nothing can
// later appear before such an event.
func ReadAll(ctx context.Context, q Querier, after Cursor, limit int) ([]RecordedEvent, Cursor, error) {
	rows, err := q.Query(ctx, `SELECT xid::text, `+selectEvents[len("SELECT "):]+`
		WHERE (xid, position) > ($1::text::xid8, $2)
		  AND xid < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY xid, position LIMIT $3`,
		strconv.FormatUint(after.XID, 10), after.Position, limit)
	if err != nil {
		return nil, after, fmt.Errorf("read global feed: %w", err)
	}
	defer rows.Close()
	var events []RecordedEvent
	next := after
	for rows.Next() {
		var e RecordedEvent
		var xidText, payload string
		err := rows.Scan(&xidText, &e.UserID, &e.Version, &e.Position, &e.Type, &e.SchemaVersion, &payload,
			&e.RecordedAt, &e.ActorID, &e.CommandID, &e.RequestID, &e.Hash)
		if err != nil {
			return nil, after, fmt.Errorf("scan global feed: %w", err)
		}
		e.Payload = []byte(payload)
		if e.Event, err = domain.DecodeEvent(e.Type, e.SchemaVersion, e.Payload); err != nil {
			return nil, after, fmt.Errorf("event %d of %s: %w", e.Version, e.UserID, err)
		}
		xid, err := strconv.ParseUint(xidText, 10, 64)
		if err != nil {
			return nil, after, fmt.Errorf("parse xid %q: %w", xidText, err)
		}
		next = Cursor{XID: xid, Position: e.Position}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("read global feed: %w", err)
	}
	return events, next, nil
}

// ScanAll calls fn for every event that q can see, ordered by user and
// version. Rebuilds call it inside a repeatable-read transaction, so that
// they read one consistent snapshot of the whole log.
func ScanAll(ctx context.Context, q Querier, fn func(RecordedEvent) error) error {
	rows, err := q.Query(ctx, selectEvents+` ORDER BY user_id, version`)
	if err != nil {
		return fmt.Errorf("read all events: %w", err)
	}
	return scanEvents(rows, fn)
}
