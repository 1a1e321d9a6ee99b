package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCommandWith runs a command with env as its environment.
func runCommandWith(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	e := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		getenv: func(name string) string { return env[name] }, logger: slog.New(slog.DiscardHandler)}
	return run(context.Background(), e, args), out.String()
}

// TestBackupAndRestoreRefuseADocumentBucket: both handle the upload folder only, so with
// documents in a bucket a backup would hold none of them.
func TestBackupAndRestoreRefuseADocumentBucket(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "folio.tar.gz")
	env := map[string]string{"DATABASE_URL": newCLI(t).url, "UPLOAD_FOLDER": t.TempDir(),
		"DOCUMENTS_S3_BUCKET": "folio-documents"}

	for _, args := range [][]string{{"backup", "--out", archive}, {"restore", "--in", archive}} {
		code, out := runCommandWith(t, env, args...)
		if code != exitCodeFailure || !strings.Contains(out, "DOCUMENTS_S3_BUCKET is set") {
			t.Errorf("%s: got exit %d:\n%s", args[0], code, out)
		}
	}
	if _, err := os.Stat(archive); !os.IsNotExist(err) {
		t.Errorf("backup wrote an archive: %v", err)
	}
}
