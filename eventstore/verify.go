package eventstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ChainBreak names the first event whose stored hash or version does not
// match what the chain requires.
type ChainBreak struct {
	UserID  uuid.UUID
	Version int64
	Reason  string
}

func (b *ChainBreak) Error() string {
	return fmt.Sprintf("event %d of %s: %s", b.Version, b.UserID, b.Reason)
}

var errStopScan = errors.New("stop scan")

// VerifyChain recomputes the user's hash chain from the stored rows and
// returns the first break, or nil when every event and the stream head
// match. An event whose payload no longer decodes counts as a break too.
func VerifyChain(ctx context.Context, q Querier, userID uuid.UUID) (*ChainBreak, error) {
	var previous []byte
	var expected int64 = 1
	var found *ChainBreak
	rows, err := q.Query(ctx, selectEvents+` WHERE user_id = $1 ORDER BY version`, userID)
	if err != nil {
		return nil, fmt.Errorf("verify chain of %s: %w", userID, err)
	}
	err = scanRaw(rows, func(e RecordedEvent) error {
		if found = checkLink(e, expected, previous); found != nil {
			return errStopScan
		}
		previous, expected = e.Hash, expected+1
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return nil, fmt.Errorf("verify chain of %s: %w", userID, err)
	}
	if found != nil {
		return found, nil
	}
	if found, err = checkHead(ctx, q, userID, expected-1, previous); found != nil || err != nil {
		return found, err
	}
	return checkSubjects(ctx, q, userID)
}

// checkSubjects finds the first event whose subject_id column, which the
// hash does not cover, disagrees with the subject its hashed payload names.
// It runs after the chain holds, so every payload is the JSON that was
// appended.
func checkSubjects(ctx context.Context, q Querier, userID uuid.UUID) (*ChainBreak, error) {
	var version int64
	err := q.QueryRow(ctx, `SELECT version FROM events WHERE user_id = $1
		AND subject_id IS DISTINCT FROM (CASE WHEN event_type IN ('TransactionRecorded', 'TransactionAmended',
			'TransactionVoided', 'AccountOpened', 'AccountRenamed', 'AccountClosed', 'AccountReopened')
			THEN coalesce(payload::jsonb ->> 'transaction_id', payload::jsonb ->> 'account_id')::uuid END)
		ORDER BY version LIMIT 1`, userID).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check event subjects of %s: %w", userID, err)
	}
	return &ChainBreak{UserID: userID, Version: version, Reason: "subject column does not match the event's payload"}, nil
}

func checkLink(e RecordedEvent, expectedVersion int64, previous []byte) *ChainBreak {
	if e.Version != expectedVersion {
		return &ChainBreak{UserID: e.UserID, Version: expectedVersion, Reason: fmt.Sprintf("missing: the next stored event is %d", e.Version)}
	}
	if !bytes.Equal(ChainHash(previous, &e), e.Hash) {
		return &ChainBreak{UserID: e.UserID, Version: e.Version, Reason: "hash does not match its content and the previous hash"}
	}
	return nil
}

func checkHead(ctx context.Context, q Querier, userID uuid.UUID, lastVersion int64, lastHash []byte) (*ChainBreak, error) {
	var version int64
	var hash []byte
	err := q.QueryRow(ctx, `SELECT version, head_hash FROM streams WHERE user_id = $1`, userID).Scan(&version, &hash)
	if err != nil {
		if lastVersion == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("read stream head of %s: %w", userID, err)
	}
	if version != lastVersion || !bytes.Equal(hash, lastHash) {
		return &ChainBreak{UserID: userID, Version: version,
			Reason: fmt.Sprintf("stream head (version %d) does not match the last stored event (version %d)", version, lastVersion)}, nil
	}
	return nil, nil
}

// scanRaw is scanEvents without decoding, so that verification reports a
// tampered payload as a chain break rather than failing on it.
func scanRaw(rows pgx.Rows, fn func(RecordedEvent) error) error {
	defer rows.Close()
	for rows.Next() {
		var e RecordedEvent
		var payload string
		err := rows.Scan(&e.UserID, &e.Version, &e.Position, &e.Type, &e.SchemaVersion, &payload,
			&e.RecordedAt, &e.ActorID, &e.CommandID, &e.RequestID, &e.Hash)
		if err != nil {
			return fmt.Errorf("scan event: %w", err)
		}
		e.Payload = []byte(payload)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Users returns the id of every user that has a stream.
func Users(ctx context.Context, q Querier) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT user_id FROM streams ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	defer rows.Close()
	var users []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan stream: %w", err)
		}
		users = append(users, id)
	}
	return users, rows.Err()
}
