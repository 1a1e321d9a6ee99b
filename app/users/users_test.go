package users_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/users"
	"folio/domain"
	"folio/eventstore/pgtest"
)

func TestMain(m *testing.M) {
	pgtest.Main(m)
}

const password = "correct horse battery"

func newStore(t *testing.T) (*users.Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.NewPool(t)
	return users.NewStore(pool, nil), pool
}

func mustCreate(t *testing.T, store *users.Store, email string) users.User {
	t.Helper()
	user, err := store.Create(context.Background(), email, password, false)
	if err != nil {
		t.Fatalf("Create %s: %v", email, err)
	}
	return user
}

func wantCode(t *testing.T, err error, code domain.Code, field string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code: got %q (%v), want %q", got, err, code)
	}
	var domainErr *domain.Error
	if errors.As(err, &domainErr) && domainErr.Field != field {
		t.Errorf("error field: got %q, want %q", domainErr.Field, field)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	store, pool := newStore(t)
	ctx := context.Background()

	user, err := store.Create(ctx, "  Ada@Example.ORG ", password, true)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	if user.Email != "ada@example.org" {
		t.Errorf("Email: got %q, want it trimmed and lower-cased", user.Email)
	}
	if !user.Admin || user.Disabled() || user.ID == uuid.Nil || user.CreatedAt.IsZero() {
		t.Errorf("user: got %+v", user)
	}
	var hash string
	err = pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, user.ID).Scan(&hash)
	if err != nil {
		t.Fatalf("select hash: %v", err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") ||
		strings.Count(hash, "$") != 5 || strings.Contains(hash, password) {
		t.Errorf("password_hash: got %q, want a PHC argon2id string", hash)
	}

	got, err := store.ByID(ctx, user.ID)
	if err != nil {
		t.Fatalf("ByID: %v", err)
	}
	if got.Email != user.Email || got.ID != user.ID {
		t.Errorf("ByID: got %+v, want %+v", got, user)
	}
}

func TestCreateRejects(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	mustCreate(t, store, "taken@example.org")

	tests := []struct {
		name     string
		email    string
		password string
		code     domain.Code
		field    string
	}{
		{"an email taken in other letters", "TAKEN@example.org", password, domain.CodeConflict, "email"},
		{"an empty email", "", password, domain.CodeInvalid, "email"},
		{"an email without @", "nobody", password, domain.CodeInvalid, "email"},
		{"an email with a name", "Ada <ada@example.org>", password, domain.CodeInvalid, "email"},
		{"an email with a newline", "ada@example.org\nX: y", password, domain.CodeInvalid, "email"},
		{"an overlong email", strings.Repeat("a", 250) + "@example.org", password,
			domain.CodeInvalid, "email"},
		{"an 11-character password", "new@example.org", "elevenchars", domain.CodeInvalid, "password"},
		{"a 1025-byte password", "new@example.org", strings.Repeat("x", 1025), domain.CodeInvalid,
			"password"},
		{"a common password", "new@example.org", "Password1234", domain.CodeInvalid, "password"},
		{"a password holding the email", "new@example.org", "new@example.org!", domain.CodeInvalid,
			"password"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := store.Create(ctx, test.email, test.password, false)
			wantCode(t, err, test.code, test.field)
		})
	}
}

func TestByIDUnknown(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)

	_, err := store.ByID(context.Background(), uuid.New())

	wantCode(t, err, domain.CodeNotFound, "")
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")
	long := strings.Repeat("Lovelace-", 14) // 126 characters
	longUser, err := store.Create(ctx, "long@example.org", long, false)
	if err != nil {
		t.Fatalf("Create with a long password: %v", err)
	}

	got, err := store.Authenticate(ctx, "ADA@example.org ", password)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got.ID != user.ID || got.LastLoginAt.IsZero() {
		t.Errorf("Authenticate: got %+v, want user %s with a sign-in time", got, user.ID)
	}
	_, err = store.Authenticate(ctx, "long@example.org", long)
	if err != nil {
		t.Errorf("Authenticate %s with a 126-character password: %v", longUser.ID, err)
	}

	wrong := []struct{ name, email, password string }{
		{"a wrong password", "ada@example.org", "not the password"},
		{"the password in other letters", "ada@example.org", strings.ToUpper(password)},
		{"the password truncated", "ada@example.org", password[:len(password)-1]},
		{"the password with a space", "ada@example.org", password + " "},
		{"an unknown email", "nobody@example.org", password},
		{"an overlong password", "ada@example.org", strings.Repeat("x", 2000)},
	}
	for _, test := range wrong {
		t.Run(test.name, func(t *testing.T) {
			_, err := store.Authenticate(ctx, test.email, test.password)
			if !errors.Is(err, users.ErrWrongCredentials) {
				t.Errorf("got %v, want ErrWrongCredentials", err)
			}
		})
	}
}

// TestAuthenticateUnknownEmailTakesAsLong guards the decoy hash: without it an unknown email
// answers in about a millisecond instead of a hash's tens of milliseconds.
func TestAuthenticateUnknownEmailTakesAsLong(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	mustCreate(t, store, "ada@example.org")

	fastest := func(email string) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			_, err := store.Authenticate(ctx, email, "not the password")
			if !errors.Is(err, users.ErrWrongCredentials) {
				t.Fatalf("Authenticate %s: got %v, want ErrWrongCredentials", email, err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	known := fastest("ada@example.org")
	unknown := fastest("nobody@example.org")

	if unknown < known*3/10 {
		t.Errorf("unknown email took %v, known email %v: the difference reveals accounts",
			unknown, known)
	}
}

func TestAuthenticateRehashesOldParameters(t *testing.T) {
	t.Parallel()
	store, pool := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")
	// The hash of password with m=8192,t=1,p=1, as an older release might have stored.
	old := "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" +
		"exh/RmO17fS7g1zxmN2BVBL7yNsQG0lrq3yrukpnUx8"
	_, err := pool.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, user.ID, old)
	if err != nil {
		t.Fatalf("store old hash: %v", err)
	}

	_, err = store.Authenticate(ctx, "ada@example.org", password)
	if err != nil {
		t.Fatalf("Authenticate with the old hash: %v", err)
	}

	var hash string
	err = pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, user.ID).Scan(&hash)
	if err != nil {
		t.Fatalf("select hash: %v", err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash after sign-in: got %q, want current parameters", hash)
	}
	_, err = store.Authenticate(ctx, "ada@example.org", password)
	if err != nil {
		t.Errorf("Authenticate with the new hash: %v", err)
	}
}

func TestDisableAndEnable(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")

	err := store.Disable(ctx, user.ID)
	if err != nil {
		t.Fatalf("Disable: %v", err)
	}
	_, err = store.Authenticate(ctx, "ada@example.org", password)
	if !errors.Is(err, users.ErrDisabled) {
		t.Errorf("Authenticate while disabled: got %v, want ErrDisabled", err)
	}
	_, err = store.Authenticate(ctx, "ada@example.org", "not the password")
	if !errors.Is(err, users.ErrWrongCredentials) {
		t.Errorf("wrong password while disabled: got %v, want ErrWrongCredentials", err)
	}
	disabled, err := store.ByID(ctx, user.ID)
	if err != nil {
		t.Fatalf("ByID: %v", err)
	}
	if disabled.SessionGeneration <= user.SessionGeneration {
		t.Errorf("SessionGeneration: got %d, want past %d", disabled.SessionGeneration,
			user.SessionGeneration)
	}

	err = store.Enable(ctx, user.ID)
	if err != nil {
		t.Fatalf("Enable: %v", err)
	}
	_, err = store.Authenticate(ctx, "ada@example.org", password)
	if err != nil {
		t.Errorf("Authenticate after Enable: %v", err)
	}

	wantCode(t, store.Disable(ctx, uuid.New()), domain.CodeNotFound, "")
	wantCode(t, store.Enable(ctx, uuid.New()), domain.CodeNotFound, "")
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")
	other := mustCreate(t, store, "bob@example.org")
	const next = "a brand new passphrase"

	_, err := store.ChangePassword(ctx, user.ID, "not the password", next)
	wantCode(t, err, domain.CodeInvalid, "current_password")
	_, err = store.ChangePassword(ctx, user.ID, password, "too short")
	wantCode(t, err, domain.CodeInvalid, "new_password")
	_, err = store.ChangePassword(ctx, uuid.New(), password, next)
	wantCode(t, err, domain.CodeNotFound, "")

	changed, err := store.ChangePassword(ctx, user.ID, password, next)
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}

	if changed.SessionGeneration <= user.SessionGeneration {
		t.Errorf("SessionGeneration: got %d, want past %d", changed.SessionGeneration,
			user.SessionGeneration)
	}
	_, err = store.Authenticate(ctx, "ada@example.org", password)
	if !errors.Is(err, users.ErrWrongCredentials) {
		t.Errorf("old password: got %v, want ErrWrongCredentials", err)
	}
	_, err = store.Authenticate(ctx, "ada@example.org", next)
	if err != nil {
		t.Errorf("new password: %v", err)
	}
	_, err = store.Authenticate(ctx, "bob@example.org", password)
	if err != nil {
		t.Errorf("user %s lost their password: %v", other.ID, err)
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	user := mustCreate(t, store, "ada@example.org")
	_, _, err := store.CreateToken(ctx, user.ID, "script")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}

	err = store.Remove(ctx, user.ID)
	if err != nil {
		t.Fatalf("Remove: %v", err)
	}

	_, err = store.ByID(ctx, user.ID)
	wantCode(t, err, domain.CodeNotFound, "")
	mustCreate(t, store, "ada@example.org")
}

func TestRegistrationSetting(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	ctx := context.Background()
	admin, err := store.Create(ctx, "admin@example.org", password, true)
	if err != nil {
		t.Fatalf("Create admin: %v", err)
	}
	user := mustCreate(t, store, "ada@example.org")

	open, err := store.RegistrationOpen(ctx)
	if err != nil || !open {
		t.Fatalf("RegistrationOpen: got %v, %v; want true by default", open, err)
	}

	wantCode(t, store.SetRegistrationOpen(ctx, user.ID, false), domain.CodeForbidden, "")
	err = store.SetRegistrationOpen(ctx, admin.ID, false)
	if err != nil {
		t.Fatalf("SetRegistrationOpen by admin: %v", err)
	}

	open, err = store.RegistrationOpen(ctx)
	if err != nil || open {
		t.Errorf("RegistrationOpen: got %v, %v; want false", open, err)
	}
}
