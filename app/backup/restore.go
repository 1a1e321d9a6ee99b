package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/eventstore"
	"folio/projections"
)

// ErrNotEmpty means the target already holds data and the restore was not forced.
var ErrNotEmpty = errors.New("the database or the upload folder is not empty")

// RestoreOptions of Restore.
type RestoreOptions struct {
	UploadFolder string
	// Force replaces what the database holds. Documents already in the upload folder are
	// kept; those of the archive are written over files of the same name.
	Force  bool
	Logger *slog.Logger
}

// RestoreReport says what a restore did.
type RestoreReport struct {
	Manifest Manifest
	Rebuild  projections.RebuildReport
	Users    int // whose hash chains and read models were verified
}

// Restore reads an archive written by Write into the database behind pool and the upload
// folder. It refuses (ErrNotEmpty) when either holds data, unless options.Force. Everything
// in the database is written in one transaction that commits only after every entry matched
// the manifest's checksum, every chain was imported with its hashes checked and every stream
// head equals the manifest's; a failure leaves the database as it was and removes the
// documents written. Then the read models are rebuilt and every book verified.
func Restore(ctx context.Context, pool *pgxpool.Pool, r io.Reader, options RestoreOptions) (RestoreReport, error) {
	if options.Logger == nil {
		options.Logger = slog.New(slog.DiscardHandler)
	}
	zipped, err := gzip.NewReader(r)
	if err != nil {
		return RestoreReport{}, fmt.Errorf("not a Folio backup: %w", err)
	}
	archive := tar.NewReader(zipped)
	restore := &restorer{options: options, seen: map[string]EntrySummary{}}

	var report RestoreReport
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		report.Manifest, err = restore.run(ctx, tx, archive)
		return err
	})
	if err != nil {
		restore.removeDocuments()
		return RestoreReport{}, err
	}
	options.Logger.Info("restored", "users", report.Manifest.Counts.Users,
		"events", report.Manifest.Counts.Events, "documents", report.Manifest.Counts.Documents)

	report.Rebuild, err = projections.Rebuild(ctx, pool, projections.RebuildOptions{Logger: options.Logger})
	if err != nil {
		return report, fmt.Errorf("rebuild read models after the restore: %w", err)
	}
	report.Users, err = verifyAll(ctx, pool, report.Manifest.Streams)
	return report, err
}

// restorer reads the entries of one archive inside one transaction.
type restorer struct {
	options   RestoreOptions
	schema    *Schema
	tables    map[string]TableSchema
	seen      map[string]EntrySummary
	documents []string // written so far, removed if the restore fails
	events    int64
}

func (r *restorer) run(ctx context.Context, tx pgx.Tx, archive *tar.Reader) (Manifest, error) {
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return Manifest{}, err
	}
	for {
		header, err := archive.Next()
		if errors.Is(err, io.EOF) {
			return Manifest{}, errors.New("the archive ends without a manifest: it is truncated")
		}
		if err != nil {
			return Manifest{}, fmt.Errorf("read archive: %w", err)
		}
		if header.Typeflag != tar.TypeReg {
			return Manifest{}, fmt.Errorf("unexpected entry %s in the archive", header.Name)
		}
		if header.Name == manifestEntry {
			return r.finish(ctx, tx, archive)
		}
		if r.schema == nil && header.Name != schemaEntry {
			return Manifest{}, fmt.Errorf("not a Folio backup: it starts with %s", header.Name)
		}
		hashed := newHashedReader(archive)
		if err := r.entry(ctx, tx, header, hashed); err != nil {
			return Manifest{}, err
		}
		if _, err := io.Copy(io.Discard, hashed); err != nil {
			return Manifest{}, fmt.Errorf("read %s: %w", header.Name, err)
		}
		r.seen[header.Name] = EntrySummary{Name: header.Name, Bytes: hashed.bytes,
			SHA256: hex.EncodeToString(hashed.hash.Sum(nil))}
	}
}

