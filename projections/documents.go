package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
	"folio/eventstore"
)

// documentsProjection keeps the documents of the books and the transactions
// they are attached to.
var documentsProjection = Extension{
	Projection: Projection{Name: "documents", Version: 1, Tables: []string{"documents", "document_links"}},
	Columns: map[string][]string{
		"documents":      {"user_id", "document_id", "sha256", "size_bytes", "name", "added_version"},
		"document_links": {"user_id", "document_id", "transaction_id", "attached_version"},
	},
	Apply: applyDocuments,
	Rows:  documentRows,
}

func init() { RegisterExtension(documentsProjection) }

func documentRows(userID uuid.UUID, books *domain.Books) map[string][][]any {
	var documents, links [][]any
	for _, document := range books.Documents() {
		documents = append(documents, []any{pgUUID(userID), pgUUID(document.ID), document.SHA256,
			document.Size, document.Name, document.AddedVersion})
		for _, attachment := range document.Attachments {
			links = append(links, []any{pgUUID(userID), pgUUID(document.ID),
				pgUUID(attachment.TransactionID), attachment.AttachedVersion})
		}
	}
	return map[string][][]any{"documents": documents, "document_links": links}
}

// applyDocuments turns each document event into one statement; an append
// carries few of them.
func applyDocuments(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
	documents, links := tables.Name("documents"), tables.Name("document_links")
	batch := &pgx.Batch{}
	for _, e := range events {
		switch event := e.Event.(type) {
		case domain.DocumentAdded:
			batch.Queue(`INSERT INTO `+documents+` (user_id, document_id, sha256, size_bytes, name, added_version)
				VALUES ($1, $2, $3, $4, $5, $6)`, e.UserID, event.DocumentID, event.SHA256, event.Size, event.Name, e.Version)
		case domain.DocumentAttached:
			batch.Queue(`INSERT INTO `+links+` (user_id, document_id, transaction_id, attached_version)
				VALUES ($1, $2, $3, $4)`, e.UserID, event.DocumentID, event.TransactionID, e.Version)
		case domain.DocumentDetached:
			batch.Queue(`DELETE FROM `+links+` WHERE user_id = $1 AND document_id = $2 AND transaction_id = $3`,
				e.UserID, event.DocumentID, event.TransactionID)
		case domain.DocumentRemoved:
			batch.Queue(`DELETE FROM `+documents+` WHERE user_id = $1 AND document_id = $2`, e.UserID, event.DocumentID)
		}
	}
	if batch.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("update documents: %w", err)
	}
	return nil
}

// DocumentRow is a document of the books with the transactions it is
// attached to.
type DocumentRow struct {
	ID             uuid.UUID
	SHA256         string
	Size           int64
	Name           string
	AddedVersion   int64
	AddedAt        time.Time
	TransactionIDs []uuid.UUID // in the order they were attached
}

// documentSelect reads DocumentRows; callers add WHERE, GROUP BY and ORDER BY.
const documentSelect = `SELECT d.document_id, d.sha256, d.size_bytes, d.name, d.added_version, e.recorded_at,
		coalesce(array_agg(l.transaction_id ORDER BY l.attached_version) FILTER (WHERE l.transaction_id IS NOT NULL), '{}')
	FROM documents d
	JOIN events e ON e.user_id = d.user_id AND e.version = d.added_version
	LEFT JOIN document_links l ON l.user_id = d.user_id AND l.document_id = d.document_id`

const documentGroup = ` GROUP BY d.document_id, d.sha256, d.size_bytes, d.name, d.added_version, e.recorded_at`

// Documents returns the user's documents, newest first.
func Documents(ctx context.Context, q eventstore.Querier, userID uuid.UUID) ([]DocumentRow, error) {
	rows, err := q.Query(ctx, documentSelect+` WHERE d.user_id = $1`+documentGroup+
		` ORDER BY d.added_version DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("read documents: %w", err)
	}
	return pgx.CollectRows(rows, scanDocumentRow)
}

// Document returns one of the user's documents. Another user's document is
// not found, exactly like a made-up id.
func Document(ctx context.Context, q eventstore.Querier, userID, documentID uuid.UUID) (DocumentRow, error) {
	rows, err := q.Query(ctx, documentSelect+` WHERE d.user_id = $1 AND d.document_id = $2`+documentGroup,
		userID, documentID)
	if err != nil {
		return DocumentRow{}, fmt.Errorf("read document: %w", err)
	}
	documents, err := pgx.CollectRows(rows, scanDocumentRow)
	if err != nil {
		return DocumentRow{}, fmt.Errorf("read document: %w", err)
	}
	if len(documents) == 0 {
		return DocumentRow{}, domain.NotFound("there is no such document")
	}
	return documents[0], nil
}

// TransactionDocuments returns the documents attached to one of the user's
// transactions, in the order they were attached.
func TransactionDocuments(ctx context.Context, q eventstore.Querier, userID, txnID uuid.UUID) ([]DocumentRow, error) {
	rows, err := q.Query(ctx, documentSelect+` WHERE d.user_id = $1 AND d.document_id IN
		(SELECT document_id FROM document_links WHERE user_id = $1 AND transaction_id = $2)`+documentGroup+`
		ORDER BY (SELECT attached_version FROM document_links
			WHERE user_id = $1 AND document_id = d.document_id AND transaction_id = $2)`, userID, txnID)
	if err != nil {
		return nil, fmt.Errorf("read documents of transaction: %w", err)
	}
	return pgx.CollectRows(rows, scanDocumentRow)
}

// DocumentUsage returns how many documents the user keeps and their total size.
func DocumentUsage(ctx context.Context, q eventstore.Querier, userID uuid.UUID) (count int, sizeBytes int64, err error) {
	err = q.QueryRow(ctx, `SELECT count(*), coalesce(sum(size_bytes), 0) FROM documents WHERE user_id = $1`,
		userID).Scan(&count, &sizeBytes)
	if err != nil {
		return 0, 0, fmt.Errorf("read document usage: %w", err)
	}
	return count, sizeBytes, nil
}

// DocumentStored reports whether one of the user's documents has these bytes.
func DocumentStored(ctx context.Context, q eventstore.Querier, userID uuid.UUID, sha256 string) (bool, error) {
	var stored bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE user_id = $1 AND sha256 = $2)`,
		userID, sha256).Scan(&stored)
	if err != nil {
		return false, fmt.Errorf("read document: %w", err)
	}
	return stored, nil
}

func scanDocumentRow(row pgx.CollectableRow) (DocumentRow, error) {
	var d DocumentRow
	err := row.Scan(&d.ID, &d.SHA256, &d.Size, &d.Name, &d.AddedVersion, &d.AddedAt, &d.TransactionIDs)
	return d, err
}
