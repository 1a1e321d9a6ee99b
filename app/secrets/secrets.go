// Package secrets seals small secrets (API tokens, private keys) for storage in the
// database: AES-256-GCM under a key derived from SECRET_KEY with HKDF-SHA256, one key per
// purpose, and the owner's id as associated data, so that a sealed value opens only for
// the row it was written for.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// sealVersion is the first byte of every sealed value: it names the algorithm, so that a
// later one can be told apart.
const sealVersion = 1

// ErrOpen means a sealed value did not open: it was changed, belongs to another owner or
// purpose, or was sealed under another SECRET_KEY.
var ErrOpen = errors.New("secrets: the sealed value cannot be opened")

// Box seals and opens values for one purpose. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New derives the key for purpose ("wise token", say) from secretKey.
func New(secretKey, purpose string) (*Box, error) {
	if len(secretKey) < 16 {
		return nil, errors.New("secrets: SECRET_KEY is too short to derive keys from")
	}
	key, err := hkdf.Key(sha256.New, []byte(secretKey), []byte("folio secrets v1"), purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("secrets: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext for owner (a user id, say).
func (b *Box) Seal(plaintext, owner []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails; it crashes the program instead.
	sealed := append([]byte{sealVersion}, nonce...)
	return b.aead.Seal(sealed, nonce, plaintext, owner)
}

// Open decrypts a value Seal returned for the same owner, or returns ErrOpen.
func (b *Box) Open(sealed, owner []byte) ([]byte, error) {
	nonceSize := b.aead.NonceSize()
	if len(sealed) < 1+nonceSize+b.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	plaintext, err := b.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], owner)
	if err != nil {
		return nil, ErrOpen
	}
	return plaintext, nil
}
