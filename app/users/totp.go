package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"folio/app/secrets"
	"folio/domain"
)

// TOTP parameters: those every authenticator app understands (RFC 6238 defaults).
const (
	totpIssuer      = "Folio"
	totpSecretBytes = 20
	totpPeriod      = 30 * time.Second
	// totpSkewSteps accepts the code of the step before and after the current one, for
	// clocks that drift and people who type slowly.
	totpSkewSteps = 1
)

// Recovery codes: recoveryCodeCount codes of recoveryCodeBytes random bytes each. 120 bits
// make guessing hopeless and let a plain SHA-256 stand for the code at rest.
const (
	recoveryCodeCount = 10
	recoveryCodeBytes = 15
	// recoveryCodeGroup is the length of the groups a code is shown in.
	recoveryCodeGroup = 4
)

// totpSealPurpose names the key, derived from SECRET_KEY, that seals TOTP secrets.
const totpSealPurpose = "totp secret"

// ErrWrongCode is returned by TwoFactor.Verify and Enable for a code that is wrong, already
// used, or from a time step that an earlier code already passed.
var ErrWrongCode = errors.New("wrong or used two-factor code")

// Method names how a second factor was proven.
type Method string

const (
	MethodTOTP         Method = "totp"
	MethodRecoveryCode Method = "recovery_code"
)

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TwoFactor keeps users' TOTP secrets and recovery codes. It is safe for concurrent use.
type TwoFactor struct {
	pool *pgxpool.Pool
	now  func() time.Time
	box  *secrets.Box
}

// NewTwoFactor returns a TwoFactor on pool that seals secrets under a key derived from
// secretKey (SECRET_KEY). now is the clock; nil means time.Now.
func NewTwoFactor(pool *pgxpool.Pool, secretKey string, now func() time.Time) (*TwoFactor, error) {
	if now == nil {
		now = time.Now
	}
	box, err := secrets.New(secretKey, totpSealPurpose)
	if err != nil {
		return nil, fmt.Errorf("two-factor: %w", err)
	}
	return &TwoFactor{pool: pool, now: now, box: box}, nil
}

