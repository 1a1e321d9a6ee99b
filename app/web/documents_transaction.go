package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// transactionDocumentsView is the data of the fragment transaction_documents:
// a transaction's documents, and the others that could be attached to it.
type transactionDocumentsView struct {
	TransactionID uuid.UUID
	Description   string
	Date          domain.Date
	Voided        bool
	Attached      []documentView
	Available     []documentView
	ReadOnly      bool
	Error         string
}

func (s *Server) loadTransactionDocuments(c *fiber.Ctx) (transactionDocumentsView, error) {
	txn, attached, err := s.transactionDocuments(c)
	if err != nil {
		return transactionDocumentsView{}, err
	}
	all, err := projections.Documents(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return transactionDocumentsView{}, err
	}
	view := transactionDocumentsView{TransactionID: txn.TransactionID, Description: txn.Description,
		Date: txn.Date, Voided: txn.Voided, ReadOnly: bookOf(c) != currentUser(c).ID}
	for _, row := range attached {
		view.Attached = append(view.Attached, documentViewOf(row))
	}
	for _, row := range all {
		if !slices.Contains(row.TransactionIDs, txn.TransactionID) {
			view.Available = append(view.Available, documentViewOf(row))
		}
	}
	return view, nil
}

// transactionDocumentsPage answers GET /transactions/{id}/documents: the
// documents of a transaction, with forms to attach and detach them. The
// transaction's own page loads it as a fragment.
func (s *Server) transactionDocumentsPage(c *fiber.Ctx) error {
	view, err := s.loadTransactionDocuments(c)
	if err != nil {
		return err
	}
	return s.render(c, "documents_transaction", "transaction_documents", view)
}

// attachDocument answers POST /transactions/{id}/documents with the form
// field document_id.
func (s *Server) attachDocument(c *fiber.Ctx) error {
	_, err := s.changeAttachment(c, c.FormValue("document_id"), true)
	return s.afterAttachmentChange(c, err)
}

// detachDocument answers POST /transactions/{id}/documents/{document_id}/detach.
func (s *Server) detachDocument(c *fiber.Ctx) error {
	_, err := s.changeAttachment(c, c.Params("document_id"), false)
	return s.afterAttachmentChange(c, err)
}

// afterAttachmentChange shows the transaction's documents again. A
// rejection the user can act on (a voided transaction, a document removed
// meanwhile) is shown in the fragment with 422; an unknown transaction is
// the usual 404, as loading the fragment finds.
func (s *Server) afterAttachmentChange(c *fiber.Ctx, err error) error {
	message := ""
	if err != nil {
		_, code, text, internal := errorStatus(err)
		if internal || code == string(domain.CodeForbidden) {
			return err
		}
		message = text
	}
	if err == nil && !isHTMX(c) {
		return c.Redirect("/transactions/"+c.Params("id")+"/documents", fiber.StatusSeeOther)
	}
	view, loadErr := s.loadTransactionDocuments(c)
	if loadErr != nil {
		return loadErr
	}
	view.Error = message
	if message != "" {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "documents_transaction", "transaction_documents", view)
}
