package projections

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"folio/domain"
	"folio/eventstore"
)

// The imports read model lists a user's statement imports for the imports page and
// the API: who imported what and when, the counts, and whether it was undone.

const importsTable = "imports"

var importColumns = []string{"user_id", "import_id", "account_id", "source", "file_name", "file_sha256",
	"imported_at", "imported_by", "created", "duplicates", "undone_at", "undone_by"}

func init() {
	RegisterExtension(Extension{
		Projection: Projection{Name: "imports", Version: 1, Tables: []string{importsTable}},
		Columns:    map[string][]string{importsTable: importColumns},
		Apply:      applyImports,
		Rows:       importRows,
	})
}

func applyImports(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
	table := tables.Name(importsTable)
	for _, e := range events {
		switch event := e.Event.(type) {
		case domain.StatementImported:
			_, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+strings.Join(importColumns, ", ")+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)`,
				pgUUID(e.UserID), pgUUID(event.ImportID), optionalUUID(event.AccountID), event.Source,
				event.FileName, event.FileSHA256, event.ImportedAt, pgUUID(event.ImportedBy),
				len(event.Transactions), event.Duplicates)
			if err != nil {
				return fmt.Errorf("insert import: %w", err)
			}
		case domain.ImportUndone:
			_, err := tx.Exec(ctx, `UPDATE `+table+` SET undone_at = $3, undone_by = $4
				WHERE user_id = $1 AND import_id = $2`,
				pgUUID(e.UserID), pgUUID(event.ImportID), event.UndoneAt, pgUUID(event.UndoneBy))
			if err != nil {
				return fmt.Errorf("mark import undone: %w", err)
			}
		}
	}
	return nil
}

func importRows(userID uuid.UUID, books *domain.Books) map[string][][]any {
	var rows [][]any
	for _, imported := range books.Imports() {
		var undoneAt *time.Time
		var undoneBy pgtype.UUID
		if imported.Undone {
			undoneAt, undoneBy = &imported.UndoneAt, pgUUID(imported.UndoneBy)
		}
		rows = append(rows, []any{pgUUID(userID), pgUUID(imported.ID), optionalUUID(imported.AccountID),
			imported.Source, imported.FileName, imported.FileSHA256, imported.ImportedAt,
			pgUUID(imported.ImportedBy), len(imported.TransactionIDs), imported.Duplicates, undoneAt, undoneBy})
	}
	return map[string][][]any{importsTable: rows}
}

func optionalUUID(id uuid.UUID) pgtype.UUID {
	return pgtype.UUID{Bytes: id, Valid: id != uuid.Nil}
}

// ImportRow is a row of the imports read model.
type ImportRow struct {
	ImportID   uuid.UUID
	AccountID  uuid.UUID // uuid.Nil for an import over several accounts
	Source     string
	FileName   string
	FileSHA256 string
	ImportedAt time.Time
	ImportedBy uuid.UUID
	Created    int
	Duplicates int
	Undone     bool
	UndoneAt   time.Time
}

// Imports returns the user's imports, the most recent first, at most limit of them.
func Imports(ctx context.Context, q eventstore.Querier, userID uuid.UUID, limit int) ([]ImportRow, error) {
	rows, err := q.Query(ctx, `SELECT import_id, account_id, source, file_name, file_sha256, imported_at,
		imported_by, created, duplicates, undone_at FROM imports WHERE user_id = $1
		ORDER BY imported_at DESC, import_id LIMIT $2`, userID, ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ImportRow, error) {
		var r ImportRow
		var account pgtype.UUID
		var undoneAt *time.Time
		err := row.Scan(&r.ImportID, &account, &r.Source, &r.FileName, &r.FileSHA256, &r.ImportedAt,
			&r.ImportedBy, &r.Created, &r.Duplicates, &undoneAt)
		if account.Valid {
			r.AccountID = account.Bytes
		}
		if undoneAt != nil {
			r.Undone, r.UndoneAt = true, *undoneAt
		}
		return r, err
	})
}
