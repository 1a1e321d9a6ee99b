package documents_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"folio/app/documents"
	"folio/app/documents/pdftest"
	"folio/app/documents/s3test"
	"folio/eventstore/pgtest"
)

// spooled writes content to a new spool file of store's and returns it.
func spooled(t *testing.T, store documents.Storage, owner uuid.UUID, content []byte) *os.File {
	t.Helper()
	spool, err := store.Spool(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spool.Write(content); err != nil {
		t.Fatal(err)
	}
	return spool
}

// readStored opens a stored file and reads it whole.
func readStored(t *testing.T, store documents.Storage, owner uuid.UUID, sha256 string) ([]byte, int64) {
	t.Helper()
	reader, size, err := store.Open(context.Background(), owner, sha256)
	if err != nil {
		t.Fatalf("open %s of %s: %v", sha256, owner, err)
	}
	defer reader.Close()
	read, err := io.ReadAll(reader)
	if err != nil {
		t.Fatal(err)
	}
	return read, size
}

func TestS3KeepOpenRemove(t *testing.T) {
	server := s3test.New(t)
	store := server.Store("books/folio")
	ctx := context.Background()
	owner := uuid.New()
	file := pdftest.Document("Receipt")
	spool := spooled(t, store, owner, file)

	if err := store.Keep(ctx, owner, digest(file), spool); err != nil {
		t.Fatal(err)
	}

	if _, err := os.Stat(spool.Name()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("spool file after Keep: got %v, want it gone", err)
	}
	key := "books/folio/" + owner.String() + "/" + digest(file)
	if got := server.Keys(); len(got) != 1 || got[0] != key {
		t.Errorf("keys: got %v, want [%s]", got, key)
	}
	if got := server.Object(key); !bytes.Equal(got, file) {
		t.Errorf("object: got %d bytes, want the file's %d", len(got), len(file))
	}
	read, size := readStored(t, store, owner, digest(file))
	if size != int64(len(file)) || !bytes.Equal(read, file) {
		t.Errorf("open: got %d bytes (size %d), want the file's %d", len(read), size, len(file))
	}

	if err := store.Remove(ctx, owner, digest(file)); err != nil {
		t.Fatal(err)
	}
	if got := server.Keys(); len(got) != 0 {
		t.Errorf("keys after Remove: got %v, want none", got)
	}
	if _, _, err := store.Open(ctx, owner, digest(file)); !errors.Is(err, documents.ErrNotStored) {
		t.Errorf("open after Remove: got %v, want ErrNotStored", err)
	}
	if err := store.Remove(ctx, owner, digest(file)); err != nil {
		t.Errorf("remove of a file not stored: got %v, want nil", err)
	}
}

func TestS3OpenOfAFileNeverStoredIsErrNotStored(t *testing.T) {
	store := s3test.New(t).Store("")

	_, _, err := store.Open(context.Background(), uuid.New(), digest([]byte("never stored")))

	if !errors.Is(err, documents.ErrNotStored) {
		t.Errorf("got %v, want ErrNotStored", err)
	}
}

func TestS3KeepsTheSameBytesOnce(t *testing.T) {
	server := s3test.New(t)
	store := server.Store("")
	ctx := context.Background()
	owner := uuid.New()
	file := pdftest.Document("Invoice")

	for range 2 {
		if err := store.Keep(ctx, owner, digest(file), spooled(t, store, owner, file)); err != nil {
			t.Fatal(err)
		}
	}

	if got, want := server.Keys(), owner.String()+"/"+digest(file); len(got) != 1 || got[0] != want {
		t.Errorf("keys: got %v, want [%s]", got, want)
	}
	if read, _ := readStored(t, store, owner, digest(file)); !bytes.Equal(read, file) {
		t.Errorf("open: got %d bytes, want the file's %d", len(read), len(file))
	}
}

func TestS3KeepsOwnersApart(t *testing.T) {
	server := s3test.New(t)
	store := server.Store("")
	ctx := context.Background()
	ada, bob := uuid.New(), uuid.New()
	file := pdftest.Document("Ada's receipt")
	if err := store.Keep(ctx, ada, digest(file), spooled(t, store, ada, file)); err != nil {
		t.Fatal(err)
	}

	if _, _, err := store.Open(ctx, bob, digest(file)); !errors.Is(err, documents.ErrNotStored) {
		t.Errorf("bob opens ada's file: got %v, want ErrNotStored", err)
	}
	if err := store.Remove(ctx, bob, digest(file)); err != nil {
		t.Fatal(err)
	}
	if read, _ := readStored(t, store, ada, digest(file)); !bytes.Equal(read, file) {
		t.Errorf("ada's file after bob's Remove: got %d bytes, want the file's %d", len(read), len(file))
	}

	// The same bytes kept by both are two objects: removing one leaves the other.
	if err := store.Keep(ctx, bob, digest(file), spooled(t, store, bob, file)); err != nil {
		t.Fatal(err)
	}
	if got := server.Keys(); len(got) != 2 {
		t.Errorf("keys: got %v, want one for each owner", got)
	}
	if err := store.Remove(ctx, bob, digest(file)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Open(ctx, ada, digest(file)); err != nil {
		t.Errorf("ada's file after bob removed his copy: %v", err)
	}
}

func TestS3RefusesKeysFromOutside(t *testing.T) {
	server := s3test.New(t)
	store := server.Store("")
	ctx := context.Background()
	owner := uuid.New()
	for _, digest := range []string{"../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63) + "/"} {
		if _, _, err := store.Open(ctx, owner, digest); err == nil || errors.Is(err, documents.ErrNotStored) {
			t.Errorf("open %q: got %v, want a refusal", digest, err)
		}
		if err := store.Remove(ctx, owner, digest); err == nil {
			t.Errorf("remove %q: accepted", digest)
		}
		spool := spooled(t, store, owner, []byte("%PDF-1.4\n"))
		if err := store.Keep(ctx, owner, digest, spool); err == nil {
			t.Errorf("keep %q: accepted", digest)
		}
		_ = spool.Close()
	}
	if got := server.Keys(); len(got) != 0 {
		t.Errorf("keys: got %v, want none", got)
	}
}

func TestS3SpoolsInItsFolderForTheServerOnly(t *testing.T) {
	server := s3test.New(t)
	options := server.Options("")
	store, err := documents.NewS3(options)
	if err != nil {
		t.Fatal(err)
	}

	spool := spooled(t, store, uuid.New(), []byte("%PDF-1.4\n"))
	defer os.Remove(spool.Name())
	defer spool.Close()

	info, err := spool.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(spool.Name()) != options.SpoolFolder || info.Mode().Perm() != 0o600 {
		t.Errorf("spool file: got %s mode %04o, want in %s mode 0600", spool.Name(),
			info.Mode().Perm(), options.SpoolFolder)
	}
}

func TestS3Check(t *testing.T) {
	server := s3test.New(t)

	if err := server.Store("books").Check(context.Background()); err != nil {
		t.Fatalf("check of a good bucket: %v", err)
	}
	if got := server.Keys(); len(got) != 0 {
		t.Errorf("keys after Check: got %v, want the probe removed", got)
	}

	options := server.Options("")
	options.Bucket = "no-such-bucket"
	missing, err := documents.NewS3(options)
	if err != nil {
		t.Fatal(err)
	}
	err = missing.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bucket no-such-bucket does not exist") {
		t.Errorf("check of a missing bucket: got %v", err)
	}
	owner := uuid.New()
	file := pdftest.Document("Receipt")
	err = missing.Keep(context.Background(), owner, digest(file), spooled(t, missing, owner, file))
	if err == nil || !strings.Contains(err.Error(), "no-such-bucket") ||
		strings.Contains(err.Error(), s3test.SecretKey) {
		t.Errorf("keep in a missing bucket: got %v, want an error naming the bucket and not the key", err)
	}
}

// TestLibraryOnS3 runs a Library, with its locks and read model, on an S3 store.
func TestLibraryOnS3(t *testing.T) {
	server := s3test.New(t)
	library := documents.NewLibrary(server.Store(""), pgtest.NewPool(t))
	ctx := context.Background()
	owner := uuid.New()
	file := pdftest.Document("Receipt")

	upload, err := library.Receive(ctx, owner, bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if err := library.Keep(ctx, upload); err != nil {
		t.Fatal(err)
	}
	reader, size, err := library.Open(ctx, owner, digest(file))
	if err != nil {
		t.Fatal(err)
	}
	read, _ := io.ReadAll(reader)
	_ = reader.Close()
	if size != int64(len(file)) || !bytes.Equal(read, file) {
		t.Errorf("open: got %d bytes (size %d), want the file", len(read), size)
	}

	if err := library.Release(ctx, owner, digest(file)); err != nil {
		t.Fatal(err)
	}
	if got := server.Keys(); len(got) != 0 {
		t.Errorf("keys after Release: got %v, want none", got)
	}
}
