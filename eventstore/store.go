package eventstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/domain"
	"folio/eventstore/pgtypes"
)

// appendEventsMax bounds one append so that a single command cannot hold a
// stream lock for long or build an unbounded transaction.
const appendEventsMax = 100_000

// Projector applies freshly appended events to read models inside the
// append's transaction. An error aborts the append.
type Projector interface {
	Apply(ctx context.Context, tx pgx.Tx, events []RecordedEvent) error
}

// Store is the PostgreSQL event store. It is safe for concurrent use.
type Store struct {
	pool      *pgxpool.Pool
	projector Projector
	now       func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock replaces the clock that stamps recorded_at (for tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithProjector sets the inline projector run inside every append.
func WithProjector(projector Projector) Option { return func(s *Store) { s.projector = projector } }

// New returns a Store on pool.
func New(pool *pgxpool.Pool, options ...Option) *Store {
	store := &Store{pool: pool, now: time.Now}
	for _, option := range options {
		option(store)
	}
	return store
}

// Pool returns the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// AppendRequest is one command's events for one user's stream.
type AppendRequest struct {
	UserID uuid.UUID
	// ExpectedVersion is the stream version the command was decided
	// against, or AnyVersion.
	ExpectedVersion int64
	CommandID       uuid.UUID
	ActorID         uuid.UUID
	RequestID       string
	Events          []domain.Event
}

// AppendResult says which versions a command's events received.
type AppendResult struct {
	FirstVersion int64
	LastVersion  int64
	// Duplicate is true when the command id had been appended before; the
	// versions are then those of the first append and nothing was stored.
	Duplicate bool
}

// Append stores the request's events atomically at the end of the user's
// stream and runs the inline projector in the same transaction. It returns a
// *VersionConflictError when the stream is not at ExpectedVersion.
func (s *Store) Append(ctx context.Context, req AppendRequest) (AppendResult, error) {
	if req.CommandID == uuid.Nil {
		return AppendResult{}, errors.New("append: a command id is required")
	}
	if len(req.Events) > appendEventsMax {
		return AppendResult{}, fmt.Errorf("append: %d events exceed the limit of %d", len(req.Events), appendEventsMax)
	}
	var result AppendResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		result, err = s.appendInTx(ctx, tx, req)
		return err
	})
	if err != nil {
		return AppendResult{}, fmt.Errorf("append events for %s: %w", req.UserID, err)
	}
	return result, nil
}

func (s *Store) appendInTx(ctx context.Context, tx pgx.Tx, req AppendRequest) (AppendResult, error) {
	head, err := lockStream(ctx, tx, req.UserID)
	if err != nil {
		return AppendResult{}, err
	}
	if previous, found, err := findCommand(ctx, tx, req.UserID, req.CommandID); err != nil || found {
		return previous, err
	}
	if req.ExpectedVersion != AnyVersion && req.ExpectedVersion != head.version {
		return AppendResult{}, &VersionConflictError{UserID: req.UserID, Expected: req.ExpectedVersion, Actual: head.version}
	}
	if len(req.Events) == 0 {
		return AppendResult{FirstVersion: head.version + 1, LastVersion: head.version}, nil
	}
	recorded, err := s.chain(req, head)
	if err != nil {
		return AppendResult{}, err
	}
	if err := insertEvents(ctx, tx, recorded); err != nil {
		return AppendResult{}, err
	}
	last := recorded[len(recorded)-1]
	result := AppendResult{FirstVersion: head.version + 1, LastVersion: last.Version}
	if err := recordCommand(ctx, tx, req, result, last.Hash); err != nil {
		return AppendResult{}, err
	}
	if s.projector != nil {
		if err := s.projector.Apply(ctx, tx, recorded); err != nil {
			return AppendResult{}, fmt.Errorf("project: %w", err)
		}
	}
	return result, nil
}

