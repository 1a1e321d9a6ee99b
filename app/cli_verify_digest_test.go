package main

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"folio/app/digest"
)

const digestTestSecret = "9f1c2a7be34d5068c1f7a2e9b04d63c85e7a19f2d0b64c38a5e1f7092bd4c6e3"

// signHead signs the current chain head of email's books as the server would, and writes
// the digest to a file.
func signHead(t *testing.T, c *cli, email string) (string, digest.Digest) {
	t.Helper()
	head := c.query(`SELECT concat_ws(' ', s.user_id, s.version, encode(s.head_hash, 'hex'))
		FROM streams s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, email)[0]
	fields := strings.Fields(head)
	version, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	key, err := digest.LoadKey("", digestTestSecret)
	if err != nil {
		t.Fatal(err)
	}
	signed := digest.Sign(key, digest.Digest{Book: uuid.MustParse(fields[0]), Owner: email,
		Version: version, HeadHash: fields[2], SignedAt: time.Now().UTC().Truncate(time.Second)})
	path := filepath.Join(t.TempDir(), "digest.json")
	if err := os.WriteFile(path, digest.Encode(signed), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, signed
}

func TestVerifyDigestAcceptsAFreshDigestAndRejectsAModifiedOne(t *testing.T) {
	c := newCLI(t)
	c.mustRun("correct horse battery staple\n", "create-user", "--email", "ann@example.com")
	c.recordSpend("ann@example.com", "12.50")
	path, signed := signHead(t, c, "ann@example.com")
	key, _ := digest.LoadKey("", digestTestSecret)
	publicKey := digest.PublicKeyText(key)

	out := c.mustRun("", "verify-digest", path)
	if !strings.Contains(out, "valid: the books of ann@example.com") ||
		!strings.Contains(out, digest.Fingerprint(key.Public().(ed25519.PublicKey))) {
		t.Errorf("fresh digest: got %q", out)
	}
	out = c.mustRun("", "verify-digest", "--public-key", publicKey, "--check-database", path)
	if !strings.Contains(out, "the database still holds this history") {
		t.Errorf("against the database: got %q", out)
	}

	data, _ := os.ReadFile(path)
	modified := filepath.Join(t.TempDir(), "modified.json")
	version := []byte(`"version": ` + strconv.FormatInt(signed.Version, 10))
	_ = os.WriteFile(modified, bytes.Replace(data, version, []byte(`"version": `+strconv.FormatInt(signed.Version-1, 10)), 1), 0o600)
	code, out, _ := c.run("", "verify-digest", modified)
	if code != exitCodeFailure || !strings.Contains(out, "INVALID") || !strings.Contains(out, "signature") {
		t.Errorf("modified digest: got exit %d, %q", code, out)
	}

	other, _ := digest.LoadKey("", "another server's secret")
	code, out, _ = c.run("", "verify-digest", "--public-key", digest.PublicKeyText(other), path)
	if code != exitCodeFailure || !strings.Contains(out, "not by the trusted key") {
		t.Errorf("another signer: got exit %d, %q", code, out)
	}

	c.exec(`ALTER TABLE events DISABLE TRIGGER events_append_only;
		UPDATE events SET payload = replace(payload, '12.5', '1.25')
		WHERE user_id = '` + signed.Book.String() + `' AND event_type = 'TransactionRecorded';
		ALTER TABLE events ENABLE TRIGGER events_append_only;`)
	code, out, _ = c.run("", "verify-digest", "--check-database", path)
	if code != exitCodeFailure || !strings.Contains(out, "INVALID: the chain is broken at event") {
		t.Errorf("rewritten history: got exit %d, %q", code, out)
	}

	for _, args := range [][]string{{"verify-digest"}, {"verify-digest", "a", "b"},
		{"verify-digest", "--public-key", "nonsense", path}} {
		if code, _, _ := c.run("", args...); code != exitCodeUsage {
			t.Errorf("%v: got exit %d, want %d", args, code, exitCodeUsage)
		}
	}
	if code, _, _ := c.run("", "verify-digest", filepath.Join(t.TempDir(), "missing.json")); code != exitCodeFailure {
		t.Errorf("a missing file: got exit %d", code)
	}
}
