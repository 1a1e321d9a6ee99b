package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/projections"
)

// Options of Write.
type Options struct {
	// UploadFolder holds the documents; a folder that does not exist holds none.
	UploadFolder string
	Logger       *slog.Logger
	Now          func() time.Time // nil: time.Now
}

// Write streams a backup of the database behind pool and of the upload folder into w. The
// database is read in one snapshot. Documents are read from the folder as they are when the
// walk reaches them; a document stored after the snapshot may be included without a row that
// names it, which is harmless. Spool files of uploads in progress are left out.
func Write(ctx context.Context, pool *pgxpool.Pool, w io.Writer, options Options) (Manifest, error) {
	if options.Now == nil {
		options.Now = time.Now
	}
	if options.Logger == nil {
		options.Logger = slog.New(slog.DiscardHandler)
	}
	manifest := Manifest{Format: Format, CreatedAt: options.Now().UTC(),
		Counts: Counts{Rows: map[string]int64{}}}
	zipped := gzip.NewWriter(w)
	archive := &archiveWriter{tar: tar.NewWriter(zipped), now: manifest.CreatedAt}

	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// A large log takes longer to read than any request may.
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		return writeDatabase(ctx, tx, archive, &manifest, options.Logger)
	})
	if err != nil {
		return Manifest{}, err
	}
	if err := writeDocuments(archive, &manifest, options); err != nil {
		return Manifest{}, err
	}

	manifest.Entries = archive.entries
	data, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("encode manifest: %w", err)
	}
	if err := archive.add(manifestEntry, data); err != nil {
		return Manifest{}, err
	}
	if err := archive.tar.Close(); err != nil {
		return Manifest{}, fmt.Errorf("finish archive: %w", err)
	}
	if err := zipped.Close(); err != nil {
		return Manifest{}, fmt.Errorf("finish archive: %w", err)
	}
	return manifest, nil
}

func writeDatabase(ctx context.Context, tx pgx.Tx, archive *archiveWriter, manifest *Manifest,
	logger *slog.Logger) error {
	schema, err := readSchema(ctx, tx)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return fmt.Errorf("encode schema: %w", err)
	}
	if err := archive.add(schemaEntry, data); err != nil {
		return err
	}
	for _, table := range schema.Tables {
		rows, err := writeTable(ctx, tx, archive, table)
		if err != nil {
			return err
		}
		manifest.Counts.Rows[table.Name] = rows
		logger.Info("backed up table", "table", table.Name, "rows", rows)
	}
	manifest.Counts.Users = manifest.Counts.Rows["users"]
	if manifest.Counts.Events, err = writeEvents(ctx, tx, archive); err != nil {
		return err
	}
	logger.Info("backed up events", "events", manifest.Counts.Events)
	manifest.Streams, err = readStreamHeads(ctx, tx)
	return err
}

// readSchema lists the applied migrations and the tables to copy, parents before children.
func readSchema(ctx context.Context, q pgx.Tx) (Schema, error) {
	schema := Schema{Format: Format}
	rows, err := q.Query(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return schema, fmt.Errorf("read migrations: %w", err)
	}
	if schema.Migrations, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return schema, fmt.Errorf("read migrations: %w", err)
	}
	names, err := copiedTables(ctx, q)
	if err != nil {
		return schema, err
	}
	for _, name := range names {
		columns, err := tableColumns(ctx, q, name)
		if err != nil {
			return schema, err
		}
		schema.Tables = append(schema.Tables, TableSchema{Name: name, Columns: columns})
	}
	return schema, nil
}

// copiedTables returns the public tables to copy, ordered so that a table comes after every
// table its foreign keys reference.
func copiedTables(ctx context.Context, q pgx.Tx) ([]string, error) {
	readModels := map[string]bool{}
	for _, projection := range projections.All {
		for _, table := range projection.Tables {
			readModels[table] = true
		}
	}
	rows, err := q.Query(ctx, `SELECT c.relname,
			coalesce(array_agg(DISTINCT r.relname) FILTER (WHERE r.relname IS NOT NULL
				AND r.oid <> c.oid), '{}')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		LEFT JOIN pg_constraint f ON f.conrelid = c.oid AND f.contype = 'f'
		LEFT JOIN pg_class r ON r.oid = f.confrelid
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		GROUP BY c.relname ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	parents := map[string][]string{}
	var names []string
	for rows.Next() {
		var name string
		var references []string
		if err := rows.Scan(&name, &references); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if skippedTables[name] || readModels[name] {
			continue
		}
		names = append(names, name)
		parents[name] = references
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return parentsFirst(names, parents)
}

// parentsFirst orders names so that each comes after its parents among names.
func parentsFirst(names []string, parents map[string][]string) ([]string, error) {
	included := map[string]bool{}
	for _, name := range names {
		included[name] = true
	}
	state := map[string]int{} // 1: visiting, 2: done
	var ordered []string
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("foreign keys of %s form a cycle; back it up with pg_dump", name)
		case 2:
			return nil
		}
		state[name] = 1
		for _, parent := range parents[name] {
			if included[parent] {
				if err := visit(parent); err != nil {
					return err
				}
			}
		}
		state[name] = 2
		ordered = append(ordered, name)
		return nil
	}
	for _, name := range names {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	return ordered, nil
}

// tableColumns lists a table's stored columns; generated columns are computed again.
func tableColumns(ctx context.Context, q pgx.Tx, table string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT attname FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
		ORDER BY attnum`, pgx.Identifier{"public", table}.Sanitize())
	if err != nil {
		return nil, fmt.Errorf("list columns of %s: %w", table, err)
	}
	columns, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list columns of %s: %w", table, err)
	}
	return columns, nil
}

