package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// runIn runs a command with UPLOAD_FOLDER set to folder.
func (c *cli) runIn(folder string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errs bytes.Buffer
	env := &environment{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errs,
		getenv: func(name string) string {
			switch name {
			case "DATABASE_URL":
				return c.url
			case "UPLOAD_FOLDER":
				return folder
			}
			return ""
		},
		logger: slog.New(slog.DiscardHandler),
	}
	code = run(context.Background(), env, args)
	return code, out.String(), errs.String()
}

func (c *cli) query(sql string, args ...any) []string {
	c.t.Helper()
	conn, err := pgx.Connect(context.Background(), c.url)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		c.t.Fatal(err)
	}
	return lines
}

// amendAndVoid amends the user's latest transaction and voids it.
func (c *cli) amendAndVoid(email string, txnID uuid.UUID) {
	c.t.Helper()
	ctx := context.Background()
	env := &environment{logger: slog.New(slog.DiscardHandler), getenv: func(string) string { return c.url }}
	db, err := openDatabase(ctx, env)
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	_, service := newLedger(db, env)
	userID, err := userIDByEmail(ctx, db, email)
	if err != nil {
		c.t.Fatal(err)
	}
	var entry domain.Entry
	_ = service.Read(ctx, userID, func(books *domain.Books) error {
		txn, _ := books.Transaction(txnID)
		entry = txn.Entry
		entry.Description = "Market, amended"
		return nil
	})
	meta := ledger.Meta{UserID: userID}
	if _, err := service.Execute(ctx, meta, domain.AmendTransaction{TransactionID: txnID, Entry: entry}); err != nil {
		c.t.Fatal(err)
	}
	if _, err := service.Execute(ctx, meta, domain.VoidTransaction{TransactionID: txnID, Reason: "twice"}); err != nil {
		c.t.Fatal(err)
	}
}

// writeDocument stores a random document as the documents library lays them out.
func writeDocument(t *testing.T, folder string, owner string, size int) {
	t.Helper()
	content := make([]byte, size)
	_, _ = rand.Read(content)
	sum := sha256.Sum256(content)
	path := filepath.Join(folder, "users", owner, "pdfs", hex.EncodeToString(sum[:])+".pdf")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
}