func (r *restorer) entry(ctx context.Context, tx pgx.Tx, header *tar.Header, content io.Reader) error {
	name := header.Name
	switch {
	case name == schemaEntry:
		return r.begin(ctx, tx, content)
	case strings.HasPrefix(name, tablesPrefix):
		return r.copyTable(ctx, tx, name, content)
	case strings.HasPrefix(name, eventsPrefix):
		return r.importEvents(ctx, tx, name, content)
	case strings.HasPrefix(name, docsPrefix):
		return r.writeDocument(name, content)
	}
	return fmt.Errorf("unexpected entry %s in the archive", name)
}

// begin checks the schema against the database and that the target is empty (or clears it
// when forced).
func (r *restorer) begin(ctx context.Context, tx pgx.Tx, content io.Reader) error {
	var schema Schema
	if err := decodeLimited(content, &schema); err != nil {
		return fmt.Errorf("read %s: %w", schemaEntry, err)
	}
	if schema.Format != Format {
		return fmt.Errorf("the archive's format is %q; this program reads %q", schema.Format, Format)
	}
	rows, err := tx.Query(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	if !slices.Equal(applied, schema.Migrations) {
		return fmt.Errorf("the backup was taken at migrations %s, this database is at %s: "+
			"restore with the version of Folio that took the backup", lastOf(schema.Migrations), lastOf(applied))
	}
	r.schema, r.tables = &schema, map[string]TableSchema{}
	for _, table := range schema.Tables {
		r.tables[table.Name] = table
	}
	if err := r.checkEmpty(ctx, tx); err != nil {
		return err
	}
	return r.clear(ctx, tx)
}

func lastOf(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return names[len(names)-1]
}

// checkEmpty refuses a target that holds users, events or documents, unless forced.
func (r *restorer) checkEmpty(ctx context.Context, tx pgx.Tx) error {
	var users, events int64
	err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM events)`).
		Scan(&users, &events)
	if err != nil {
		return fmt.Errorf("look for existing data: %w", err)
	}
	files, err := countFiles(r.options.UploadFolder)
	if err != nil {
		return err
	}
	if users+events+files == 0 || r.options.Force {
		return nil
	}
	return fmt.Errorf("%w: %d users, %d events, %d files in %s; restore into an empty database "+
		"and folder, or pass --force to replace the data", ErrNotEmpty, users, events, files,
		r.options.UploadFolder)
}

func countFiles(root string) (int64, error) {
	if root == "" {
		return 0, nil
	}
	var files int64
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if entry.Type().IsRegular() {
			files++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("look into %s: %w", root, err)
	}
	return files, nil
}

// clear empties the tables the archive fills (an empty database still has rows that
// migrations seed), and, when forced, the event store, the read models and the sessions.
// Deleting events needs the append-only trigger out of the way for this transaction, which
// takes the rights of the table's owner.
func (r *restorer) clear(ctx context.Context, tx pgx.Tx) error {
	var statements []string
	for _, table := range slices.Backward(r.schema.Tables) {
		statements = append(statements, `DELETE FROM `+pgx.Identifier{"public", table.Name}.Sanitize())
	}
	if r.options.Force {
		statements = append(statements, `ALTER TABLE events DISABLE TRIGGER events_append_only`,
			`DELETE FROM events`, `ALTER TABLE events ENABLE TRIGGER events_append_only`,
			`DELETE FROM streams`, `DELETE FROM web_sessions`, `DELETE FROM rebuild_runs`)
	}
	for _, statement := range statements {
		if _, err := tx.Exec(ctx, statement); err != nil {
			return fmt.Errorf("clear the database (%s): %w", statement, err)
		}
	}
	return nil
}

// copyTable loads one entry of a table's rows. They go through a temporary table so that
// identity columns keep their values (COPY cannot override a GENERATED ALWAYS identity).
func (r *restorer) copyTable(ctx context.Context, tx pgx.Tx, name string, content io.Reader) error {
	tableName, _, _ := strings.Cut(strings.TrimPrefix(name, tablesPrefix), "/")
	table, ok := r.tables[tableName]
	if !ok {
		return fmt.Errorf("entry %s: table %s is not in the schema", name, tableName)
	}
	live := pgx.Identifier{"public", table.Name}.Sanitize()
	staging := pgx.Identifier{"restore_" + table.Name}.Sanitize()
	columns := columnList(table.Columns)
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+staging+` (LIKE `+live+`) ON COMMIT DROP;
		TRUNCATE `+staging)
	if err != nil {
		return fmt.Errorf("restore %s: %w", table.Name, err)
	}
	_, err = tx.Conn().PgConn().CopyFrom(ctx, content, `COPY `+staging+` (`+columns+`) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("restore %s from %s: %w", table.Name, name, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+live+` (`+columns+`) OVERRIDING SYSTEM VALUE
		SELECT `+columns+` FROM `+staging)
	if err != nil {
		return fmt.Errorf("restore %s: %w", table.Name, err)
	}
	return nil
}

