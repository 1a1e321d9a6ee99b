package digest

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// keyDerivationInfo separates the signing key from anything else derived from SECRET_KEY.
const keyDerivationInfo = "folio digest signing key v1"

// LoadKey returns the signing key: the Ed25519 key whose seed is seedBase64 (32 bytes in
// standard base64, DIGEST_SIGNING_KEY) when it is set, or else a key derived from secretKey
// (SECRET_KEY) with HKDF-SHA256. A derived key changes when SECRET_KEY changes; digests
// signed before still verify against the public key they carry, but a verifier that pinned
// the old public key will refuse new ones.
func LoadKey(seedBase64, secretKey string) (ed25519.PrivateKey, error) {
	seedBase64 = strings.TrimSpace(seedBase64)
	if seedBase64 != "" {
		seed, err := base64.StdEncoding.DecodeString(seedBase64)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, errors.New("DIGEST_SIGNING_KEY must be 32 bytes in standard base64 " +
				"(generate one with: openssl rand -base64 32)")
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if secretKey == "" {
		return nil, errors.New("no signing key: set DIGEST_SIGNING_KEY or SECRET_KEY")
	}
	seed, err := hkdf.Key(sha256.New, []byte(secretKey), nil, keyDerivationInfo, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// PublicKeyText renders the public half of key in base64, as digests carry it.
func PublicKeyText(key ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
}