// folderFiles maps every regular file under folder to its SHA-256.
func folderFiles(t *testing.T, folder string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(folder, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || !entry.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		relative, _ := filepath.Rel(folder, path)
		sum := sha256.Sum256(data)
		files[relative] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

// databaseFingerprint renders what a restore must reproduce: every event with its hash,
// every stream head, the users with their password hashes, the grants and access log, and
// every read-model table (the reports read them).
func databaseFingerprint(c *cli) map[string]string {
	c.t.Helper()
	fingerprint := map[string]string{
		"events": strings.Join(c.query(`SELECT concat_ws(' ', user_id, version, event_type,
			schema_version, md5(payload), recorded_at, actor_id, command_id, request_id,
			encode(hash, 'hex')) FROM events ORDER BY user_id, version`), "\n"),
		"streams": strings.Join(c.query(`SELECT concat_ws(' ', user_id, version,
			encode(head_hash, 'hex')) FROM streams ORDER BY user_id`), "\n"),
		"users": strings.Join(c.query(`SELECT concat_ws(' ', id, email, password_hash, is_admin,
			created_at, session_generation) FROM users ORDER BY id`), "\n"),
		"grants": strings.Join(c.query(`SELECT concat_ws(' ', id, owner_id, auditor_id, created_at)
			FROM audit_grants ORDER BY id`), "\n"),
		"access log": strings.Join(c.query(`SELECT concat_ws(' ', id, owner_id, path)
			FROM audit_access_log ORDER BY id`), "\n"),
	}
	for _, projection := range projections.All {
		for _, table := range projection.Tables {
			// Inline updates and rebuilds may store a number at different scales (1.5 and
			// 1.50); the values are what must be equal.
			columns := strings.Join(c.query(`SELECT CASE
					WHEN atttypid = 'numeric'::regtype THEN format('trim_scale(%I)', attname)
					WHEN atttypid = 'numeric[]'::regtype THEN format('(SELECT array_agg(trim_scale(x)
						ORDER BY o) FROM unnest(%I) WITH ORDINALITY u (x, o))', attname)
					ELSE format('%I', attname) END
				FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
				ORDER BY attnum`, table), ", ")
			fingerprint["read model "+table] = strings.Join(c.query(`SELECT coalesce(string_agg(
				row(`+columns+`)::text, E'\n' ORDER BY row(`+columns+`)::text), '')
				FROM `+pgx.Identifier{table}.Sanitize()), "")
		}
	}
	return fingerprint
}

func TestBackupRestoresEveryReportDocumentAndHash(t *testing.T) {
	source := newCLI(t)
	sourceFolder := filepath.Join(t.TempDir(), "uploads")
	for _, email := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
		source.mustRun("correct horse battery staple\n", "create-user", "--email", email)
		source.recordSpend(email, "12.50")
		source.amendAndVoid(email, source.recordSpend(email, "7.25"))
		source.recordSpend(email, "3.10")
		owner := source.query(`SELECT id::text FROM users WHERE email = $1`, email)[0]
		writeDocument(t, sourceFolder, owner, 1000)
		writeDocument(t, sourceFolder, owner, 70_000)
	}
	source.exec(`INSERT INTO audit_grants (id, owner_id, auditor_id, created_at)
		SELECT gen_random_uuid(), a.id, b.id, now() FROM users a, users b
		WHERE a.email = 'ann@example.com' AND b.email = 'bob@example.com';
		INSERT INTO audit_access_log (owner_id, auditor_id, grant_id, method, path, status, accessed_at)
		SELECT owner_id, auditor_id, id, 'GET', '/history', 200, now() FROM audit_grants;`)
	spool := filepath.Join(sourceFolder, "users", ".upload-42.tmp")
	if err := os.WriteFile(spool, []byte("half an upload"), 0o600); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "folio.tar.gz")

	code, _, stderr := source.runIn(sourceFolder, "backup", "--out", archive)
	if code != 0 || !strings.Contains(stderr, "backed up 3 users") || !strings.Contains(stderr, "6 documents") {
		t.Fatalf("backup: exit %d, %q", code, stderr)
	}

	target := newCLI(t)
	targetFolder := filepath.Join(t.TempDir(), "restored")
	code, stdout, stderr := target.runIn(targetFolder, "restore", "--in", archive)
	if code != 0 || !strings.Contains(stdout, "verified 3 books") {
		t.Fatalf("restore: exit %d, %q %q", code, stdout, stderr)
	}

	want, got := databaseFingerprint(source), databaseFingerprint(target)
	for name := range want {
		if got[name] != want[name] {
			t.Errorf("%s after the restore:\n got %s\nwant %s", name, got[name], want[name])
		}
	}
	if want["events"] == "" || want["read model journal"] == "" {
		t.Fatal("the fingerprint is empty: the test compares nothing")
	}
	wantFiles := folderFiles(t, sourceFolder)
	delete(wantFiles, filepath.Join("users", ".upload-42.tmp"))
	gotFiles := folderFiles(t, targetFolder)
	if len(gotFiles) != 6 || len(gotFiles) != len(wantFiles) {
		t.Errorf("documents: got %d, want 6", len(gotFiles))
	}
	for name, sum := range wantFiles {
		if gotFiles[name] != sum {
			t.Errorf("document %s: got sha256 %q, want %q", name, gotFiles[name], sum)
		}
	}
	for _, email := range []string{"ann@example.com", "cy@example.com"} {
		wantReplay := source.mustRun("", "replay", "--user", email, "--date", "2999-01-01")
		if gotReplay := target.mustRun("", "replay", "--user", email, "--date", "2999-01-01"); gotReplay != wantReplay {
			t.Errorf("trial balance of %s:\n got %s\nwant %s", email, gotReplay, wantReplay)
		}
	}
	target.mustRun("", "verify")
	// Sequences continue after the restored rows.
	target.exec(`INSERT INTO audit_access_log (owner_id, auditor_id, grant_id, method, path, status, accessed_at)
		SELECT owner_id, auditor_id, grant_id, 'GET', '/verify', 200, now() FROM audit_access_log`)

	code, _, stderr = target.runIn(targetFolder, "restore", "--in", archive)
	if code != exitCodeFailure || !strings.Contains(stderr, "not empty") || !strings.Contains(stderr, "--force") {
		t.Errorf("restore over data: exit %d, %q", code, stderr)
	}
	code, stdout, stderr = target.runIn(targetFolder, "restore", "--in", archive, "--force")
	if code != 0 || !strings.Contains(stdout, "verified 3 books") {
		t.Fatalf("forced restore: exit %d, %q %q", code, stdout, stderr)
	}
	if got := databaseFingerprint(target); got["events"] != want["events"] || got["users"] != want["users"] {
		t.Error("a forced restore did not bring back the backed-up data")
	}
}

