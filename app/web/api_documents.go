package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// documentJSON is a document in the API.
type documentJSON struct {
	ID             string    `json:"id"`
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	Name           string    `json:"name"`
	AddedAt        time.Time `json:"added_at"`
	TransactionIDs []string  `json:"transaction_ids"`
}

func documentJSONOf(row projections.DocumentRow) documentJSON {
	document := documentJSON{ID: row.ID.String(), SHA256: row.SHA256, Size: row.Size, Name: row.Name,
		AddedAt: row.AddedAt.UTC(), TransactionIDs: make([]string, 0, len(row.TransactionIDs))}
	for _, id := range row.TransactionIDs {
		document.TransactionIDs = append(document.TransactionIDs, id.String())
	}
	return document
}

// documentsJSON answers GET /api/v1/documents. QuotaBytes 0 means no quota.
type documentsJSON struct {
	Documents  []documentJSON `json:"documents"`
	UsedBytes  int64          `json:"used_bytes"`
	QuotaBytes int64          `json:"quota_bytes"`
}

// apiDocuments answers GET /api/v1/documents with every document, newest
// first, and the storage they use.
func (s *Server) apiDocuments(c *fiber.Ctx) error {
	rows, err := projections.Documents(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return err
	}
	response := documentsJSON{Documents: make([]documentJSON, 0, len(rows)),
		QuotaBytes: s.config.DocumentQuotaBytes}
	for _, row := range rows {
		response.Documents = append(response.Documents, documentJSONOf(row))
		response.UsedBytes += row.Size
	}
	return c.JSON(response)
}

// apiDeleteDocument answers DELETE /api/v1/documents/{id}: the document
// is detached from its transactions and removed, and its file deleted.
func (s *Server) apiDeleteDocument(c *fiber.Ctx) error {
	if err := s.removeDocument(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// removeDocument removes the document named by the route's :id from the
// signed-in user's books, then releases its file.
func (s *Server) removeDocument(c *fiber.Ctx) error {
	owner, err := ownBooks(c)
	if err != nil {
		return err
	}
	document, err := s.findDocument(c, owner)
	if err != nil {
		return err
	}
	_, err = s.ledger.Execute(c.UserContext(), ledgerMeta(c, owner, uuid.Nil),
		domain.RemoveDocument{DocumentID: document.ID})
	if err != nil {
		return err
	}
	return s.documents.Release(c.UserContext(), owner, document.SHA256)
}

// attachmentJSON answers POST /api/v1/transactions/{id}/documents.
type attachmentJSON struct {
	TransactionID string `json:"transaction_id"`
	DocumentID    string `json:"document_id"`
}

// apiAttachDocument answers POST /api/v1/transactions/{id}/documents with
// {"document_id"}: 201 when attached, 200 when it already was.
func (s *Server) apiAttachDocument(c *fiber.Ctx) error {
	var request struct {
		DocumentID string `json:"document_id"`
	}
	if err := decodeJSON(c, &request); err != nil {
		return err
	}
	attachment, err := s.changeAttachment(c, request.DocumentID, true)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if attachment.changed {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(attachmentJSON{TransactionID: attachment.transactionID.String(),
		DocumentID: attachment.documentID.String()})
}

// apiDetachDocument answers DELETE /api/v1/transactions/{id}/documents/{document_id}.
func (s *Server) apiDetachDocument(c *fiber.Ctx) error {
	if _, err := s.changeAttachment(c, c.Params("document_id"), false); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// attachmentChange is what changeAttachment did.
type attachmentChange struct {
	transactionID, documentID uuid.UUID
	changed                   bool // false when it was already so
}

// changeAttachment attaches the document to, or detaches it from, the
// transaction of the route's :id in the signed-in user's books. Unknown and
// foreign ids are 404 alike.
func (s *Server) changeAttachment(c *fiber.Ctx, documentReference string, attach bool) (attachmentChange, error) {
	var change attachmentChange
	owner, err := ownBooks(c)
	if err != nil {
		return change, err
	}
	if change.transactionID, err = uuid.Parse(c.Params("id")); err != nil {
		return change, domain.NotFound("there is no such transaction")
	}
	documentReference = strings.TrimSpace(documentReference)
	if documentReference == "" {
		return change, domain.Invalid("document_id", "choose a document")
	}
	if change.documentID, err = uuid.Parse(documentReference); err != nil {
		return change, errNoSuchDocument
	}

	var command domain.Command = domain.DetachDocument{DocumentID: change.documentID,
		TransactionID: change.transactionID}
	if attach {
		command = domain.AttachDocument{DocumentID: change.documentID, TransactionID: change.transactionID}
	}
	result, err := s.ledger.Execute(c.UserContext(), ledgerMeta(c, owner, uuid.Nil), command)
	change.changed = len(result.Events) > 0
	return change, err
}

// apiTransactionDocuments answers GET /api/v1/transactions/{id}/documents.
func (s *Server) apiTransactionDocuments(c *fiber.Ctx) error {
	_, rows, err := s.transactionDocuments(c)
	if err != nil {
		return err
	}
	response := struct {
		Documents []documentJSON `json:"documents"`
	}{Documents: make([]documentJSON, 0, len(rows))}
	for _, row := range rows {
		response.Documents = append(response.Documents, documentJSONOf(row))
	}
	return c.JSON(response)
}

// transactionDocuments reads the transaction of the route's :id and its
// documents, in the books the request reads.
func (s *Server) transactionDocuments(c *fiber.Ctx) (projections.JournalEntry, []projections.DocumentRow, error) {
	txnID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return projections.JournalEntry{}, nil, domain.NotFound("there is no such transaction")
	}
	txn, err := projections.Transaction(c.UserContext(), s.pool, bookOf(c), txnID)
	if err != nil {
		return projections.JournalEntry{}, nil, err
	}
	rows, err := projections.TransactionDocuments(c.UserContext(), s.pool, bookOf(c), txnID)
	return txn, rows, err
}
