package users_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"folio/app/users"
	"folio/domain"
)

const secretKey = "9f1c2a7be34d5068c1f7a2e9b04d63c85e7a19f2d0b64c38a5e1f7092bd4c6e3"

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTwoFactor(t *testing.T) (*users.TwoFactor, *users.Store, *fakeClock, *pgxpool.Pool) {
	t.Helper()
	store, pool := newStore(t)
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	twoFactor, err := users.NewTwoFactor(pool, secretKey, clock.Now)
	if err != nil {
		t.Fatalf("NewTwoFactor: %v", err)
	}
	return twoFactor, store, clock, pool
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	got, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatalf("GenerateCode: %v", err)
	}
	return got
}

// enable turns two-factor sign-in on for user and returns the secret and recovery codes.
func enable(t *testing.T, f *users.TwoFactor, clock *fakeClock, user users.User) (string,
	[]string) {
	t.Helper()
	ctx := context.Background()
	key, err := f.Begin(ctx, user)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	codes, _, err := f.Enable(ctx, user, code(t, key.Secret(), clock.Now()))
	if err != nil {
		t.Fatalf("Enable: %v", err)
	}
	return key.Secret(), codes
}

// ASVS V6.5.1, V6.5.5: a TOTP code works once, only near its time step.
func TestTOTPCodeWorksOnceAndOnlyInItsWindow(t *testing.T) {
	t.Parallel()
	f, store, clock, _ := newTwoFactor(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")
	secret, _ := enable(t, f, clock, user)

	// The code that confirmed the setup cannot sign in.
	if _, err := f.Verify(ctx, user.ID, code(t, secret, clock.Now())); !errors.Is(err,
		users.ErrWrongCode) {
		t.Fatalf("the setup code again: got %v, want ErrWrongCode", err)
	}

	clock.Advance(30 * time.Second)
	current := code(t, secret, clock.Now())
	method, err := f.Verify(ctx, user.ID, current[:3]+" "+current[3:])
	if err != nil || method != users.MethodTOTP {
		t.Fatalf("a current code with a space: got %q, %v", method, err)
	}
	if _, err := f.Verify(ctx, user.ID, current); !errors.Is(err, users.ErrWrongCode) {
		t.Errorf("the same code twice: got %v, want ErrWrongCode", err)
	}

	clock.Advance(30 * time.Second)
	stale := code(t, secret, clock.Now().Add(-2*time.Minute))
	future := code(t, secret, clock.Now().Add(2*time.Minute))
	for name, candidate := range map[string]string{"two minutes old": stale,
		"two minutes ahead": future, "empty": "", "letters": "abcdef", "too long": "1234567"} {
		if _, err := f.Verify(ctx, user.ID, candidate); !errors.Is(err, users.ErrWrongCode) {
			t.Errorf("%s code: got %v, want ErrWrongCode", name, err)
		}
	}
	// The previous step's code is still accepted once, for slow typists.
	clock.Advance(30 * time.Second)
	if _, err := f.Verify(ctx, user.ID, code(t, secret, clock.Now().Add(-30*time.Second))); err != nil {
		t.Errorf("the previous step's code: %v", err)
	}
}

// ASVS V6.5.1, V6.5.2, V6.5.3: recovery codes are random, stored hashed and work once.
func TestRecoveryCodesWorkOnceAndAreStoredHashed(t *testing.T) {
	t.Parallel()
	f, store, clock, pool := newTwoFactor(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")
	_, codes := enable(t, f, clock, user)

	if len(codes) != 10 {
		t.Fatalf("recovery codes: got %d, want 10", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(strings.ReplaceAll(c, "-", "")) != 24 || seen[c] {
			t.Errorf("recovery code %q: want 24 base32 characters (120 bits), all different", c)
		}
		seen[c] = true
	}
	var stored [][]byte
	rows, err := pool.Query(ctx, `SELECT code_hash FROM user_recovery_codes`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var hash []byte
		if err := rows.Scan(&hash); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hash)
	}
	for _, hash := range stored {
		for _, c := range codes {
			if bytes.Contains(hash, []byte(strings.ReplaceAll(c, "-", ""))) {
				t.Error("a recovery code is stored in the clear")
			}
		}
	}

	method, err := f.Verify(ctx, user.ID, strings.ToUpper(codes[3]))
	if err != nil || method != users.MethodRecoveryCode {
		t.Fatalf("a recovery code in capitals: got %q, %v", method, err)
	}
	if _, err := f.Verify(ctx, user.ID, codes[3]); !errors.Is(err, users.ErrWrongCode) {
		t.Errorf("a used recovery code: got %v, want ErrWrongCode", err)
	}
	if left, _ := f.RecoveryCodesLeft(ctx, user.ID); left != 9 {
		t.Errorf("codes left: got %d, want 9", left)
	}

	// Another user's code is worthless here.
	bob := mustCreate(t, store, "bob@example.org")
	_, bobCodes := enable(t, f, clock, bob)
	if _, err := f.Verify(ctx, user.ID, bobCodes[0]); !errors.Is(err, users.ErrWrongCode) {
		t.Errorf("bob's code for ada: got %v, want ErrWrongCode", err)
	}

	fresh, err := f.NewRecoveryCodes(ctx, user.ID)
	if err != nil {
		t.Fatalf("NewRecoveryCodes: %v", err)
	}
	if _, err := f.Verify(ctx, user.ID, codes[4]); !errors.Is(err, users.ErrWrongCode) {
		t.Errorf("an old code after replacing them: got %v, want ErrWrongCode", err)
	}
	if _, err := f.Verify(ctx, user.ID, fresh[0]); err != nil {
		t.Errorf("a new code: %v", err)
	}
}

// ASVS V11.3.2, V11.3.3, V13.3.1: TOTP secrets are sealed with AES-GCM, bound to their user,
// and never stored in the clear.
func TestTOTPSecretSealed(t *testing.T) {
	t.Parallel()
	f, store, _, pool := newTwoFactor(t)
	ctx := context.Background()
	ada := mustCreate(t, store, "ada@example.org")
	bob := mustCreate(t, store, "bob@example.org")
	adaKey, err := f.Begin(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Begin(ctx, bob); err != nil {
		t.Fatal(err)
	}

	var sealed []byte
	err = pool.QueryRow(ctx, `SELECT secret_sealed FROM user_totp WHERE user_id = $1`, ada.ID).
		Scan(&sealed)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(adaKey.Secret())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, raw) || bytes.Contains(sealed, []byte(adaKey.Secret())) {
		t.Fatal("the TOTP secret is stored in the clear")
	}

	// A restarted process opens the same secret: the key derives from SECRET_KEY alone.
	again, err := f.PendingKey(ctx, ada)
	if err != nil || again.Secret() != adaKey.Secret() {
		t.Fatalf("PendingKey: got %v, %v", again, err)
	}

	// Ada's sealed secret copied onto bob's row does not open: it is bound to ada's id.
	_, err = pool.Exec(ctx, `UPDATE user_totp SET secret_sealed = $2 WHERE user_id = $1`,
		bob.ID, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PendingKey(ctx, bob); err == nil || domain.ErrorCode(err) != "" {
		t.Errorf("ada's secret on bob's row: got %v, want an internal error", err)
	}

	// One flipped byte is noticed.
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	_, err = pool.Exec(ctx, `UPDATE user_totp SET secret_sealed = $2 WHERE user_id = $1`,
		ada.ID, flipped)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PendingKey(ctx, ada); err == nil || domain.ErrorCode(err) != "" {
		t.Errorf("a flipped byte: got %v, want an internal error", err)
	}

	// Sealing again gives different bytes: every sealing takes a fresh nonce.
	_, err = pool.Exec(ctx, `DELETE FROM user_totp`)
	if err != nil {
		t.Fatal(err)
	}
	var sealings [][]byte
	for range 2 {
		_, err = f.Begin(ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		var sealing []byte
		err = pool.QueryRow(ctx, `SELECT secret_sealed FROM user_totp WHERE user_id = $1`,
			ada.ID).Scan(&sealing)
		if err != nil {
			t.Fatal(err)
		}
		sealings = append(sealings, sealing)
	}
	if bytes.Equal(sealings[0], sealings[1]) {
		t.Error("two sealings gave the same bytes")
	}
}

func TestTwoFactorLifecycle(t *testing.T) {
	t.Parallel()
	f, store, clock, _ := newTwoFactor(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")

	if on, _ := f.Enabled(ctx, user.ID); on {
		t.Fatal("two-factor on for a new user")
	}
	key, err := f.Begin(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := f.Enabled(ctx, user.ID); on {
		t.Fatal("two-factor on before it was confirmed")
	}
	if _, _, err := f.Enable(ctx, user, "000000"); !errors.Is(err, users.ErrWrongCode) {
		t.Fatalf("Enable with a wrong code: got %v", err)
	}
	codes, updated, err := f.Enable(ctx, user, code(t, key.Secret(), clock.Now()))
	if err != nil || len(codes) == 0 {
		t.Fatalf("Enable: %v", err)
	}
	if updated.SessionGeneration != user.SessionGeneration+1 {
		t.Errorf("session generation: got %d, want %d", updated.SessionGeneration,
			user.SessionGeneration+1)
	}
	if _, err := f.Begin(ctx, user); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("Begin while on: got %v, want a conflict", err)
	}

	disabled, err := f.Disable(ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if disabled.SessionGeneration != updated.SessionGeneration+1 {
		t.Error("Disable did not end the sessions")
	}
	if on, _ := f.Enabled(ctx, user.ID); on {
		t.Error("two-factor still on after Disable")
	}
	if _, err := f.Verify(ctx, user.ID, codes[0]); !errors.Is(err, users.ErrWrongCode) {
		t.Errorf("a recovery code after Disable: got %v", err)
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	store, pool := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")

	if err := store.CheckPassword(ctx, user.ID, password); err != nil {
		t.Errorf("the right password: %v", err)
	}
	for _, wrong := range []string{"", strings.ToUpper(password), password[:len(password)-1],
		password + " ", strings.Repeat("x", 2000)} {
		wantCode(t, store.CheckPassword(ctx, user.ID, wrong), domain.CodeInvalid, "password")
	}
	var last *time.Time
	_ = pool.QueryRow(ctx, `SELECT last_login_at FROM users WHERE id = $1`,
		user.ID).Scan(&last)
	if last != nil {
		t.Error("CheckPassword recorded a sign-in")
	}
}