// rewriteArchive copies a backup, letting change alter each entry's content.
func rewriteArchive(t *testing.T, from, to string, change func(name string, data []byte) []byte) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	unzipped, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	reader := tar.NewReader(unzipped)
	var out bytes.Buffer
	zipped := gzip.NewWriter(&out)
	writer := tar.NewWriter(zipped)
	for {
		header, err := reader.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(reader)
		if err != nil {
			t.Fatal(err)
		}
		data = change(header.Name, data)
		header.Size = int64(len(data))
		if err := writer.WriteHeader(header); err != nil {
			t.Fatal(err)
		}
		_, _ = writer.Write(data)
	}
	_ = writer.Close()
	_ = zipped.Close()
	if err := os.WriteFile(to, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreRefusesADamagedArchiveAndLeavesNothing(t *testing.T) {
	source := newCLI(t)
	sourceFolder := t.TempDir()
	source.mustRun("correct horse battery staple\n", "create-user", "--email", "ann@example.com")
	source.recordSpend("ann@example.com", "12.50")
	writeDocument(t, sourceFolder, source.query(`SELECT id::text FROM users`)[0], 500)
	archive := filepath.Join(t.TempDir(), "folio.tar.gz")
	if code, _, stderr := source.runIn(sourceFolder, "backup", "--out", archive); code != 0 {
		t.Fatalf("backup: exit %d, %q", code, stderr)
	}

	cases := map[string]struct {
		change func(name string, data []byte) []byte
		want   string
	}{
		"a changed document": {func(name string, data []byte) []byte {
			if strings.HasPrefix(name, "documents/") {
				data[0] ^= 1
			}
			return data
		}, "damaged"},
		"a changed event": {func(name string, data []byte) []byte {
			if strings.HasPrefix(name, "events/") {
				return bytes.Replace(data, []byte(`12.5`), []byte(`1.25`), 1)
			}
			return data
		}, "does not chain"},
		"no manifest": {func(name string, data []byte) []byte {
			if name == "manifest.json" {
				return []byte(`{"format": "folio-backup-v1", "entries": []}`)
			}
			return data
		}, "does not list"},
	}
	for name, test := range cases {
		t.Run(name, func(t *testing.T) {
			damaged := filepath.Join(t.TempDir(), "damaged.tar.gz")
			rewriteArchive(t, archive, damaged, test.change)
			target := newCLI(t)
			targetFolder := filepath.Join(t.TempDir(), "restored")

			code, _, stderr := target.runIn(targetFolder, "restore", "--in", damaged)

			if code != exitCodeFailure || !strings.Contains(stderr, test.want) {
				t.Errorf("got exit %d, %q; want exit 1 with %q", code, stderr, test.want)
			}
			if users := target.query(`SELECT count(*)::text FROM users`)[0]; users != "0" {
				t.Errorf("a failed restore left %s users", users)
			}
			if files := folderFiles(t, targetFolder); len(files) != 0 {
				t.Errorf("a failed restore left documents: %v", files)
			}
		})
	}
	if code, _, stderr := source.runIn(sourceFolder, "restore"); code != exitCodeUsage {
		t.Errorf("restore without --in: exit %d, %q", code, stderr)
	}
	if code, _, stderr := source.runIn(sourceFolder, "backup"); code != exitCodeUsage {
		t.Errorf("backup without --out: exit %d, %q", code, stderr)
	}
}