// importEvents stores one entry of events as they were, checking that each user's events
// continue the stream and chain to the one before.
func (r *restorer) importEvents(ctx context.Context, tx pgx.Tx, name string, content io.Reader) error {
	scanner := bufio.NewScanner(content)
	scanner.Buffer(make([]byte, 0, 64<<10), chunkBytes)
	var events []eventstore.RecordedEvent
	for scanner.Scan() {
		var line eventLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			return fmt.Errorf("read %s: line %d: %w", name, len(events)+1, err)
		}
		hash, err := hex.DecodeString(line.Hash)
		if err != nil {
			return fmt.Errorf("read %s: event %d of %s: bad hash", name, line.Version, line.UserID)
		}
		events = append(events, eventstore.RecordedEvent{UserID: line.UserID, Version: line.Version,
			Type: line.Type, SchemaVersion: line.SchemaVersion, Payload: []byte(line.Payload),
			RecordedAt: line.RecordedAt, ActorID: line.ActorID, CommandID: line.CommandID,
			RequestID: line.RequestID, Hash: hash})
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := eventstore.Import(ctx, tx, events); err != nil {
		return fmt.Errorf("restore %s: %w", name, err)
	}
	r.events += int64(len(events))
	return nil
}

// writeDocument writes one document under the upload folder, owner-only, refusing any name
// that would leave the folder.
func (r *restorer) writeDocument(name string, content io.Reader) error {
	relative := filepath.FromSlash(strings.TrimPrefix(name, docsPrefix))
	if !filepath.IsLocal(relative) || r.options.UploadFolder == "" {
		return fmt.Errorf("entry %s: not a document path inside the upload folder", name)
	}
	path := filepath.Join(r.options.UploadFolder, relative)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("restore %s: %w", name, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if r.options.Force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	// #nosec G304 -- the operator's restore command names the path; it never comes from a request
	file, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return fmt.Errorf("restore %s: %w", name, err)
	}
	r.documents = append(r.documents, path)
	_, err = io.Copy(file, content)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("restore %s: %w", name, err)
	}
	return nil
}

func (r *restorer) removeDocuments() {
	for _, path := range r.documents {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.options.Logger.Warn("remove a document of a failed restore", "path", path, "error", err)
		}
	}
}

// finish reads the manifest and checks the archive against it before the commit: every
// entry present with its checksum, nothing more, the events all there and every stream head
// equal. Identity sequences then continue after the restored rows.
func (r *restorer) finish(ctx context.Context, tx pgx.Tx, archive *tar.Reader) (Manifest, error) {
	var manifest Manifest
	if err := decodeLimited(archive, &manifest); err != nil {
		return Manifest{}, fmt.Errorf("read %s: %w", manifestEntry, err)
	}
	if _, err := archive.Next(); !errors.Is(err, io.EOF) {
		return Manifest{}, errors.New("the archive goes on after its manifest")
	}
	if r.schema == nil {
		return Manifest{}, errors.New("not a Folio backup: no schema")
	}
	if err := r.checkEntries(manifest); err != nil {
		return Manifest{}, err
	}
	if r.events != manifest.Counts.Events {
		return Manifest{}, fmt.Errorf("restored %d events, the manifest counts %d", r.events,
			manifest.Counts.Events)
	}
	if err := checkStreams(ctx, tx, manifest.Streams); err != nil {
		return Manifest{}, err
	}
	return manifest, r.resetSequences(ctx, tx)
}

