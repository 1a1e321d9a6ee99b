package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"folio/app/config"
	"folio/app/documents"
	"folio/app/documents/pdftest"
	"folio/app/documents/s3test"
)

// s3ProductionEnv is productionEnv with documents in server's bucket, and an upload folder
// that does not exist: with a bucket, check and serve must not need one.
func s3ProductionEnv(t *testing.T, server *s3test.Server) map[string]string {
	t.Helper()
	env := productionEnv(t)
	env["UPLOAD_FOLDER"] = filepath.Join(t.TempDir(), "not-there")
	env["DOCUMENTS_S3_ENDPOINT"] = server.Endpoint
	env["DOCUMENTS_S3_INSECURE"] = "true"
	env["DOCUMENTS_S3_BUCKET"] = s3test.Bucket
	env["DOCUMENTS_S3_ACCESS_KEY"] = s3test.AccessKey
	env["DOCUMENTS_S3_SECRET_KEY"] = s3test.SecretKey
	env["DOCUMENTS_S3_PREFIX"] = "folio"
	return env
}

func TestCheckPassesADocumentBucket(t *testing.T) {
	server := s3test.New(t)

	code, out := runCheckWith(t, s3ProductionEnv(t, server))

	if code != 0 || strings.Contains(out, "FAIL") || strings.Contains(out, "upload folder") ||
		!strings.Contains(out, "pass  document bucket (DOCUMENTS_S3_BUCKET)") ||
		!strings.Contains(out, "plain HTTP, to the loopback host "+server.Endpoint) {
		t.Fatalf("got exit %d:\n%s", code, out)
	}
	if keys := server.Keys(); len(keys) != 0 {
		t.Errorf("check left objects behind: %v", keys)
	}
}

func TestCheckNamesEachDocumentBucketProblem(t *testing.T) {
	tests := []struct {
		name   string
		change func(env map[string]string)
		want   string
	}{
		{"plain HTTP to another host", func(env map[string]string) {
			env["DOCUMENTS_S3_ENDPOINT"] = "s3.example.org:9000"
		}, "DOCUMENTS_S3_ENDPOINT must use https in production"},
		{"a missing bucket", func(env map[string]string) { env["DOCUMENTS_S3_BUCKET"] = "no-such-bucket" },
			"FAIL  document bucket (DOCUMENTS_S3_BUCKET): exists, writable, readable: " +
				"bucket no-such-bucket does not exist"},
		{"nothing listening", func(env map[string]string) { env["DOCUMENTS_S3_ENDPOINT"] = "127.0.0.1:1" },
			"FAIL  document bucket"},
		{"a key without its secret", func(env map[string]string) { env["DOCUMENTS_S3_SECRET_KEY"] = "" },
			"DOCUMENTS_S3_SECRET_KEY must be set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := s3ProductionEnv(t, s3test.New(t))
			tt.change(env)

			code, out := runCheckWith(t, env)

			if code != exitCodeFailure || !strings.Contains(out, tt.want) || !strings.Contains(out, "fix:") {
				t.Fatalf("got exit %d, want %q with a fix:\n%s", code, tt.want, out)
			}
			if strings.Contains(out, s3test.SecretKey) {
				t.Errorf("the output shows the secret key:\n%s", out)
			}
		})
	}
}

func digestOf(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// TestServeKeepsDocumentsWhereTheConfigurationSays checks the storage serve hands the
// web server: the bucket when DOCUMENTS_S3_BUCKET is set, the upload folder otherwise.
func TestServeKeepsDocumentsWhereTheConfigurationSays(t *testing.T) {
	server := s3test.New(t)
	env := s3ProductionEnv(t, server)
	owner := uuid.New()
	file := pdftest.Document("Receipt")
	keep := func(t *testing.T, env map[string]string) {
		t.Helper()
		cfg, err := config.Load(func(name string) string { return env[name] }, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		storage, err := documentStorage(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		spool, err := storage.Spool(context.Background(), owner)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = spool.Write(file)
		if err := storage.Keep(context.Background(), owner, digestOf(file), spool); err != nil {
			t.Fatal(err)
		}
	}

	keep(t, env)
	if got, want := server.Keys(), "folio/"+owner.String()+"/"+digestOf(file); len(got) != 1 || got[0] != want {
		t.Errorf("with a bucket: got keys %v, want [%s]", got, want)
	}
	if _, err := os.Stat(env["UPLOAD_FOLDER"]); !os.IsNotExist(err) {
		t.Errorf("with a bucket, the upload folder was used: %v", err)
	}

	for name := range env {
		if strings.HasPrefix(name, "DOCUMENTS_S3_") {
			delete(env, name)
		}
	}
	keep(t, env)
	folder, err := documents.NewFolder(env["UPLOAD_FOLDER"])
	if err != nil {
		t.Fatal(err)
	}
	reader, _, err := folder.Open(context.Background(), owner, digestOf(file))
	if err != nil {
		t.Fatalf("without a bucket, the file is not in the upload folder: %v", err)
	}
	defer reader.Close()
	if read, _ := io.ReadAll(reader); !bytes.Equal(read, file) {
		t.Errorf("without a bucket: the folder holds %d bytes, want the file's %d", len(read), len(file))
	}
}
