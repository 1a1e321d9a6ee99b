package documents_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/uuid"

	"folio/app/documents"
	"folio/app/documents/pdftest"
	"folio/eventstore/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newLibrary(t *testing.T) (*documents.Library, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "uploads")
	folder, err := documents.NewFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	return documents.NewLibrary(folder, pgtest.NewPool(t)), root
}

// files lists every file and folder under root with its permissions.
func files(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	found := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := entry.Info()
		if err != nil {
			return err
		}
		relative, _ := filepath.Rel(root, path)
		found[relative] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestReceiveKeepOpenRelease(t *testing.T) {
	library, root := newLibrary(t)
	ctx := context.Background()
	owner := uuid.New()
	file := pdftest.Document("Receipt")

	upload, err := library.Receive(ctx, owner, bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if upload.SHA256 != digest(file) || upload.Size != int64(len(file)) {
		t.Errorf("got %s, %d bytes; want %s, %d", upload.SHA256, upload.Size, digest(file), len(file))
	}
	if err := library.Keep(ctx, upload); err != nil {
		t.Fatal(err)
	}
	upload.Discard() // after Keep, nothing to do

	stored := filepath.Join("users", owner.String(), "pdfs", digest(file)+".pdf")
	want := map[string]fs.FileMode{".": 0o700, "users": 0o700, filepath.Join("users", owner.String()): 0o700,
		filepath.Join("users", owner.String(), "pdfs"): 0o700, stored: 0o600}
	if got := files(t, root); !equalModes(got, want) {
		t.Errorf("files: got %v, want %v", got, want)
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
	if _, _, err := library.Open(ctx, uuid.New(), digest(file)); !errors.Is(err, documents.ErrNotStored) {
		t.Errorf("another owner opens: got %v, want ErrNotStored", err)
	}

	if err := library.Release(ctx, owner, digest(file)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, stored)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("released file: got %v, want it gone", err)
	}
}

func TestReleaseKeepsFilesTheBooksStillHold(t *testing.T) {
	root := filepath.Join(t.TempDir(), "uploads")
	folder, err := documents.NewFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewPool(t)
	library := documents.NewLibrary(folder, pool)
	ctx := context.Background()
	owner := uuid.New()
	file := pdftest.Document("Invoice")
	upload, err := library.Receive(ctx, owner, bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if err := library.Keep(ctx, upload); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO documents (user_id, document_id, sha256, size_bytes, name, added_version)
		VALUES ($1, $2, $3, $4, 'x.pdf', 1)`, owner, uuid.New(), digest(file), len(file))
	if err != nil {
		t.Fatal(err)
	}

	if err := library.Release(ctx, owner, digest(file)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := library.Open(ctx, owner, digest(file)); err != nil {
		t.Errorf("a file the books hold was released: %v", err)
	}
}

func TestReceiveRefusesAndLeavesNothing(t *testing.T) {
	large := pdftest.Padded("Scan", documents.FileSizeBytesMax)
	tests := []struct {
		name    string
		content io.Reader
		want    error
	}{
		{"PNG named .pdf", strings.NewReader("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 1000)), documents.ErrNotPDF},
		{"HTML named .pdf", strings.NewReader("<html><script>alert(1)</script>"), documents.ErrNotPDF},
		{"PDF header on junk", strings.NewReader("%PDF-1.7\n" + strings.Repeat("junk\n", 100)), documents.ErrNotPDF},
		{"empty", strings.NewReader(""), documents.ErrNotPDF},
		{"one byte over the limit", io.MultiReader(bytes.NewReader(large), strings.NewReader("\n")), documents.ErrTooLarge},
		{"endless", io.MultiReader(strings.NewReader("%PDF-1.4\n"), zeros{}), documents.ErrTooLarge},
		{"broken connection", iotest.TimeoutReader(bytes.NewReader(pdftest.Padded("x", 100_000))), iotest.ErrTimeout},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			library, root := newLibrary(t)
			owner := uuid.New()
			_, err := library.Receive(context.Background(), owner, test.content)
			if !errors.Is(err, test.want) {
				t.Fatalf("got %v, want %v", err, test.want)
			}
			for path := range files(t, root) {
				if strings.HasSuffix(path, ".pdf") || strings.HasSuffix(path, ".tmp") {
					t.Errorf("left behind: %s", path)
				}
			}
		})
	}
}

func TestReceiveTakesExactlyTheLimit(t *testing.T) {
	library, _ := newLibrary(t)
	file := pdftest.Padded("Scan", documents.FileSizeBytesMax)
	upload, err := library.Receive(context.Background(), uuid.New(), bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer upload.Discard()
	if upload.Size != documents.FileSizeBytesMax {
		t.Errorf("size: got %d, want %d", upload.Size, documents.FileSizeBytesMax)
	}
}

func TestFolderRefusesPathsFromOutside(t *testing.T) {
	folder, err := documents.NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, digest := range []string{"../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63) + "/"} {
		if _, _, err := folder.Open(context.Background(), uuid.New(), digest); err == nil || errors.Is(err, documents.ErrNotStored) {
			t.Errorf("open %q: got %v, want a refusal", digest, err)
		}
		if err := folder.Remove(context.Background(), uuid.New(), digest); err == nil {
			t.Errorf("remove %q: accepted", digest)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func equalModes(got, want map[string]fs.FileMode) bool {
	if len(got) != len(want) {
		return false
	}
	for path, mode := range want {
		if got[path] != mode {
			return false
		}
	}
	return true
}
