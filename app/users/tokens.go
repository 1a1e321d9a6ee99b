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
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
)

// TokenPrefix starts every API token, so that secret scanners and people recognise one.
const TokenPrefix = "folio_"

// tokenRandomBytes is the randomness in a token: 256 bits.
const tokenRandomBytes = 32

// tokenLength is the length of a token: the prefix and 32 bytes in unpadded base64url.
var tokenLength = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(tokenRandomBytes)

// tokensPerUserMax bounds the live tokens one user may hold.
const tokensPerUserMax = 50

// lastUsedResolution is how stale last_used_at may get: a token used more often than this
// is not written on every request.
const lastUsedResolution = time.Minute

// ErrTokenUnknown is returned by AuthenticateToken for a token that is malformed, unknown,
// or revoked.
var ErrTokenUnknown = errors.New("unknown or revoked API token")

// Token describes a personal API token. The token itself is never stored.
type Token struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero before first use
}

// CreateToken makes a new API token named name for user userID and returns its description
// and the token, which cannot be recovered later. It returns a domain invalid error for field
// "name" when the name is empty or too long, and a conflict when the user already holds
// tokensPerUserMax live tokens.
func (s *Store) CreateToken(ctx context.Context, userID uuid.UUID,
	name string) (Token, string, error) {
	name = strings.TrimSpace(name)
	err := validateTokenName(name)
	if err != nil {
		return Token{}, "", err
	}

	random := make([]byte, tokenRandomBytes)
	_, _ = rand.Read(random) // crypto/rand.Read never fails; it crashes the program instead.
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(random)
	hash := sha256.Sum256([]byte(secret))

	// The count and the insert are one statement so that concurrent creations cannot pass the
	// limit together unnoticed by more than the few racing at that instant.
	token := Token{ID: uuid.New(), UserID: userID, Name: name, CreatedAt: s.now()}
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)
		SELECT $1, $2, $3, $4, $5
		WHERE (SELECT count(*) FROM api_tokens WHERE user_id = $2 AND revoked_at IS NULL) < $6`,
		token.ID, userID, name, hash[:], token.CreatedAt, tokensPerUserMax)
	if err != nil {
		return Token{}, "", fmt.Errorf("insert API token for user %s: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return Token{}, "", domain.Conflict("you already have %d API tokens; revoke one first",
			tokensPerUserMax)
	}
	return token, secret, nil
}

func validateTokenName(name string) error {
	if name == "" {
		return domain.Invalid("name", "give the token a name")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > tokenNameLengthMax {
		return domain.Invalid("name", "must be at most %d characters", tokenNameLengthMax)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return domain.Invalid("name", "must be on one line")
		}
	}
	return nil
}

// Tokens returns the live (not revoked) API tokens of user userID, newest first.
func (s *Store) Tokens(ctx context.Context, userID uuid.UUID) ([]Token, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, user_id, name, created_at, last_used_at FROM api_tokens
		WHERE user_id = $1 AND revoked_at IS NULL
		ORDER BY created_at DESC, id
		LIMIT $2`, userID, tokensPerUserMax)
	if err != nil {
		return nil, fmt.Errorf("select API tokens of user %s: %w", userID, err)
	}

	tokens, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Token, error) {
		var token Token
		var lastUsed *time.Time
		err := row.Scan(&token.ID, &token.UserID, &token.Name, &token.CreatedAt, &lastUsed)
		if lastUsed != nil {
			token.LastUsedAt = *lastUsed
		}
		return token, err
	})
	if err != nil {
		return nil, fmt.Errorf("read API tokens of user %s: %w", userID, err)
	}
	return tokens, nil
}

// RevokeToken revokes the live token tokenID of user userID. A token of another user, a
// revoked one and an unknown id all give the same domain not-found error.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE api_tokens SET revoked_at = $3
		WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL`, userID, tokenID, s.now())
	if err != nil {
		return fmt.Errorf("revoke API token of user %s: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("no such API token")
	}
	return nil
}

// AuthenticateToken returns the owner of secret and the token's description. It returns
// ErrTokenUnknown for a malformed, unknown or revoked token and ErrDisabled when the owner is
// disabled. The lookup is by the token's SHA-256, so its timing tells nothing about the token.
func (s *Store) AuthenticateToken(ctx context.Context, secret string) (User, Token, error) {
	if len(secret) != tokenLength || !strings.HasPrefix(secret, TokenPrefix) {
		return User{}, Token{}, ErrTokenUnknown
	}
	hash := sha256.Sum256([]byte(secret))

	var token Token
	var lastUsed *time.Time
	row := s.pool.QueryRow(ctx, `
		SELECT u.id, u.email, u.is_admin, u.created_at, u.last_login_at, u.disabled_at,
			u.session_generation, t.id, t.name, t.created_at, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, hash[:])
	user, err := scanUser(row, &token.ID, &token.Name, &token.CreatedAt, &lastUsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, Token{}, ErrTokenUnknown
	}
	if err != nil {
		return User{}, Token{}, fmt.Errorf("select API token: %w", err)
	}
	token.UserID = user.ID
	if lastUsed != nil {
		token.LastUsedAt = *lastUsed
	}
	if user.Disabled() {
		return User{}, Token{}, ErrDisabled
	}

	now := s.now()
	if now.Sub(token.LastUsedAt) < lastUsedResolution {
		return user, token, nil
	}
	_, err = s.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = $3 WHERE id = $2 AND user_id = $1`,
		user.ID, token.ID, now)
	if err != nil {
		return User{}, Token{}, fmt.Errorf("record use of API token %s: %w", token.ID, err)
	}
	token.LastUsedAt = now
	return user, token, nil
}