func (r *restorer) checkEntries(manifest Manifest) error {
	listed := map[string]bool{}
	for _, want := range manifest.Entries {
		listed[want.Name] = true
		got, ok := r.seen[want.Name]
		if !ok {
			return fmt.Errorf("the archive lacks %s, which its manifest lists", want.Name)
		}
		if got != want {
			return fmt.Errorf("%s is damaged: %d bytes with SHA-256 %s, the manifest says %d bytes "+
				"with %s", want.Name, got.Bytes, got.SHA256, want.Bytes, want.SHA256)
		}
	}
	for name := range r.seen {
		if !listed[name] {
			return fmt.Errorf("the archive holds %s, which its manifest does not list", name)
		}
	}
	return nil
}

func checkStreams(ctx context.Context, tx pgx.Tx, want []StreamHead) error {
	rows, err := tx.Query(ctx, `SELECT user_id, version, head_hash FROM streams
		WHERE version > 0 ORDER BY user_id`)
	if err != nil {
		return fmt.Errorf("read stream heads: %w", err)
	}
	got, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StreamHead, error) {
		var head StreamHead
		var hash []byte
		err := row.Scan(&head.UserID, &head.Version, &hash)
		head.Hash = hex.EncodeToString(hash)
		return head, err
	})
	if err != nil {
		return fmt.Errorf("read stream heads: %w", err)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("the restored chain heads differ from the manifest's (%d streams, %d "+
			"listed)", len(got), len(want))
	}
	return nil
}

// resetSequences moves every identity and serial sequence of the restored tables past the
// highest restored value.
func (r *restorer) resetSequences(ctx context.Context, tx pgx.Tx) error {
	for _, table := range r.schema.Tables {
		qualified := pgx.Identifier{"public", table.Name}.Sanitize()
		for _, column := range table.Columns {
			var sequence *string
			err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, $2)`, qualified, column).
				Scan(&sequence)
			if err != nil {
				return fmt.Errorf("find the sequence of %s.%s: %w", table.Name, column, err)
			}
			if sequence == nil {
				continue
			}
			quoted := pgx.Identifier{column}.Sanitize()
			_, err = tx.Exec(ctx, `SELECT setval($1, coalesce((SELECT max(`+quoted+`) FROM `+
				qualified+`), 1), (SELECT max(`+quoted+`) FROM `+qualified+`) IS NOT NULL)`, *sequence)
			if err != nil {
				return fmt.Errorf("reset the sequence of %s.%s: %w", table.Name, column, err)
			}
		}
	}
	return nil
}

// verifyAll checks every restored book: its hash chain, then its read models against a
// fresh fold.
func verifyAll(ctx context.Context, pool *pgxpool.Pool, streams []StreamHead) (int, error) {
	for _, head := range streams {
		broken, err := eventstore.VerifyChain(ctx, pool, head.UserID)
		if err != nil {
			return 0, err
		}
		if broken != nil {
			return 0, fmt.Errorf("verify after the restore: %w", broken)
		}
		diff, err := projections.Verify(ctx, pool, head.UserID)
		if err != nil {
			return 0, err
		}
		if diff != "" {
			return 0, fmt.Errorf("verify after the restore: read models of %s: %s", head.UserID, diff)
		}
	}
	return len(streams), nil
}

// decodeLimited decodes one JSON document of at most metadataBytesMax.
func decodeLimited(r io.Reader, into any) error {
	data, err := io.ReadAll(io.LimitReader(r, metadataBytesMax+1))
	if err != nil {
		return err
	}
	if len(data) > metadataBytesMax {
		return fmt.Errorf("larger than %d bytes", metadataBytesMax)
	}
	return json.NewDecoder(bytes.NewReader(data)).Decode(into)
}

// hashedReader hashes and counts what is read through it.
type hashedReader struct {
	r     io.Reader
	hash  hash.Hash
	bytes int64
}

func newHashedReader(r io.Reader) *hashedReader {
	return &hashedReader{r: r, hash: sha256.New()}
}

func (h *hashedReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.hash.Write(p[:n])
	h.bytes += int64(n)
	return n, err
}
