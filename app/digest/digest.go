// Package digest signs and checks digests of a book's hash chain. A digest states the head
// of one user's chain (the version of the last event and its hash), signed with Ed25519.
// Whoever keeps a digest can later show that the history up to that head was not rewritten:
// rewriting any earlier event changes every hash after it, the head included.
//
// A digest is a small JSON document. The signature covers a fixed text rendering of every
// other field (see message), so the JSON may be re-indented without breaking it.
package digest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Format names this version of the digest, and is the first line of what is signed.
const Format = "folio-chain-digest-v1"

// fileBytesMax bounds a digest file; a real one is well under a kilobyte.
const fileBytesMax = 64 << 10

// Digest is a signed statement of a chain head.
type Digest struct {
	Format string    `json:"format"`
	Book   uuid.UUID `json:"book"`  // the owner's user id
	Owner  string    `json:"owner"` // the owner's email when it was signed, for people
	// Version is the number of events in the chain; HeadHash is the hash of the last one,
	// in hex. A book without events has version 0 and an empty hash.
	Version   int64     `json:"version"`
	HeadHash  string    `json:"head_hash"`
	SignedAt  time.Time `json:"signed_at"`
	PublicKey string    `json:"public_key"` // base64 of the Ed25519 public key
	Signature string    `json:"signature"`  // base64 of the Ed25519 signature of message()
}

// Sign fills in d's format, public key and signature with key.
func Sign(key ed25519.PrivateKey, d Digest) Digest {
	d.Format = Format
	d.SignedAt = d.SignedAt.UTC()
	d.PublicKey = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	d.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, d.message()))
	return d
}

// message is the text that is signed: one field per line, in a fixed order.
func (d Digest) message() []byte {
	var b strings.Builder
	b.WriteString(Format + "\n")
	b.WriteString("book: " + d.Book.String() + "\n")
	b.WriteString("owner: " + strconv.Quote(d.Owner) + "\n")
	b.WriteString("version: " + strconv.FormatInt(d.Version, 10) + "\n")
	b.WriteString("head_hash: " + d.HeadHash + "\n")
	b.WriteString("signed_at: " + d.SignedAt.UTC().Format(time.RFC3339Nano) + "\n")
	b.WriteString("public_key: " + d.PublicKey + "\n")
	return []byte(b.String())
}

// Verify checks that d is well formed and that its signature matches its content and its
// public key. When trusted is not nil, the digest must also have been signed by that key: a
// digest only proves something when its key is known to be the server's.
func Verify(d Digest, trusted ed25519.PublicKey) error {
	if d.Format != Format {
		return fmt.Errorf("unknown format %q: want %q", d.Format, Format)
	}
	if d.Version < 0 {
		return errors.New("the version is negative")
	}
	hash, err := hex.DecodeString(d.HeadHash)
	wantBytes := sha256.Size
	if d.Version == 0 {
		wantBytes = 0 // a book without events has no head
	}
	if err != nil || len(hash) != wantBytes {
		return errors.New("the head hash is not a SHA-256 in hex")
	}
	publicKey, err := ParsePublicKey(d.PublicKey)
	if err != nil {
		return err
	}
	signature, err := base64.StdEncoding.DecodeString(d.Signature)
	if err != nil || len(signature) != ed25519.SignatureSize {
		return errors.New("the signature is not an Ed25519 signature in base64")
	}
	if trusted != nil && !publicKey.Equal(trusted) {
		return fmt.Errorf("signed by key %s, not by the trusted key %s", Fingerprint(publicKey),
			Fingerprint(trusted))
	}
	if !ed25519.Verify(publicKey, d.message(), signature) {
		return errors.New("the signature does not match the content: the digest was altered " +
			"or signed by another key")
	}
	return nil
}

// Encode renders d as indented JSON ending in a newline.
func Encode(d Digest) []byte {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic("digest: encode: " + err.Error()) // every field encodes
	}
	return append(data, '\n')
}

// Parse reads a digest file. Unknown fields and trailing data are refused, so that nothing
// unsigned can hide in a digest.
func Parse(data []byte) (Digest, error) {
	if len(data) > fileBytesMax {
		return Digest{}, fmt.Errorf("a digest is at most %d bytes; this file has %d", fileBytesMax,
			len(data))
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var d Digest
	if err := decoder.Decode(&d); err != nil {
		return Digest{}, fmt.Errorf("not a digest: %w", err)
	}
	if decoder.More() {
		return Digest{}, errors.New("not a digest: data after the JSON object")
	}
	return d, nil
}

// ParsePublicKey reads a base64 Ed25519 public key.
func ParsePublicKey(text string) (ed25519.PublicKey, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, errors.New("the public key is not an Ed25519 public key in base64")
	}
	return ed25519.PublicKey(key), nil
}

// Fingerprint is a short name of a public key for people to compare: the first 16 bytes of
// its SHA-256, in groups of four hex digits.
func Fingerprint(key ed25519.PublicKey) string {
	sum := sha256.Sum256(key)
	text := hex.EncodeToString(sum[:16])
	groups := make([]string, 0, len(text)/4)
	for i := 0; i < len(text); i += 4 {
		groups = append(groups, text[i:i+4])
	}
	return strings.Join(groups, ":")
}
