package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"folio/domain"
)

// PasswordResetLifetime is how long a password reset link works.
const PasswordResetLifetime = 30 * time.Minute

// resetTokenBytes is the randomness in a reset token: 256 bits.
const resetTokenBytes = 32

// resetTokenLength is the length of a token in unpadded base64url.
var resetTokenLength = base64.RawURLEncoding.EncodedLen(resetTokenBytes)

// errResetInvalid is what every unusable reset token gets: unknown, used, expired, or of a
// disabled account. The cases are deliberately alike.
var errResetInvalid = domain.NotFound("this password reset link is invalid or has expired; " +
	"ask for a new one")

// RequestPasswordReset makes a reset token for the account with email and returns the
// account and the token, which is kept only as a hash. Earlier tokens of the account stop
// working. An unknown email and a disabled account both get a domain not-found error, which
// the caller must not reveal.
func (s *Store) RequestPasswordReset(ctx context.Context, email string) (User, string, error) {
	email = NormalizeEmail(email)
	if len(email) > emailBytesMax {
		return User{}, "", domain.NotFound("no such account")
	}
	row := s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email)
	user, err := scanUser(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, "", domain.NotFound("no such account")
	}
	if err != nil {
		return User{}, "", fmt.Errorf("select user by email: %w", err)
	}
	if user.Disabled() {
		return User{}, "", domain.NotFound("no such account")
	}

	random := make([]byte, resetTokenBytes)
	_, _ = rand.Read(random) // crypto/rand.Read never fails; it crashes the program instead.
	token := base64.RawURLEncoding.EncodeToString(random)
	hash := sha256.Sum256([]byte(token))
	now := s.now()

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return User{}, "", fmt.Errorf("begin password reset: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `UPDATE password_resets SET used_at = $2
		WHERE user_id = $1 AND used_at IS NULL`, user.ID, now)
	if err != nil {
		return User{}, "", fmt.Errorf("end earlier resets of user %s: %w", user.ID, err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, hash[:], user.ID, now, now.Add(PasswordResetLifetime))
	if err != nil {
		return User{}, "", fmt.Errorf("insert password reset of user %s: %w", user.ID, err)
	}
	err = tx.Commit(ctx)
	if err != nil {
		return User{}, "", fmt.Errorf("commit password reset of user %s: %w", user.ID, err)
	}
	return user, token, nil
}

// PasswordResetUser returns the account a usable reset token belongs to, without using the
// token up, or a domain not-found error.
func (s *Store) PasswordResetUser(ctx context.Context, token string) (User, error) {
	if len(token) != resetTokenLength {
		return User{}, errResetInvalid
	}
	hash := sha256.Sum256([]byte(token))
	row := s.pool.QueryRow(ctx, `
		SELECT `+prefixed("u.", userColumns)+` FROM password_resets r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2
			AND u.disabled_at IS NULL`, hash[:], s.now())
	user, err := scanUser(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, errResetInvalid
	}
	if err != nil {
		return User{}, fmt.Errorf("select password reset: %w", err)
	}
	return user, nil
}

// ResetPassword sets the password of the account that token belongs to, uses the token up,
// ends every other reset token of the account and every session of the user, and returns the
// user as it now is. check runs inside, after the token is found and before anything
// changes (for a second factor); its error is returned as is and leaves the token usable. A
// token that is not usable gets a domain not-found error, a password that breaks a rule a
// domain invalid error for field "new_password".
func (s *Store) ResetPassword(ctx context.Context, token, password string,
	check func(User) error) (User, error) {
	user, err := s.PasswordResetUser(ctx, token)
	if err != nil {
		return User{}, err
	}
	err = validatePassword("new_password", password, user.Email)
	if err != nil {
		return User{}, err
	}
	if check != nil {
		err = check(user)
		if err != nil {
			return User{}, err
		}
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return User{}, fmt.Errorf("begin password reset: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	// Using the token up first, conditionally, makes two concurrent resets not both pass.
	tokenHash := sha256.Sum256([]byte(token))
	tag, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = $3
		WHERE token_hash = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > $3`,
		tokenHash[:], user.ID, s.now())
	if err != nil {
		return User{}, fmt.Errorf("use password reset of user %s: %w", user.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return User{}, errResetInvalid
	}
	_, err = tx.Exec(ctx, `UPDATE password_resets SET used_at = $2
		WHERE user_id = $1 AND used_at IS NULL`, user.ID, s.now())
	if err != nil {
		return User{}, fmt.Errorf("end other resets of user %s: %w", user.ID, err)
	}
	_, err = tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, user.ID, hash)
	if err != nil {
		return User{}, fmt.Errorf("reset password of user %s: %w", user.ID, err)
	}
	// Whoever knew the old password may have made an API token: a reset ends those too.
	_, err = tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
		user.ID, s.now())
	if err != nil {
		return User{}, fmt.Errorf("revoke API tokens of user %s: %w", user.ID, err)
	}
	updated, err := endSessions(ctx, tx, user.ID)
	if err != nil {
		return User{}, err
	}
	err = tx.Commit(ctx)
	if err != nil {
		return User{}, fmt.Errorf("commit password reset of user %s: %w", user.ID, err)
	}
	return updated, nil
}

// prefixed qualifies every column of a comma-separated list with prefix.
func prefixed(prefix, columns string) string {
	names := strings.Split(columns, ",")
	for i, name := range names {
		names[i] = prefix + strings.TrimSpace(name)
	}
	return strings.Join(names, ", ")
}
