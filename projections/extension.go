package projections

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtypes"
)

// Extension is a read model kept beside the core ones (accounts, journal,
// monthly totals) by a feature that needs tables of its own. It plugs into
// every path the core projections take: inline updates, rebuilds, per-user
// rebuilds and verification.
type Extension struct {
	// Projection names the extension, its version and its tables. Every
	// table has a user_id column and is created by a migration.
	Projection Projection
	// Columns lists each table's columns in the order Rows gives values,
	// user_id first.
	Columns map[string][]string
	// Apply applies one append's events, all of one user, to the
	// extension's tables, inside the append's transaction. Name tables with
	// tables.Name, never literally: during a rebuild they live elsewhere.
	// It runs before the core tables take the events, so it reads the
	// journal as it was before them.
	Apply func(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error
	// Rows derives the extension's rows for one user from a fold of their
	// events: table name to rows of values in Columns order.
	Rows func(userID uuid.UUID, books *domain.Books) map[string][][]any
}

// Tables names read-model tables wherever they currently live.
type Tables struct{ schema schema }

// Name returns the qualified, quoted name of table.
func (t Tables) Name(table string) string { return t.schema.table(table) }

var (
	extensionsMu sync.RWMutex
	extensions   []Extension
)

// RegisterExtension adds an extension. Call it from an init function.
func RegisterExtension(extension Extension) {
	extensionsMu.Lock()
	defer extensionsMu.Unlock()
	for _, table := range extension.Projection.Tables {
		if len(extension.Columns[table]) == 0 || extension.Columns[table][0] != "user_id" {
			panic(fmt.Sprintf("projections: extension %s: table %s needs columns, user_id first",
				extension.Projection.Name, table))
		}
	}
	extensions = append(extensions, extension)
	All = append(All, extension.Projection)
}

func registeredExtensions() []Extension {
	extensionsMu.RLock()
	defer extensionsMu.RUnlock()
	return append([]Extension(nil), extensions...)
}

// applyExtensions runs each extension's inline update.
func applyExtensions(ctx context.Context, tx pgx.Tx, s schema, events []eventstore.RecordedEvent, only map[string]bool) error {
	for _, extension := range registeredExtensions() {
		if only != nil && !only[extension.Projection.Tables[0]] {
			continue
		}
		if err := extension.Apply(ctx, tx, Tables{s}, events); err != nil {
			return fmt.Errorf("project %s: %w", extension.Projection.Name, err)
		}
	}
	return nil
}

// extensionRows derives the rows of the chosen extensions' tables.
func extensionRows(userID uuid.UUID, books *domain.Books, only map[string]bool) []tableData {
	var tables []tableData
	for _, extension := range registeredExtensions() {
		rows := extension.Rows(userID, books)
		for _, table := range extension.Projection.Tables {
			if only[table] {
				tables = append(tables, tableData{name: table, columns: extension.Columns[table], rows: rows[table]})
			}
		}
	}
	return tables
}

// copyExtensions writes derived extension rows into schema s.
func copyExtensions(ctx context.Context, tx pgx.Tx, s schema, userID uuid.UUID, books *domain.Books, only map[string]bool) error {
	for _, table := range extensionRows(userID, books, only) {
		if len(table.rows) == 0 {
			continue
		}
		_, err := pgtypes.CopyFrom(ctx, tx.Conn(), pgx.Identifier{string(s), table.name}, table.columns, table.rows)
		if err != nil {
			return fmt.Errorf("copy %s: %w", table.name, err)
		}
	}
	return nil
}

// diffExtensions compares each extension table's rows for the user with
// rows derived from books. It loads the derived rows into a temporary copy
// of the table and lets PostgreSQL compare, so that values compare as the
// database stores them (1.50 equals 1.5).
func diffExtensions(ctx context.Context, tx pgx.Tx, userID uuid.UUID, books *domain.Books) (string, error) {
	all := map[string]bool{}
	for _, extension := range registeredExtensions() {
		for _, table := range extension.Projection.Tables {
			all[table] = true
		}
	}
	for _, table := range extensionRows(userID, books, all) {
		if diff, err := diffTable(ctx, tx, userID, table); err != nil || diff != "" {
			return diff, err
		}
	}
	return "", nil
}

func diffTable(ctx context.Context, tx pgx.Tx, userID uuid.UUID, table tableData) (string, error) {
	live := schema(liveSchema).table(table.name)
	expected := pgx.Identifier{"verify_" + table.name}.Sanitize()
	columns := strings.Join(table.columns, ", ")
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE `+expected+` (LIKE `+live+`) ON COMMIT DROP`)
	if err != nil {
		return "", fmt.Errorf("verify %s: %w", table.name, err)
	}
	if len(table.rows) > 0 {
		if _, err := pgtypes.CopyFrom(ctx, tx.Conn(), pgx.Identifier{"verify_" + table.name}, table.columns, table.rows); err != nil {
			return "", fmt.Errorf("verify %s: %w", table.name, err)
		}
	}
	var side, row string
	// EXCEPT compares typed values, so numeric 1.50 equals 1.5.
	err = tx.QueryRow(ctx, `
		SELECT 'missing', d::text FROM (SELECT `+columns+` FROM `+expected+`
			EXCEPT SELECT `+columns+` FROM `+live+` WHERE user_id = $1) d
		UNION ALL
		SELECT 'unexpected', d::text FROM (SELECT `+columns+` FROM `+live+` WHERE user_id = $1
			EXCEPT SELECT `+columns+` FROM `+expected+`) d
		ORDER BY 1, 2 LIMIT 1`, userID).Scan(&side, &row)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("verify %s: %w", table.name, err)
	}
	return fmt.Sprintf("%s: %s row %s", table.name, side, row), nil
}
