// Package documents keeps the PDF files of users' books. A Library receives
// an upload as a stream into a spool file, hashing and counting as it goes,
// checks that it is a PDF, and keeps it through a Storage under its owner and
// its SHA-256, so that the same file is stored once. Folder, the default
// Storage, keeps files on the local disk; S3 keeps them in a bucket of an
// S3-compatible store, which several app instances can share. The handlers
// do not know which one they use.
package documents

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/google/uuid"
)

// ErrNotStored means the storage holds no file of that owner and digest.
var ErrNotStored = errors.New("document file not stored")

// Storage keeps document files, each under its owner and the SHA-256 of its
// bytes (64 lower-case hex digits, checked by the caller). Implementations
// are safe for concurrent use.
type Storage interface {
	// Spool creates an empty temporary file for an upload of owner's, in a
	// place from which Keep can take it. The caller closes and removes it
	// when it is not kept.
	Spool(ctx context.Context, owner uuid.UUID) (*os.File, error)
	// Keep stores the spooled file, whose bytes have the digest sha256, and
	// takes it over: after a successful Keep the spool file is gone. Keeping
	// bytes that are already stored replaces them with the same bytes.
	Keep(ctx context.Context, owner uuid.UUID, sha256 string, spool *os.File) error
	// Open returns the stored file and its size, or ErrNotStored.
	Open(ctx context.Context, owner uuid.UUID, sha256 string) (io.ReadCloser, int64, error)
	// Remove deletes the stored file. Removing a file that is not stored
	// is not an error.
	Remove(ctx context.Context, owner uuid.UUID, sha256 string) error
}
