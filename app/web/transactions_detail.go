package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/projections"
)

// transactionPageView is the data of the pages of one transaction: pages/transaction_detail,
// transaction_edit (Form) and transaction_void (Reason, Errors).
type transactionPageView struct {
	Transaction transactionView
	Form        entryForm
	Reason      string
	Errors      map[string]string
}

// transactionPage answers GET /transactions/:id: one transaction, voided or not. htmx gets
// its rows in the list (which cancels an inline amendment).
func (s *Server) transactionPage(c *fiber.Ctx) error {
	id, err := transactionIDParam(c)
	if err != nil {
		return err
	}
	entry, err := projections.Transaction(c.UserContext(), s.pool, bookOf(c), id)
	if err != nil {
		return err
	}

	data := transactionPageView{Transaction: newTransactionView(entry)}
	return s.renderPart(c, "transaction_detail", "journal_entry_fragment", nil, data)
}

// renderTransactionRows answers htmx with the rows of the transaction id in the list, as
// stored now, and raises the events that reload what the change affected.
func (s *Server) renderTransactionRows(c *fiber.Ctx, id uuid.UUID, alert string,
	events string) error {
	entry, err := projections.Transaction(c.UserContext(), s.pool, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	if events != "" {
		c.Set("HX-Trigger", events)
	}
	view := newTransactionView(entry)
	view.Alert = alert
	return s.render(c, "transaction_detail", "journal_entry_fragment",
		transactionPageView{Transaction: view})
}