// Enabled reports whether user userID signs in with a second factor.
func (f *TwoFactor) Enabled(ctx context.Context, userID uuid.UUID) (bool, error) {
	var enabled bool
	err := f.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND enabled_at IS NOT NULL)`,
		userID).Scan(&enabled)
	if err != nil {
		return false, fmt.Errorf("select two-factor state of user %s: %w", userID, err)
	}
	return enabled, nil
}

// Begin makes a new TOTP secret for user, pending until Enable confirms it, and returns its
// key for the authenticator app. A pending secret made before is replaced. It returns a
// domain conflict error when two-factor sign-in is already on.
func (f *TwoFactor) Begin(ctx context.Context, user User) (*otp.Key, error) {
	secret := make([]byte, totpSecretBytes)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails; it crashes the program instead.
	sealed := f.seal(user.ID, secret)

	tag, err := f.pool.Exec(ctx, `
		INSERT INTO user_totp AS t (user_id, secret_sealed, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET secret_sealed = $2, created_at = $3, last_step = 0
		WHERE t.enabled_at IS NULL`, user.ID, sealed, f.now())
	if err != nil {
		return nil, fmt.Errorf("insert TOTP secret of user %s: %w", user.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.Conflict("two-factor sign-in is already on")
	}
	return totpKey(user.Email, secret)
}

// PendingKey returns the key Begin made for user and Enable has not confirmed yet, or a
// domain not-found error.
func (f *TwoFactor) PendingKey(ctx context.Context, user User) (*otp.Key, error) {
	var sealed []byte
	err := f.pool.QueryRow(ctx, `
		SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND enabled_at IS NULL`,
		user.ID).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.NotFound("no two-factor setup is under way")
	}
	if err != nil {
		return nil, fmt.Errorf("select pending TOTP secret of user %s: %w", user.ID, err)
	}
	secret, err := f.open(user.ID, sealed)
	if err != nil {
		return nil, err
	}
	return totpKey(user.Email, secret)
}

// Enable turns two-factor sign-in on for user once code matches the pending secret. It makes
// a new set of recovery codes and returns them, to be shown this once, with the user as it
// now is: every existing session of the user ends (the session generation moves on). It
// returns a domain not-found error when no setup is under way and ErrWrongCode for a wrong
// code.
func (f *TwoFactor) Enable(ctx context.Context, user User, code string) ([]string, User, error) {
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		return nil, User{}, fmt.Errorf("begin enabling two-factor: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	var sealed []byte
	err = tx.QueryRow(ctx, `
		SELECT secret_sealed FROM user_totp WHERE user_id = $1 AND enabled_at IS NULL
		FOR UPDATE`, user.ID).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, User{}, domain.NotFound("no two-factor setup is under way; start again")
	}
	if err != nil {
		return nil, User{}, fmt.Errorf("select pending TOTP secret of user %s: %w", user.ID, err)
	}
	secret, err := f.open(user.ID, sealed)
	if err != nil {
		return nil, User{}, err
	}
	step, ok := f.matchingStep(secret, code, 0)
	if !ok {
		return nil, User{}, ErrWrongCode
	}

	_, err = tx.Exec(ctx, `UPDATE user_totp SET enabled_at = $2, last_step = $3
		WHERE user_id = $1`, user.ID, f.now(), step)
	if err != nil {
		return nil, User{}, fmt.Errorf("enable two-factor of user %s: %w", user.ID, err)
	}
	codes, err := f.replaceRecoveryCodes(ctx, tx, user.ID)
	if err != nil {
		return nil, User{}, err
	}
	updated, err := endSessions(ctx, tx, user.ID)
	if err != nil {
		return nil, User{}, err
	}
	err = tx.Commit(ctx)
	if err != nil {
		return nil, User{}, fmt.Errorf("commit enabling two-factor of user %s: %w", user.ID, err)
	}
	return codes, updated, nil
}

// Verify checks a second factor of user userID: a current TOTP code, never accepted twice,
// or an unused recovery code, which is then used up. It returns how the factor was proven,
// or ErrWrongCode; a user without two-factor sign-in gets ErrWrongCode too.
func (f *TwoFactor) Verify(ctx context.Context, userID uuid.UUID, code string) (Method, error) {
	code = normalizeCode(code)
	if len(code) == int(otp.DigitsSix) {
		return MethodTOTP, f.verifyTOTP(ctx, userID, code)
	}
	return MethodRecoveryCode, f.useRecoveryCode(ctx, userID, code)
}

func (f *TwoFactor) verifyTOTP(ctx context.Context, userID uuid.UUID, code string) error {
	var sealed []byte
	var lastStep int64
	err := f.pool.QueryRow(ctx, `
		SELECT secret_sealed, last_step FROM user_totp
		WHERE user_id = $1 AND enabled_at IS NOT NULL`, userID).Scan(&sealed, &lastStep)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrWrongCode
	}
	if err != nil {
		return fmt.Errorf("select TOTP secret of user %s: %w", userID, err)
	}
	secret, err := f.open(userID, sealed)
	if err != nil {
		return err
	}
	step, ok := f.matchingStep(secret, code, lastStep)
	if !ok {
		return ErrWrongCode
	}

	// The condition on last_step makes two requests with the same code not both pass.
	tag, err := f.pool.Exec(ctx, `
		UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
	if err != nil {
		return fmt.Errorf("record TOTP step of user %s: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrWrongCode
	}
	return nil
}

// matchingStep returns the time step, after lastStep and within the skew of now, whose code
// is code.
func (f *TwoFactor) matchingStep(secret []byte, code string, lastStep int64) (int64, bool) {
	code = normalizeCode(code)
	if len(code) != int(otp.DigitsSix) {
		return 0, false
	}
	encoded := recoveryEncoding.EncodeToString(secret)
	current := f.now().Unix() / int64(totpPeriod.Seconds())
	for step := current - totpSkewSteps; step <= current+totpSkewSteps; step++ {
		if step <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(encoded,
			time.Unix(step*int64(totpPeriod.Seconds()), 0), totpOptions())
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

func (f *TwoFactor) useRecoveryCode(ctx context.Context, userID uuid.UUID, code string) error {
	hash := sha256.Sum256([]byte(code))
	tag, err := f.pool.Exec(ctx, `
		UPDATE user_recovery_codes SET used_at = $3
		WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
		AND EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND enabled_at IS NOT NULL)`,
		userID, hash[:], f.now())
	if err != nil {
		return fmt.Errorf("use recovery code of user %s: %w", userID, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrWrongCode
	}
	return nil
}

// NewRecoveryCodes replaces the recovery codes of user userID, who must have two-factor
// sign-in on (else a domain not-found error), and returns the new ones.
func (f *TwoFactor) NewRecoveryCodes(ctx context.Context, userID uuid.UUID) ([]string, error) {
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin replacing recovery codes: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	var enabled bool
	err = tx.QueryRow(ctx, `SELECT enabled_at IS NOT NULL FROM user_totp WHERE user_id = $1
		FOR UPDATE`, userID).Scan(&enabled)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !enabled) {
		return nil, domain.NotFound("two-factor sign-in is off")
	}
	if err != nil {
		return nil, fmt.Errorf("select two-factor state of user %s: %w", userID, err)
	}
	codes, err := f.replaceRecoveryCodes(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	err = tx.Commit(ctx)
	if err != nil {
		return nil, fmt.Errorf("commit recovery codes of user %s: %w", userID, err)
	}
	return codes, nil
}

// RecoveryCodesLeft returns how many unused recovery codes user userID holds.
func (f *TwoFactor) RecoveryCodesLeft(ctx context.Context, userID uuid.UUID) (int, error) {
	var left int
	err := f.pool.QueryRow(ctx, `
		SELECT count(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
		userID).Scan(&left)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes of user %s: %w", userID, err)
	}
	return left, nil
}

// Disable turns two-factor sign-in off for user userID: the secret and the recovery codes
// are deleted and every existing session of the user ends. It returns the user as it now is.
func (f *TwoFactor) Disable(ctx context.Context, userID uuid.UUID) (User, error) {
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		return User{}, fmt.Errorf("begin disabling two-factor: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	_, err = tx.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID)
	if err != nil {
		return User{}, fmt.Errorf("delete recovery codes of user %s: %w", userID, err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM user_totp WHERE user_id = $1`, userID)
	if err != nil {
		return User{}, fmt.Errorf("delete TOTP secret of user %s: %w", userID, err)
	}
	updated, err := endSessions(ctx, tx, userID)
	if err != nil {
		return User{}, err
	}
	err = tx.Commit(ctx)
	if err != nil {
		return User{}, fmt.Errorf("commit disabling two-factor of user %s: %w", userID, err)
	}
	return updated, nil
}

func (f *TwoFactor) replaceRecoveryCodes(ctx context.Context, tx pgx.Tx,
	userID uuid.UUID) ([]string, error) {
	_, err := tx.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("delete recovery codes of user %s: %w", userID, err)
	}

	codes := make([]string, 0, recoveryCodeCount)
	hashes := make([][]byte, 0, recoveryCodeCount)
	for range recoveryCodeCount {
		random := make([]byte, recoveryCodeBytes)
		_, _ = rand.Read(random) // crypto/rand.Read never fails; it crashes the program instead.
		code := strings.ToLower(recoveryEncoding.EncodeToString(random))
		hash := sha256.Sum256([]byte(code))
		codes = append(codes, groupCode(code))
		hashes = append(hashes, hash[:])
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO user_recovery_codes (user_id, code_hash, created_at)
		SELECT $1, hash, $3 FROM unnest($2::bytea[]) AS hash`, userID, hashes, f.now())
	if err != nil {
		return nil, fmt.Errorf("insert recovery codes of user %s: %w", userID, err)
	}
	return codes, nil
}

// endSessions moves the session generation of user userID on, which ends every session
// started before, and returns the user as it now is.
func endSessions(ctx context.Context, tx pgx.Tx, userID uuid.UUID) (User, error) {
	row := tx.QueryRow(ctx, `
		UPDATE users SET session_generation = session_generation + 1 WHERE id = $1
		RETURNING `+userColumns, userID)
	user, err := scanUser(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, domain.NotFound("no such user")
	}
	if err != nil {
		return User{}, fmt.Errorf("end sessions of user %s: %w", userID, err)
	}
	return user, nil
}

// seal encrypts a TOTP secret, bound to the user's id so that a row copied to another user
// does not open.
func (f *TwoFactor) seal(userID uuid.UUID, secret []byte) []byte {
	return f.box.Seal(secret, userID[:])
}

func (f *TwoFactor) open(userID uuid.UUID, sealed []byte) ([]byte, error) {
	secret, err := f.box.Open(sealed, userID[:])
	if err != nil {
		return nil, fmt.Errorf("open TOTP secret of user %s: %w", userID, err)
	}
	return secret, nil
}

func totpKey(email string, secret []byte) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: email,
		Secret: secret, Period: uint(totpPeriod.Seconds()), Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("make TOTP key: %w", err)
	}
	return key, nil
}

func totpOptions() totp.ValidateOpts {
	return totp.ValidateOpts{Period: uint(totpPeriod.Seconds()), Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1}
}

// normalizeCode drops the spaces and dashes people type or copy with a code and lower-cases
// it.
func normalizeCode(code string) string {
	if len(code) > 64 {
		return ""
	}
	code = strings.ToLower(code)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}

// groupCode shows a recovery code in groups of recoveryCodeGroup characters.
func groupCode(code string) string {
	var grouped strings.Builder
	for i := 0; i < len(code); i += recoveryCodeGroup {
		if i > 0 {
			grouped.WriteByte('-')
		}
		grouped.WriteString(code[i:min(i+recoveryCodeGroup, len(code))])
	}
	return grouped.String()
}

// CheckPassword confirms that password is the current password of user id before a change
// to their sign-in (turning two-factor sign-in off), without signing anybody in. A wrong
// password is a domain invalid error for field "password".
func (s *Store) CheckPassword(ctx context.Context, id uuid.UUID, password string) error {
	var hash string
	err := s.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.NotFound("no such user")
	}
	if err != nil {
		return fmt.Errorf("select password of user %s: %w", id, err)
	}
	if len(password) > PasswordBytesMax {
		return domain.Invalid("password", "is not your current password")
	}
	match, _, err := verifyPassword(ctx, password, hash)
	if err != nil {
		return fmt.Errorf("verify password of user %s: %w", id, err)
	}
	if !match {
		return domain.Invalid("password", "is not your current password")
	}
	return nil
}
