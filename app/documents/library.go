package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/projections"
)

// FileSizeBytesMax is the size of the largest document a Library accepts.
const FileSizeBytesMax = 16 << 20

// ErrTooLarge means an upload has more than FileSizeBytesMax bytes.
var ErrTooLarge = errors.New("document too large")

// ErrIncomplete means an upload could not be read to its end: the client
// stopped sending, or its body was not what it claimed to be.
var ErrIncomplete = errors.New("upload incomplete")

// pdfMagic starts every PDF.
var pdfMagic = []byte("%PDF-")

// lockClass is the first key of the PostgreSQL advisory locks that order
// the file operations of one user's documents across app instances; the
// second is a hash of the user id.
const lockClass = 0x646f6373 // "docs"

// Library receives, keeps and serves the PDF files of users' books. It is
// safe for concurrent use.
//
// A document's file and the event that records it are written in a fixed
// order, so that a document the books hold always has its file: an upload
// is kept after the books recorded it, and a file is released only after
// the books removed its document. Keep and Release take a per-user advisory
// lock, and Release removes the file only when no document of the owner
// has its bytes, so a removal racing a new upload of the same file cannot
// delete the file from under it.
type Library struct {
	storage Storage
	pool    *pgxpool.Pool
}

// NewLibrary returns a Library that keeps files in storage and locks and
// reads the documents read model through pool.
func NewLibrary(storage Storage, pool *pgxpool.Pool) *Library {
	return &Library{storage: storage, pool: pool}
}

// Upload is a received file, checked and hashed, waiting in its spool file
// until it is kept or discarded.
type Upload struct {
	Owner  uuid.UUID
	SHA256 string // lower-case hex
	Size   int64
	spool  *os.File
}

// Receive reads content to its end into a spool file, hashing and counting
// as it goes, and checks that it is a PDF of at most FileSizeBytesMax bytes.
// It stops reading at the first bytes that are not "%PDF-" (ErrNotPDF) and
// one byte past the limit (ErrTooLarge); an error in reading content wraps
// ErrIncomplete. On any error nothing is left behind; otherwise the caller must Keep or Discard the upload.
func (l *Library) Receive(ctx context.Context, owner uuid.UUID, content io.Reader) (*Upload, error) {
	spool, err := l.storage.Spool(ctx, owner)
	if err != nil {
		return nil, err
	}
	upload := &Upload{Owner: owner, spool: spool}
	kept := false
	defer func() {
		if !kept {
			upload.Discard()
		}
	}()

	content = incompleteReader{content}
	hash := sha256.New()
	head := make([]byte, len(pdfMagic))
	if _, err := io.ReadFull(content, head); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: the file is too short", ErrNotPDF)
		}
		return nil, fmt.Errorf("receive document: %w", err)
	}
	if !bytes.Equal(head, pdfMagic) {
		return nil, fmt.Errorf("%w: it does not start with %%PDF-", ErrNotPDF)
	}
	writer := io.MultiWriter(spool, hash)
	if _, err := writer.Write(head); err != nil {
		return nil, fmt.Errorf("spool document: %w", err)
	}
	rest, err := io.Copy(writer, io.LimitReader(content, FileSizeBytesMax-int64(len(head))+1))
	if err != nil {
		return nil, fmt.Errorf("receive document: %w", err)
	}
	upload.Size = int64(len(head)) + rest
	if upload.Size > FileSizeBytesMax {
		return nil, ErrTooLarge
	}
	if err := CheckPDF(spool, upload.Size); err != nil {
		return nil, err
	}
	upload.SHA256 = hex.EncodeToString(hash.Sum(nil))
	kept = true
	return upload, nil
}

// incompleteReader tells errors in reading an upload from errors in
// spooling it.
type incompleteReader struct{ io.Reader }

func (r incompleteReader) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", ErrIncomplete, err)
	}
	return n, err
}

// Discard removes the upload's spool file. It does nothing after Keep, and
// may be called more than once.
func (u *Upload) Discard() {
	if u.spool == nil {
		return
	}
	_ = u.spool.Close()
	_ = os.Remove(u.spool.Name())
	u.spool = nil
}

// Keep stores the upload for good. Call it once the books hold a document
// with its digest; keeping bytes that are already stored is harmless.
func (l *Library) Keep(ctx context.Context, upload *Upload) error {
	if upload.spool == nil {
		return errors.New("documents: keep of an upload that was kept or discarded")
	}
	err := l.locked(ctx, upload.Owner, func(pgx.Tx) error {
		return l.storage.Keep(ctx, upload.Owner, upload.SHA256, upload.spool)
	})
	if err != nil {
		return err
	}
	upload.spool = nil
	return nil
}

// Release removes the file with digest sha256 of owner's, unless one of
// owner's documents still has these bytes. Call it after the books removed
// a document.
func (l *Library) Release(ctx context.Context, owner uuid.UUID, sha256 string) error {
	return l.locked(ctx, owner, func(tx pgx.Tx) error {
		stored, err := projections.DocumentStored(ctx, tx, owner, sha256)
		if err != nil || stored {
			return err
		}
		return l.storage.Remove(ctx, owner, sha256)
	})
}

// Open returns a stored file and its size, or ErrNotStored.
func (l *Library) Open(ctx context.Context, owner uuid.UUID, sha256 string) (io.ReadCloser, int64, error) {
	return l.storage.Open(ctx, owner, sha256)
}

// locked runs fn in a transaction that holds owner's document lock.
func (l *Library) locked(ctx context.Context, owner uuid.UUID, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, int32(lockClass), owner.String()); err != nil {
			return fmt.Errorf("lock documents of %s: %w", owner, err)
		}
		return fn(tx)
	})
}
