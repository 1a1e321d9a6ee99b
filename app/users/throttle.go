package users

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// failuresForgottenAfter is how long after its last failure a key starts again from zero.
const failuresForgottenAfter = time.Hour

// throttlePruneBatch bounds how many forgotten keys one failure deletes on the way.
const throttlePruneBatch = 100

// ThrottleKey names what failures are counted against: one account, or one client address.
// It is a SHA-256, so the table never holds the email or address itself.
type ThrottleKey [sha256.Size]byte

// AccountKey is the key counting failed sign-ins to the account email.
func AccountKey(email string) ThrottleKey {
	return sha256.Sum256([]byte("account\x00" + NormalizeEmail(email)))
}

// ClientKey is the key counting failures from one client address, under kind (such as
// "login"), so that different actions do not share a budget.
func ClientKey(kind, address string) ThrottleKey {
	return sha256.Sum256([]byte("client\x00" + kind + "\x00" + address))
}

// ThrottlePolicy says how failures turn into waiting. The LockAfter-th failure locks the key
// for Delay; every further failure doubles the lock, up to DelayMax. Failures before that
// cost nothing.
type ThrottlePolicy struct {
	LockAfter int
	Delay     time.Duration
	DelayMax  time.Duration
}

// delayAfter returns the lock that the failures-th failure earns.
func (p ThrottlePolicy) delayAfter(failures int) time.Duration {
	if failures < p.LockAfter {
		return 0
	}

	delay := p.Delay
	for i := p.LockAfter; i < failures && delay < p.DelayMax; i++ {
		delay *= 2
	}
	return min(delay, p.DelayMax)
}

// Throttle counts failures per key in PostgreSQL, so that every app instance sees the same
// counts. It is safe for concurrent use.
type Throttle struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewThrottle returns a Throttle on pool. now is the clock; nil means time.Now.
func NewThrottle(pool *pgxpool.Pool, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{pool: pool, now: now}
}

// Wait returns how long the caller must wait before the next attempt: the longest lock among
// keys, or zero when none is locked.
func (t *Throttle) Wait(ctx context.Context, keys ...ThrottleKey) (time.Duration, error) {
	hashes := make([][]byte, len(keys))
	for i := range keys {
		hashes[i] = keys[i][:]
	}

	var lockedUntil *time.Time
	err := t.pool.QueryRow(ctx, `SELECT max(locked_until) FROM login_throttle WHERE key = ANY($1)`,
		hashes).Scan(&lockedUntil)
	if err != nil {
		return 0, fmt.Errorf("select sign-in throttle: %w", err)
	}
	if lockedUntil == nil {
		return 0, nil
	}
	return max(lockedUntil.Sub(t.now()), 0), nil
}

// Fail counts one failure against key and locks it as policy says.
func (t *Throttle) Fail(ctx context.Context, key ThrottleKey, policy ThrottlePolicy) error {
	now := t.now()

	var failures int
	err := t.pool.QueryRow(ctx, `
		INSERT INTO login_throttle AS t (key, failures, last_failure_at, locked_until)
		VALUES ($1, 1, $2, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN t.last_failure_at < $3 THEN 1 ELSE t.failures + 1 END,
			last_failure_at = $2
		RETURNING failures`, key[:], now, now.Add(-failuresForgottenAfter)).Scan(&failures)
	if err != nil {
		return fmt.Errorf("count sign-in failure: %w", err)
	}

	delay := policy.delayAfter(failures)
	if delay > 0 {
		_, err = t.pool.Exec(ctx, `
			UPDATE login_throttle SET locked_until = greatest(locked_until, $2) WHERE key = $1`,
			key[:], now.Add(delay))
		if err != nil {
			return fmt.Errorf("lock sign-in: %w", err)
		}
	}

	_, err = t.pool.Exec(ctx, `
		DELETE FROM login_throttle WHERE key IN (
			SELECT key FROM login_throttle WHERE last_failure_at < $1 AND locked_until < $2
			LIMIT $3)`, now.Add(-failuresForgottenAfter), now, throttlePruneBatch)
	if err != nil {
		return fmt.Errorf("prune sign-in throttle: %w", err)
	}
	return nil
}

// Clear forgets the failures counted against key, after a successful sign-in.
func (t *Throttle) Clear(ctx context.Context, key ThrottleKey) error {
	_, err := t.pool.Exec(ctx, `DELETE FROM login_throttle WHERE key = $1`, key[:])
	if err != nil {
		return fmt.Errorf("clear sign-in throttle: %w", err)
	}
	return nil
}
