package users_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"folio/app/users"
	"folio/domain"
)

// ASVS V6.4.3: a reset token is random, kept only as a hash, works once and expires.
func TestPasswordResetToken(t *testing.T) {
	t.Parallel()
	store, pool := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")

	_, token, err := store.RequestPasswordReset(ctx, " ADA@example.org ")
	if err != nil {
		t.Fatalf("RequestPasswordReset: %v", err)
	}
	if len(token) != 43 {
		t.Errorf("token: got %d characters, want 43 (256 bits)", len(token))
	}
	var stored int
	hash := sha256.Sum256([]byte(token))
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM password_resets WHERE token_hash = $1`,
		hash[:]).Scan(&stored)
	if stored != 1 {
		t.Fatal("the token's hash is not what is stored")
	}

	found, err := store.PasswordResetUser(ctx, token)
	if err != nil || found.ID != user.ID {
		t.Fatalf("PasswordResetUser: got %v, %v", found.ID, err)
	}
	_, err = store.ResetPassword(ctx, token, "short", nil)
	wantCode(t, err, domain.CodeInvalid, "new_password")
	refused := errors.New("no second factor")
	_, err = store.ResetPassword(ctx, token, "a brand new passphrase",
		func(users.User) error { return refused })
	if !errors.Is(err, refused) {
		t.Fatalf("a refused check: got %v", err)
	}

	updated, err := store.ResetPassword(ctx, token, "a brand new passphrase", nil)
	if err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if updated.SessionGeneration != user.SessionGeneration+1 {
		t.Error("the reset did not end the user's sessions")
	}
	if _, err := store.Authenticate(ctx, "ada@example.org", "a brand new passphrase"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	_, err = store.ResetPassword(ctx, token, "yet another passphrase", nil)
	wantCode(t, err, domain.CodeNotFound, "")
}

func TestPasswordResetTokenExpiresAndIsReplaced(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	_, pool := newStore(t)
	store := users.NewStore(pool, clock.Now)
	ctx := context.Background()
	mustCreate(t, store, "ada@example.org")
	disabled := mustCreate(t, store, "bob@example.org")
	if err := store.Disable(ctx, disabled.ID); err != nil {
		t.Fatal(err)
	}

	_, first, err := store.RequestPasswordReset(ctx, "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := store.RequestPasswordReset(ctx, "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PasswordResetUser(ctx, first); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("a token replaced by a newer one: got %v, want not found", err)
	}

	clock.Advance(users.PasswordResetLifetime + time.Second)
	if _, err := store.PasswordResetUser(ctx, second); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("an expired token: got %v, want not found", err)
	}

	for _, email := range []string{"nobody@example.org", "bob@example.org", ""} {
		_, _, err := store.RequestPasswordReset(ctx, email)
		if domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("reset for %q: got %v, want not found", email, err)
		}
	}
	for _, token := range []string{"", "x", first + "x"} {
		if _, err := store.PasswordResetUser(ctx, token); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("token %q: got %v, want not found", token, err)
		}
	}
}
