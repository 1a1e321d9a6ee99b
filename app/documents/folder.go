package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/uuid"
)

// Permissions of what Folder creates: only the server's own user may read
// documents.
const (
	folderMode fs.FileMode = 0o700
	fileMode   fs.FileMode = 0o600
)

// spoolPattern names spool files. They start with a dot and end in .tmp, so
// they can never be taken for a stored <sha256>.pdf.
const spoolPattern = ".upload-*.tmp"

// Folder keeps documents on the local disk, at
// <root>/users/<owner id>/pdfs/<sha256>.pdf. No part of a path comes from
// what a user typed or uploaded: the owner is a UUID and the digest is
// checked to be hex.
type Folder struct {
	root string
}

// NewFolder returns a Folder rooted at root. The folder is created (mode
// 0700) when the first document is stored; NewFolder only refuses a root
// that exists and is not a folder.
func NewFolder(root string) (*Folder, error) {
	if root == "" {
		return nil, errors.New("documents: the upload folder is not set")
	}
	absolute, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("documents: upload folder %s: %w", root, err)
	}
	info, err := os.Stat(absolute)
	if err == nil && !info.IsDir() {
		return nil, fmt.Errorf("documents: upload folder %s is not a folder", absolute)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("documents: upload folder: %w", err)
	}
	return &Folder{root: absolute}, nil
}

// ownerFolder creates, when needed, and returns the folder of owner's PDFs,
// making sure that it and its parents below the root are 0700 whatever the
// umask.
func (f *Folder) ownerFolder(owner uuid.UUID) (string, error) {
	users := filepath.Join(f.root, "users")
	user := filepath.Join(users, owner.String())
	pdfs := filepath.Join(user, "pdfs")
	if err := os.MkdirAll(pdfs, folderMode); err != nil {
		return "", fmt.Errorf("create document folder: %w", err)
	}
	for _, folder := range []string{users, user, pdfs} {
		// #nosec G302 -- a folder needs its execute bit; folderMode lets only the owner in
		if err := os.Chmod(folder, folderMode); err != nil {
			return "", fmt.Errorf("restrict document folder: %w", err)
		}
	}
	return pdfs, nil
}

func (f *Folder) path(owner uuid.UUID, sha256 string) (string, error) {
	if !isHexDigest(sha256) {
		return "", fmt.Errorf("documents: %q is not a SHA-256 digest", sha256)
	}
	return filepath.Join(f.root, "users", owner.String(), "pdfs", sha256+".pdf"), nil
}

// Spool implements Storage: the spool file is in the owner's folder, so
// that Keep is a rename on the same file system.
func (f *Folder) Spool(_ context.Context, owner uuid.UUID) (*os.File, error) {
	folder, err := f.ownerFolder(owner)
	if err != nil {
		return nil, err
	}
	file, err := os.CreateTemp(folder, spoolPattern)
	if err != nil {
		return nil, fmt.Errorf("create spool file: %w", err)
	}
	return file, nil
}

// Keep implements Storage: it flushes the spool file to disk and renames it
// into place, so that a stored file is never seen half written.
func (f *Folder) Keep(_ context.Context, owner uuid.UUID, sha256 string, spool *os.File) error {
	target, err := f.path(owner, sha256)
	if err != nil {
		return err
	}
	if _, err := f.ownerFolder(owner); err != nil {
		return err
	}
	if err := spool.Chmod(fileMode); err != nil {
		return fmt.Errorf("keep document: %w", err)
	}
	if err := spool.Sync(); err != nil {
		return fmt.Errorf("keep document: %w", err)
	}
	if err := os.Rename(spool.Name(), target); err != nil {
		return fmt.Errorf("keep document: %w", err)
	}
	_ = spool.Close()
	return syncFolder(filepath.Dir(target))
}

// syncFolder makes a rename in folder durable.
func syncFolder(folder string) error {
	// #nosec G304 -- folder is the store's own folder, opened only to fsync it
	handle, err := os.Open(folder)
	if err != nil {
		return fmt.Errorf("sync document folder: %w", err)
	}
	defer handle.Close()
	if err := handle.Sync(); err != nil {
		return fmt.Errorf("sync document folder: %w", err)
	}
	return nil
}

// Open implements Storage.
func (f *Folder) Open(_ context.Context, owner uuid.UUID, sha256 string) (io.ReadCloser, int64, error) {
	target, err := f.path(owner, sha256)
	if err != nil {
		return nil, 0, err
	}
	// #nosec G304 -- target is built from the store's root and a SHA-256 name, never from a request
	file, err := os.Open(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, ErrNotStored
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open document: %w", err)
	}
	info, err := file.Stat()
	if err != nil {
		_ = file.Close()
		return nil, 0, fmt.Errorf("open document: %w", err)
	}
	return file, info.Size(), nil
}

// Remove implements Storage.
func (f *Folder) Remove(_ context.Context, owner uuid.UUID, sha256 string) error {
	target, err := f.path(owner, sha256)
	if err != nil {
		return err
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove document: %w", err)
	}
	return nil
}

func isHexDigest(digest string) bool {
	if len(digest) != 64 {
		return false
	}
	for i := 0; i < len(digest); i++ {
		if b := digest[i]; !isDigit(b) && !('a' <= b && b <= 'f') {
			return false
		}
	}
	return true
}
