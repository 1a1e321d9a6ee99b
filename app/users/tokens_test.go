package users_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"folio/app/users"
	"folio/domain"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	store, pool := newStore(t)
	ctx := context.Background()
	ada := mustCreate(t, store, "ada@example.org")
	bob := mustCreate(t, store, "bob@example.org")

	token, secret, err := store.CreateToken(ctx, ada.ID, "  backup script ")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}

	if token.Name != "backup script" || token.UserID != ada.ID || token.ID == uuid.Nil {
		t.Errorf("token: got %+v", token)
	}
	if !strings.HasPrefix(secret, users.TokenPrefix) || len(secret) != 49 {
		t.Errorf("secret: got %d characters %q…, want folio_ and 43 more", len(secret), secret[:6])
	}
	var stored []byte
	err = pool.QueryRow(ctx, `SELECT token_hash FROM api_tokens WHERE id = $1`, token.ID).Scan(&stored)
	if err != nil {
		t.Fatalf("select token hash: %v", err)
	}
	if want := sha256.Sum256([]byte(secret)); string(stored) != string(want[:]) {
		t.Error("token_hash: got something other than the SHA-256 of the token")
	}

	owner, used, err := store.AuthenticateToken(ctx, secret)
	if err != nil {
		t.Fatalf("AuthenticateToken: %v", err)
	}
	if owner.ID != ada.ID || used.ID != token.ID || used.LastUsedAt.IsZero() {
		t.Errorf("AuthenticateToken: got %s, %+v; want %s and a use time", owner.ID, used, ada.ID)
	}

	list, err := store.Tokens(ctx, ada.ID)
	if err != nil {
		t.Fatalf("Tokens: %v", err)
	}
	if len(list) != 1 || list[0].ID != token.ID || list[0].LastUsedAt.IsZero() {
		t.Errorf("Tokens of ada: got %+v", list)
	}
	list, err = store.Tokens(ctx, bob.ID)
	if err != nil || len(list) != 0 {
		t.Errorf("Tokens of bob: got %+v, %v; want none", list, err)
	}

	wantCode(t, store.RevokeToken(ctx, bob.ID, token.ID), domain.CodeNotFound, "")
	_, _, err = store.AuthenticateToken(ctx, secret)
	if err != nil {
		t.Fatalf("token stopped working after another user's revoke: %v", err)
	}

	err = store.RevokeToken(ctx, ada.ID, token.ID)
	if err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, _, err = store.AuthenticateToken(ctx, secret)
	if !errors.Is(err, users.ErrTokenUnknown) {
		t.Errorf("revoked token: got %v, want ErrTokenUnknown", err)
	}
	wantCode(t, store.RevokeToken(ctx, ada.ID, token.ID), domain.CodeNotFound, "")
	wantCode(t, store.RevokeToken(ctx, ada.ID, uuid.New()), domain.CodeNotFound, "")
	list, err = store.Tokens(ctx, ada.ID)
	if err != nil || len(list) != 0 {
		t.Errorf("Tokens after revoking: got %+v, %v; want none", list, err)
	}
}

func TestAuthenticateTokenRejects(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	ada := mustCreate(t, store, "ada@example.org")
	_, secret, err := store.CreateToken(ctx, ada.ID, "script")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}

	changed := "A"
	if strings.HasSuffix(secret, changed) {
		changed = "B"
	}
	unknown := []struct{ name, secret string }{
		{"an empty token", ""},
		{"a token without the prefix", secret[len(users.TokenPrefix):]},
		{"a truncated token", secret[:len(secret)-1]},
		{"a token with one character changed", secret[:len(secret)-1] + changed},
		{"a made-up token", users.TokenPrefix + strings.Repeat("A", 43)},
	}
	for _, test := range unknown {
		t.Run(test.name, func(t *testing.T) {
			_, _, err := store.AuthenticateToken(ctx, test.secret)
			if !errors.Is(err, users.ErrTokenUnknown) {
				t.Errorf("got %v, want ErrTokenUnknown", err)
			}
		})
	}

	err = store.Disable(ctx, ada.ID)
	if err != nil {
		t.Fatalf("Disable: %v", err)
	}
	_, _, err = store.AuthenticateToken(ctx, secret)
	if !errors.Is(err, users.ErrDisabled) {
		t.Errorf("token of a disabled user: got %v, want ErrDisabled", err)
	}
}

func TestCreateTokenRejects(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	ada := mustCreate(t, store, "ada@example.org")

	for _, name := range []string{"", "   ", strings.Repeat("n", 101), "two\nlines"} {
		_, _, err := store.CreateToken(ctx, ada.ID, name)
		wantCode(t, err, domain.CodeInvalid, "name")
	}

	for i := range 50 {
		_, _, err := store.CreateToken(ctx, ada.ID, "token")
		if err != nil {
			t.Fatalf("CreateToken %d: %v", i, err)
		}
	}
	_, _, err := store.CreateToken(ctx, ada.ID, "one too many")
	wantCode(t, err, domain.CodeConflict, "")
}

func TestChangingThePasswordRevokesAPITokens(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	ada := mustCreate(t, store, "ada@example.org")
	_, secret, err := store.CreateToken(ctx, ada.ID, "script")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if _, _, err := store.AuthenticateToken(ctx, secret); err != nil {
		t.Fatalf("token before the change: %v", err)
	}
	if _, err := store.ChangePassword(ctx, ada.ID, password, "a brand new long password"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, _, err := store.AuthenticateToken(ctx, secret); !errors.Is(err, users.ErrTokenUnknown) {
		t.Errorf("token after the change: got %v, want ErrTokenUnknown", err)
	}
}

func TestResettingThePasswordRevokesAPITokens(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	ada := mustCreate(t, store, "ada@example.org")
	_, secret, err := store.CreateToken(ctx, ada.ID, "script")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	_, reset, err := store.RequestPasswordReset(ctx, ada.Email)
	if err != nil {
		t.Fatalf("RequestPasswordReset: %v", err)
	}
	if _, err := store.ResetPassword(ctx, reset, "a brand new long password", nil); err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if _, _, err := store.AuthenticateToken(ctx, secret); !errors.Is(err, users.ErrTokenUnknown) {
		t.Errorf("token after the reset: got %v, want ErrTokenUnknown", err)
	}
}
