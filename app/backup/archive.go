// Package backup writes a whole Folio instance into one archive and restores it.
//
// The archive is a gzip-compressed tar stream, written in one pass with bounded memory:
//
//	schema.json             the format, the migrations applied, each table with its columns
//	tables/<table>/<n>.tsv  the rows of one table, in PostgreSQL's COPY text format
//	events/<n>.jsonl        every event as stored, one JSON object per line
//	documents/<path>        every file under the upload folder, byte for byte
//	manifest.json           counts, stream heads and the SHA-256 of every entry above
//
// Every table of the public schema is copied except the event store's own (events travel as
// JSON and are imported with their hash chain checked), the read models (rebuilt from the
// events after a restore) and what only lives for a while (sessions, sign-in throttles,
// rebuild runs). The database part is read in one REPEATABLE READ snapshot, so it is
// consistent at one instant while the app keeps running.
package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
)

// Format names this archive layout.
const Format = "folio-backup-v1"

// Entry names and limits.
const (
	schemaEntry   = "schema.json"
	manifestEntry = "manifest.json"
	tablesPrefix  = "tables/"
	eventsPrefix  = "events/"
	docsPrefix    = "documents/"

	// chunkBytes bounds one table or events entry, which is held in memory while written.
	chunkBytes = 8 << 20
	// chunkEvents bounds the events of one entry, imported in one call.
	chunkEvents = 10_000
	// metadataBytesMax bounds schema.json and manifest.json when read back.
	metadataBytesMax = 64 << 20
)

// skippedTables are copied by other means (the event store), rebuilt (projection_state), or
// worth nothing in a restored instance (sessions, throttles, rebuild runs). Read-model tables
// are skipped too: projections.All names them.
var skippedTables = map[string]bool{
	"events": true, "streams": true, "schema_migrations": true, "projection_state": true,
	"web_sessions": true, "login_throttle": true, "rebuild_runs": true,
}

// Schema is the first entry: what the rows that follow fit into.
type Schema struct {
	Format     string        `json:"format"`
	Migrations []string      `json:"migrations"`
	Tables     []TableSchema `json:"tables"` // in an order that satisfies foreign keys
}

// TableSchema names a table and the columns its rows carry, in order.
type TableSchema struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

// Manifest is the last entry: what the archive holds and how to check it.
type Manifest struct {
	Format    string         `json:"format"`
	CreatedAt time.Time      `json:"created_at"`
	Counts    Counts         `json:"counts"`
	Streams   []StreamHead   `json:"streams"`
	Entries   []EntrySummary `json:"entries"`
}

// Counts sums up the archive.
type Counts struct {
	Users         int64            `json:"users"`
	Events        int64            `json:"events"`
	Documents     int64            `json:"documents"`
	DocumentBytes int64            `json:"document_bytes"`
	Rows          map[string]int64 `json:"rows"` // per copied table
}

// StreamHead is one user's chain head at the snapshot.
type StreamHead struct {
	UserID  uuid.UUID `json:"user_id"`
	Version int64     `json:"version"`
	Hash    string    `json:"hash"` // hex
}

// EntrySummary is one archive entry with its size and SHA-256.
type EntrySummary struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// eventLine is one event in an events entry: every stored field but the position and the
// transaction id, which the restoring database assigns anew.
type eventLine struct {
	UserID        uuid.UUID `json:"user_id"`
	Version       int64     `json:"version"`
	Type          string    `json:"type"`
	SchemaVersion int       `json:"schema_version"`
	Payload       string    `json:"payload"` // exactly the stored, hashed text
	RecordedAt    time.Time `json:"recorded_at"`
	ActorID       uuid.UUID `json:"actor_id"`
	CommandID     uuid.UUID `json:"command_id"`
	RequestID     string    `json:"request_id"`
	Hash          string    `json:"hash"` // hex
}

// archiveWriter writes tar entries and remembers their checksums for the manifest.
type archiveWriter struct {
	tar     *tar.Writer
	now     time.Time
	entries []EntrySummary
}

// add writes one entry whose content is in memory.
func (a *archiveWriter) add(name string, data []byte) error {
	header := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: a.now,
		Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := a.tar.WriteHeader(header); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := a.tar.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	a.entries = append(a.entries, EntrySummary{Name: name, Bytes: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// addStream writes one entry of exactly size bytes read from r.
func (a *archiveWriter) addStream(name string, size int64, modTime time.Time, r io.Reader) error {
	header := &tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: modTime,
		Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := a.tar.WriteHeader(header); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	hash := sha256.New()
	written, err := io.CopyN(io.MultiWriter(a.tar, hash), r, size)
	if err != nil {
		return fmt.Errorf("write %s: %d of %d bytes: %w", name, written, size, err)
	}
	a.entries = append(a.entries, EntrySummary{Name: name, Bytes: size,
		SHA256: hex.EncodeToString(hash.Sum(nil))})
	return nil
}