// CommandResult returns what an earlier append of the command id stored,
// or false when the id is new. A retry of a command can then answer with
// the first result instead of being decided again against books that it
// already changed.
func (s *Store) CommandResult(ctx context.Context, userID, commandID uuid.UUID) (AppendResult, bool, error) {
	result := AppendResult{Duplicate: true}
	err := s.pool.QueryRow(ctx,
		`SELECT first_version, last_version FROM commands WHERE user_id = $1 AND command_id = $2`,
		userID, commandID).Scan(&result.FirstVersion, &result.LastVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return AppendResult{}, false, nil
	}
	if err != nil {
		return AppendResult{}, false, fmt.Errorf("find command %s: %w", commandID, err)
	}
	return result, true, nil
}

type streamHead struct {
	version int64
	hash    []byte
}

// lockStream creates the user's stream row if needed and locks it for the
// rest of the transaction, serialising appends to this stream only.
func lockStream(ctx context.Context, tx pgx.Tx, userID uuid.UUID) (streamHead, error) {
	var head streamHead
	_, err := tx.Exec(ctx, `INSERT INTO streams (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, userID)
	if err != nil {
		return head, fmt.Errorf("create stream: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT version, head_hash FROM streams WHERE user_id = $1 FOR UPDATE`, userID).
		Scan(&head.version, &head.hash)
	if err != nil {
		return head, fmt.Errorf("lock stream: %w", err)
	}
	return head, nil
}

func findCommand(ctx context.Context, tx pgx.Tx, userID, commandID uuid.UUID) (AppendResult, bool, error) {
	result := AppendResult{Duplicate: true}
	err := tx.QueryRow(ctx,
		`SELECT first_version, last_version FROM commands WHERE user_id = $1 AND command_id = $2`,
		userID, commandID).Scan(&result.FirstVersion, &result.LastVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return AppendResult{}, false, nil
	}
	if err != nil {
		return AppendResult{}, false, fmt.Errorf("find command: %w", err)
	}
	return result, true, nil
}

// chain encodes the events, numbers them after head and links their hashes.
func (s *Store) chain(req AppendRequest, head streamHead) ([]RecordedEvent, error) {
	template := RecordedEvent{RecordedAt: s.now().UTC().Truncate(time.Microsecond),
		ActorID: req.ActorID, CommandID: req.CommandID, RequestID: req.RequestID}
	return Chain(req.UserID, head.version, head.hash, template, req.Events)
}

var eventColumns = []string{
	"user_id", "version", "event_type", "schema_version", "payload",
	"recorded_at", "actor_id", "command_id", "request_id", "hash", "subject_id",
}

func insertEvents(ctx context.Context, tx pgx.Tx, events []RecordedEvent) error {
	rows := make([][]any, len(events))
	for i, e := range events {
		// Ids go in as pgtype.UUID: as uuid.UUID, pgx would encode each
		// through its driver.Valuer and a string.
		subject := pgtype.UUID{}
		if id, ok := domain.SubjectOf(e.Event); ok {
			subject = pgUUID(id)
		}
		rows[i] = []any{pgUUID(e.UserID), e.Version, e.Type, e.SchemaVersion, string(e.Payload),
			e.RecordedAt, pgUUID(e.ActorID), pgUUID(e.CommandID), e.RequestID, e.Hash, subject}
	}
	if _, err := pgtypes.CopyFrom(ctx, tx.Conn(), pgx.Identifier{"events"}, eventColumns, rows); err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

func recordCommand(ctx context.Context, tx pgx.Tx, req AppendRequest, result AppendResult, headHash []byte) error {
	_, err := tx.Exec(ctx,
		`INSERT INTO commands (user_id, command_id, first_version, last_version) VALUES ($1, $2, $3, $4)`,
		req.UserID, req.CommandID, result.FirstVersion, result.LastVersion)
	if err != nil {
		return fmt.Errorf("record command: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE streams SET version = $2, head_hash = $3 WHERE user_id = $1`,
		req.UserID, result.LastVersion, headHash)
	if err != nil {
		return fmt.Errorf("advance stream: %w", err)
	}
	return nil
}

func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }
