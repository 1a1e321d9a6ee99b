// Package users keeps the people who sign in to Folio: their accounts and password hashes,
// their personal API tokens, the admin's app-wide settings, and the counters that slow down
// password guessing. It stores them in PostgreSQL; every query about a user's things is scoped
// by that user's id.
package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/domain"
)

// ErrWrongCredentials is returned by Authenticate when the email is unknown or the password
// does not match. The two cases are deliberately indistinguishable.
var ErrWrongCredentials = errors.New("wrong email or password")

// ErrDisabled is returned by Authenticate and AuthenticateToken for a disabled account, and
// only after the credentials were found correct.
var ErrDisabled = errors.New("account disabled")

// User is a person who signs in.
type User struct {
	ID          uuid.UUID
	Email       string
	Admin       bool
	CreatedAt   time.Time
	LastLoginAt time.Time // zero before the first sign-in
	DisabledAt  time.Time // zero while the account is enabled
	// SessionGeneration changes whenever all existing sessions of the user must end.
	SessionGeneration int
}

// Disabled reports whether the account is disabled.
func (u User) Disabled() bool {
	return !u.DisabledAt.IsZero()
}

// Store reads and writes users. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewStore returns a Store on pool. now is the clock; nil means time.Now.
func NewStore(pool *pgxpool.Pool, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now}
}

const userColumns = `id, email, is_admin, created_at, last_login_at, disabled_at,
	session_generation`

// scanUser scans userColumns, then extra destinations for columns selected after them.
func scanUser(row pgx.Row, extra ...any) (User, error) {
	var user User
	var lastLogin, disabled *time.Time
	dest := []any{&user.ID, &user.Email, &user.Admin, &user.CreatedAt, &lastLogin, &disabled,
		&user.SessionGeneration}
	err := row.Scan(append(dest, extra...)...)
	if err != nil {
		return User{}, err
	}
	if lastLogin != nil {
		user.LastLoginAt = *lastLogin
	}
	if disabled != nil {
		user.DisabledAt = *disabled
	}
	return user, nil
}

// Create adds a user with email and password. It returns a domain invalid error naming the
// field ("email" or "password") when either breaks a rule, and a domain conflict error when
// the email is taken, whatever its letter case.
func (s *Store) Create(ctx context.Context, email, password string, admin bool) (User, error) {
	email = NormalizeEmail(email)
	err := validateEmail(email)
	if err != nil {
		return User{}, err
	}
	err = validatePassword("password", password, email)
	if err != nil {
		return User{}, err
	}

	hash, err := hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}

	row := s.pool.QueryRow(ctx, `
		INSERT INTO users (id, email, password_hash, is_admin, created_at)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING `+userColumns,
		uuid.New(), email, hash, admin, s.now())
	user, err := scanUser(row)
	if isUniqueViolation(err) {
		return User{}, &domain.Error{Code: domain.CodeConflict, Field: "email",
			Message: "an account with this email already exists"}
	}
	if err != nil {
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return user, nil
}

// ByID returns the user with id, or a domain not-found error.
func (s *Store) ByID(ctx context.Context, id uuid.UUID) (User, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	user, err := scanUser(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, domain.NotFound("no such user")
	}
	if err != nil {
		return User{}, fmt.Errorf("select user %s: %w", id, err)
	}
	return user, nil
}

// Authenticate returns the user with email and password and records the sign-in. It returns
// ErrWrongCredentials when the email is unknown or the password wrong, taking about as long
// in both cases, and ErrDisabled when both are right but the account is disabled. A hash made
// with older parameters is replaced by a current one.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	email = NormalizeEmail(email)
	if len(email) > emailBytesMax || len(password) > PasswordBytesMax {
		return User{}, ErrWrongCredentials
	}

	var hash string
	row := s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`,
		email)
	user, err := scanUser(row, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, s.spendDecoyHash(ctx, password)
	}
	if err != nil {
		return User{}, fmt.Errorf("select user by email: %w", err)
	}

	match, stale, err := verifyPassword(ctx, password, hash)
	if err != nil {
		return User{}, fmt.Errorf("verify password of user %s: %w", user.ID, err)
	}
	if !match {
		return User{}, ErrWrongCredentials
	}
	if user.Disabled() {
		return User{}, ErrDisabled
	}

	return s.recordLogin(ctx, user, password, stale)
}

// spendDecoyHash verifies password against a decoy hash, so that an unknown email costs as
// much time as a known one, and answers ErrWrongCredentials.
func (s *Store) spendDecoyHash(ctx context.Context, password string) error {
	decoy, err := decoyHash()
	if err != nil {
		return fmt.Errorf("make decoy hash: %w", err)
	}
	_, _, err = verifyPassword(ctx, password, decoy)
	if err != nil {
		return fmt.Errorf("verify decoy hash: %w", err)
	}
	return ErrWrongCredentials
}

func (s *Store) recordLogin(ctx context.Context, user User, password string,
	stale bool) (User, error) {
	user.LastLoginAt = s.now()
	_, err := s.pool.Exec(ctx, `UPDATE users SET last_login_at = $2 WHERE id = $1`,
		user.ID, user.LastLoginAt)
	if err != nil {
		return User{}, fmt.Errorf("record sign-in of user %s: %w", user.ID, err)
	}
	if !stale {
		return user, nil
	}

	hash, err := hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}
	_, err = s.pool.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, user.ID, hash)
	if err != nil {
		return User{}, fmt.Errorf("rehash password of user %s: %w", user.ID, err)
	}
	return user, nil
}

// ChangePassword replaces the password of user id after checking current. It returns a domain
// invalid error for field "current_password" when current is wrong and for "new_password"
// when the new one breaks a rule. It ends every existing session of the user by moving the
// session generation on, and returns the user as it now is.
func (s *Store) ChangePassword(ctx context.Context, id uuid.UUID,
	current, next string) (User, error) {
	var email, hash string
	err := s.pool.QueryRow(ctx, `SELECT email, password_hash FROM users WHERE id = $1`, id).
		Scan(&email, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, domain.NotFound("no such user")
	}
	if err != nil {
		return User{}, fmt.Errorf("select password of user %s: %w", id, err)
	}

	if len(current) > PasswordBytesMax {
		return User{}, domain.Invalid("current_password", "is not your current password")
	}
	match, _, err := verifyPassword(ctx, current, hash)
	if err != nil {
		return User{}, fmt.Errorf("verify password of user %s: %w", id, err)
	}
	if !match {
		return User{}, domain.Invalid("current_password", "is not your current password")
	}
	err = validatePassword("new_password", next, email)
	if err != nil {
		return User{}, err
	}

	newHash, err := hashPassword(ctx, next)
	if err != nil {
		return User{}, err
	}
	// The old hash in the condition makes two concurrent changes not both succeed. The
	// user's API tokens are revoked with the change, in the same statement: whoever knew
	// the old password may have made one.
	row := s.pool.QueryRow(ctx, `
		WITH changed AS (
			UPDATE users SET password_hash = $3, session_generation = session_generation + 1
			WHERE id = $1 AND password_hash = $2
			RETURNING *),
		revoked AS (
			UPDATE api_tokens SET revoked_at = $4
			WHERE user_id = $1 AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM changed))
		SELECT `+userColumns+` FROM changed`, id, hash, newHash, s.now())
	user, err := scanUser(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, domain.Conflict("the password was changed meanwhile; try again")
	}
	if err != nil {
		return User{}, fmt.Errorf("update password of user %s: %w", id, err)
	}
	return user, nil
}

// Disable stops user id from signing in and ends their sessions; their API tokens stop
// working too. Disabling a disabled user changes nothing.
func (s *Store) Disable(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE users SET disabled_at = coalesce(disabled_at, $2),
			session_generation = session_generation + 1
		WHERE id = $1`, id, s.now())
	if err != nil {
		return fmt.Errorf("disable user %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("no such user")
	}
	return nil
}

// Enable lets a disabled user id sign in again.
func (s *Store) Enable(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET disabled_at = NULL WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("enable user %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("no such user")
	}
	return nil
}

// Remove deletes user id and their API tokens. It exists to undo a registration whose
// follow-up step failed; accounts that kept books are disabled, never removed.
func (s *Store) Remove(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("remove user %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("no such user")
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