func columnList(columns []string) string {
	quoted := make([]string, len(columns))
	for i, column := range columns {
		quoted[i] = pgx.Identifier{column}.Sanitize()
	}
	return strings.Join(quoted, ", ")
}

// writeTable copies a table's rows in COPY text format, in entries of at most chunkBytes
// that end on a row boundary (text format escapes the line breaks inside values).
func writeTable(ctx context.Context, tx pgx.Tx, archive *archiveWriter, table TableSchema) (int64, error) {
	chunks := &chunkWriter{archive: archive, prefix: tablesPrefix + table.Name + "/", suffix: ".tsv"}
	_, err := tx.Conn().PgConn().CopyTo(ctx, chunks, `COPY (SELECT `+columnList(table.Columns)+
		` FROM `+pgx.Identifier{"public", table.Name}.Sanitize()+`) TO STDOUT`)
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", table.Name, err)
	}
	if err := chunks.flushAll(); err != nil {
		return 0, err
	}
	return chunks.rows, nil
}

// chunkWriter collects COPY output and writes it as numbered entries.
type chunkWriter struct {
	archive *archiveWriter
	prefix  string
	suffix  string
	buffer  bytes.Buffer
	count   int
	rows    int64
	err     error
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.buffer.Write(p)
	c.rows += int64(bytes.Count(p, []byte{'\n'}))
	if c.buffer.Len() >= chunkBytes {
		end := bytes.LastIndexByte(c.buffer.Bytes(), '\n') + 1
		if end > 0 {
			rest := append([]byte(nil), c.buffer.Bytes()[end:]...)
			c.buffer.Truncate(end)
			c.err = c.flush()
			c.buffer.Write(rest)
		}
	}
	return len(p), c.err
}

func (c *chunkWriter) flush() error {
	if c.buffer.Len() == 0 {
		return nil
	}
	c.count++
	err := c.archive.add(fmt.Sprintf("%s%06d%s", c.prefix, c.count, c.suffix), c.buffer.Bytes())
	c.buffer.Reset()
	return err
}

func (c *chunkWriter) flushAll() error {
	if c.err != nil {
		return c.err
	}
	return c.flush()
}

// writeEvents writes every event in user and version order, chunkEvents to an entry.
func writeEvents(ctx context.Context, tx pgx.Tx, archive *archiveWriter) (int64, error) {
	rows, err := tx.Query(ctx, `SELECT user_id, version, event_type, schema_version, payload,
		recorded_at, actor_id, command_id, request_id, hash FROM events ORDER BY user_id, version`)
	if err != nil {
		return 0, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	chunks := &chunkWriter{archive: archive, prefix: eventsPrefix, suffix: ".jsonl"}
	encoder := json.NewEncoder(&chunks.buffer)
	var total, inChunk int64
	for rows.Next() {
		var line eventLine
		var hash []byte
		err := rows.Scan(&line.UserID, &line.Version, &line.Type, &line.SchemaVersion, &line.Payload,
			&line.RecordedAt, &line.ActorID, &line.CommandID, &line.RequestID, &hash)
		if err != nil {
			return 0, fmt.Errorf("read events: %w", err)
		}
		line.RecordedAt = line.RecordedAt.UTC()
		line.Hash = hex.EncodeToString(hash)
		if err := encoder.Encode(line); err != nil {
			return 0, fmt.Errorf("encode event %d of %s: %w", line.Version, line.UserID, err)
		}
		total++
		if inChunk++; inChunk == chunkEvents || chunks.buffer.Len() >= chunkBytes {
			if err := chunks.flush(); err != nil {
				return 0, err
			}
			inChunk = 0
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read events: %w", err)
	}
	return total, chunks.flush()
}

func readStreamHeads(ctx context.Context, tx pgx.Tx) ([]StreamHead, error) {
	rows, err := tx.Query(ctx, `SELECT user_id, version, head_hash FROM streams
		WHERE version > 0 ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("read stream heads: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (StreamHead, error) {
		var head StreamHead
		var hash []byte
		err := row.Scan(&head.UserID, &head.Version, &hash)
		head.Hash = hex.EncodeToString(hash)
		return head, err
	})
}

// spoolFile reports whether name is an upload still being written (".upload-….tmp").
func spoolFile(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")
}

// writeDocuments adds every regular file under the upload folder.
func writeDocuments(archive *archiveWriter, manifest *Manifest, options Options) error {
	root := options.UploadFolder
	if root == "" {
		return nil
	}
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		options.Logger.Info("no upload folder: no documents to back up", "folder", root)
		return nil
	}
	return filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read upload folder: %w", err)
		}
		if !entry.Type().IsRegular() || spoolFile(entry.Name()) {
			return nil
		}
		relative, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		added, err := addDocument(archive, path, docsPrefix+filepath.ToSlash(relative))
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed since the walk listed it
		}
		if err != nil {
			return err
		}
		manifest.Counts.Documents++
		manifest.Counts.DocumentBytes += added
		return nil
	})
}

func addDocument(archive *archiveWriter, path, name string) (int64, error) {
	// #nosec G304 -- the operator's backup command names the path; it never comes from a request
	file, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return info.Size(), archive.addStream(name, info.Size(), info.ModTime(), file)
}
