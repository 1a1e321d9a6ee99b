package users_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"folio/app/users"
	"folio/eventstore/pgtest"
)

// clock is a settable time source for tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &clock{now: time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)}
	throttle := users.NewThrottle(pgtest.NewPool(t), clock.Now)
	policy := users.ThrottlePolicy{LockAfter: 3, Delay: time.Second, DelayMax: 4 * time.Second}
	account := users.AccountKey("Ada@Example.org")
	client := users.ClientKey("login", "192.0.2.1")

	wait := func(keys ...users.ThrottleKey) time.Duration {
		t.Helper()
		got, err := throttle.Wait(ctx, keys...)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		return got
	}
	fail := func(key users.ThrottleKey) {
		t.Helper()
		err := throttle.Fail(ctx, key, policy)
		if err != nil {
			t.Fatalf("Fail: %v", err)
		}
	}

	if got := wait(account, client); got != 0 {
		t.Errorf("Wait before any failure: got %v, want 0", got)
	}

	// The third failure locks, then the lock doubles up to its maximum.
	wantWaits := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second,
		4 * time.Second}
	for i, want := range wantWaits {
		fail(account)
		if got := wait(account, client); got != want {
			t.Errorf("Wait after failure %d: got %v, want %v", i+1, got, want)
		}
	}
	if got := wait(users.AccountKey("ada@example.org")); got != 4*time.Second {
		t.Errorf("Wait for the same email in other letters: got %v, want 4s", got)
	}
	if got := wait(client); got != 0 {
		t.Errorf("Wait for an untouched key: got %v, want 0", got)
	}

	clock.Advance(3 * time.Second)
	if got := wait(account); got != time.Second {
		t.Errorf("Wait 3s later: got %v, want 1s", got)
	}

	err := throttle.Clear(ctx, account)
	if err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if got := wait(account); got != 0 {
		t.Errorf("Wait after Clear: got %v, want 0", got)
	}

	// Failures an hour old are forgotten: counting starts again.
	for range 3 {
		fail(client)
	}
	clock.Advance(2 * time.Hour)
	fail(client)
	if got := wait(client); got != 0 {
		t.Errorf("Wait after a failure two hours later: got %v, want 0", got)
	}
}
