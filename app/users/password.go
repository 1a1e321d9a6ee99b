package users

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes: OWASP's second recommended setting (19 MiB, two
// passes, one lane), which takes about 30 ms on one core and leaves the other core of a small
// server free. Hashes keep their own parameters, so changing these only affects new hashes
// and rehashing at the next sign-in.
const (
	argonMemoryKiB  = 19 * 1024
	argonIterations = 2
	argonLanes      = 1
	argonSaltBytes  = 16
	argonKeyBytes   = 32
)

// Limits on parameters read from a stored hash, so that a tampered row cannot make a sign-in
// allocate gigabytes.
const (
	argonMemoryKiBMax  = 256 * 1024
	argonIterationsMax = 16
	argonLanesMax      = 8
)

// hashingConcurrentMax bounds the hashes computed at once. Each holds argonMemoryKiB of
// memory, so a burst of sign-ins waits here instead of exhausting memory.
const hashingConcurrentMax = 4

var hashingSlots = make(chan struct{}, hashingConcurrentMax)

var errMalformedHash = errors.New("malformed password hash")

type argonParams struct {
	memoryKiB  uint32
	iterations uint32
	lanes      uint8
}

var currentParams = argonParams{argonMemoryKiB, argonIterations, argonLanes}

// hashPassword returns password's argon2id hash in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, salt and hash in unpadded standard base64.
func hashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltBytes)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails; it crashes the program instead.

	key, err := deriveKey(ctx, password, salt, currentParams)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		currentParams.memoryKiB, currentParams.iterations, currentParams.lanes,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key)), nil
}

// verifyPassword reports whether password matches encoded, and whether encoded was made with
// other parameters than new hashes use (so the caller may rehash).
func verifyPassword(ctx context.Context, password, encoded string) (match, stale bool, err error) {
	params, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, false, err
	}

	got, err := deriveKey(ctx, password, salt, params)
	if err != nil {
		return false, false, err
	}
	match = subtle.ConstantTimeCompare(got, want) == 1
	return match, params != currentParams || len(want) != argonKeyBytes, nil
}

func deriveKey(ctx context.Context, password string, salt []byte,
	params argonParams) ([]byte, error) {
	select {
	case hashingSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to hash a password: %w", ctx.Err())
	}
	defer func() { <-hashingSlots }()

	key := argon2.IDKey([]byte(password), salt, params.iterations, params.memoryKiB,
		params.lanes, argonKeyBytes)
	return key, nil
}

func parseHash(encoded string) (argonParams, []byte, []byte, error) {
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return argonParams{}, nil, nil, errMalformedHash
	}

	var version int
	_, err := fmt.Sscanf(parts[2], "v=%d", &version)
	if err != nil || version != argon2.Version {
		return argonParams{}, nil, nil, errMalformedHash
	}

	var params argonParams
	_, err = fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &params.memoryKiB, &params.iterations,
		&params.lanes)
	if err != nil || params.memoryKiB == 0 || params.memoryKiB > argonMemoryKiBMax ||
		params.iterations == 0 || params.iterations > argonIterationsMax ||
		params.lanes == 0 || params.lanes > argonLanesMax {
		return argonParams{}, nil, nil, errMalformedHash
	}

	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return argonParams{}, nil, nil, errMalformedHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return argonParams{}, nil, nil, errMalformedHash
	}
	return params, salt, key, nil
}

// decoyHash is a hash of a random password, verified against when an email is unknown so that
// the answer takes as long as for a known email with a wrong password.
var decoyHash = sync.OnceValues(func() (string, error) {
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	return hashPassword(context.Background(), base64.RawStdEncoding.EncodeToString(random))
})
