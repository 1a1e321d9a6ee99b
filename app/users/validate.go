package users

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"folio/domain"
)

// Limits on what people type.
const (
	emailBytesMax      = 254
	PasswordLengthMin  = 12   // characters
	PasswordBytesMax   = 1024 // bytes; argon2 accepts more, but nobody types more
	tokenNameLengthMax = 100  // characters
)

// commonPasswords are long enough to pass the length rule yet among the first guesses of any
// attacker. The list is short on purpose: it catches the obvious, not a breach corpus.
var commonPasswords = map[string]bool{
	"password1234": true, "password12345": true, "password123456": true,
	"123456789012": true, "1234567890123": true, "12345678901234": true,
	"qwertyuiopas": true, "qwerty123456": true, "123456qwerty": true,
	"iloveyou1234": true, "letmein12345": true, "welcome12345": true,
	"admin1234567": true, "administrator": true, "passwordpassword": true,
	"aaaaaaaaaaaa": true, "111111111111": true, "000000000000": true,
	"abcdefghijkl": true, "abc123abc123": true, "changeme1234": true,
	"qwertyqwerty": true, "1q2w3e4r5t6y": true, "football1234": true,
}

// NormalizeEmail trims and lower-cases an email address, the form in which it is stored and
// compared.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// validateEmail checks a normalised email: one plain address, no display name, no control or
// space characters.
func validateEmail(email string) error {
	if email == "" {
		return domain.Invalid("email", "enter your email address")
	}
	if len(email) > emailBytesMax || !utf8.ValidString(email) {
		return domain.Invalid("email", "must be at most %d characters", emailBytesMax)
	}
	for _, r := range email {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return domain.Invalid("email", "must not contain spaces")
		}
	}

	address, err := mail.ParseAddress(email)
	if err != nil || address.Address != email || address.Name != "" {
		return domain.Invalid("email", "is not an email address")
	}
	return nil
}

// validatePassword applies the password rules to a new password for the account email.
func validatePassword(field, password, email string) error {
	if utf8.RuneCountInString(password) < PasswordLengthMin {
		return domain.Invalid(field, "must be at least %d characters", PasswordLengthMin)
	}
	if len(password) > PasswordBytesMax {
		return domain.Invalid(field, "must be at most %d bytes", PasswordBytesMax)
	}
	if !utf8.ValidString(password) {
		return domain.Invalid(field, "is not valid text")
	}

	lower := strings.ToLower(password)
	if commonPasswords[lower] {
		return domain.Invalid(field, "is too common; choose another")
	}
	if email != "" && strings.Contains(lower, email) {
		return domain.Invalid(field, "must not contain your email address")
	}
	return nil
}
