package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secretFileName is the file under the data folder that keeps the development secret.
const secretFileName = "secret_key"

// secretBytes is how much randomness a generated secret holds (512 bits, 128 hex characters).
const secretBytes = 64

// distinctCharactersMin is the fewest different characters a real secret has. A random hex
// string of 64 characters practically always uses more than 10 of its 16 symbols; typed
// placeholders ("aaaa…", "1234…") use few.
const distinctCharactersMin = 10

// placeholderWords are fragments of values people paste from examples instead of generating
// a key. A generated key contains none of them except by a negligible chance.
var placeholderWords = []string{
	"changeme", "change-me", "change_me", "changethis", "example", "placeholder",
	"replace", "secret", "password", "your-", "your_", "insecure", "default", "xxxxxxxx",
	"0123456789", "abcdefgh", "qwerty", "folio",
}

// weakSecret reports whether secret is a known example value or shaped like one: a single
// character repeated, a short pattern repeated, too few distinct characters, or containing
// a placeholder word.
func weakSecret(secret string) bool {
	lower := strings.ToLower(secret)
	for _, word := range placeholderWords {
		if strings.Contains(lower, word) {
			return true
		}
	}

	distinct := make(map[rune]bool)
	for _, r := range secret {
		distinct[r] = true
	}
	if len(distinct) < distinctCharactersMin {
		return true
	}

	return repeatsShortPattern(secret)
}

// repeatsShortPattern reports whether s is a pattern of at most 32 bytes repeated to fill it.
func repeatsShortPattern(s string) bool {
	const patternBytesMax = 32
	for size := 1; size <= patternBytesMax && size < len(s); size++ {
		repeated := strings.Repeat(s[:size], len(s)/size+1)[:len(s)]
		if repeated == s {
			return true
		}
	}
	return false
}

// developmentSecret returns the secret kept in dataDir, creating it on first use with
// permissions 0600 so that only the owner can read it.
func developmentSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, secretFileName)

	// #nosec G304 -- the path is the data folder's secret_key file, chosen by the program
	data, err := os.ReadFile(path)
	if err == nil {
		return checkStoredSecret(path, data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("SECRET_KEY: read %s: %w", path, err)
	}

	err = os.MkdirAll(dataDir, 0o700)
	if err != nil {
		return "", fmt.Errorf("SECRET_KEY: create %s: %w", dataDir, err)
	}

	random := make([]byte, secretBytes)
	_, _ = rand.Read(random) // crypto/rand.Read never fails; it crashes the program instead.
	secret := hex.EncodeToString(random)

	// O_EXCL makes two processes starting at once agree: the loser reads the winner's file.
	// #nosec G304 -- the path is the data folder's secret_key file, chosen by the program
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// #nosec G304 -- the path is the data folder's secret_key file, chosen by the program
		data, err = os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("SECRET_KEY: read %s: %w", path, err)
		}
		return checkStoredSecret(path, data)
	}
	if err != nil {
		return "", fmt.Errorf("SECRET_KEY: create %s: %w", path, err)
	}
	_, err = file.WriteString(secret + "\n")
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", fmt.Errorf("SECRET_KEY: write %s: %w", path, err)
	}
	return secret, nil
}

func checkStoredSecret(path string, data []byte) (string, error) {
	secret := strings.TrimSpace(string(data))
	if len(secret) < SecretKeyLengthMin {
		return "", fmt.Errorf("SECRET_KEY: %s holds fewer than %d characters; delete it to "+
			"generate a new one", path, SecretKeyLengthMin)
	}
	return secret, nil
}
