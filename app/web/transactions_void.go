package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// voidTransactionPage answers GET /transactions/:id/void: the page that asks to confirm
// voiding, for browsers without JavaScript (htmx asks with a dialog instead).
func (s *Server) voidTransactionPage(c *fiber.Ctx) error {
	id, err := transactionIDParam(c)
	if err != nil {
		return err
	}
	entry, err := projections.Transaction(c.UserContext(), s.pool, bookOf(c), id)
	if err != nil {
		return err
	}

	data := transactionPageView{Transaction: newTransactionView(entry), Errors: map[string]string{}}
	data.Transaction.ReadOnly = true
	return s.renderPart(c, "transaction_void", "void_form", nil, data)
}

// voidTransaction answers POST /transactions/:id/void (reason, optional): it takes the
// transaction out of the books. A plain form then returns to the list; htmx gets the
// transaction's rows, marked voided, and the event that reloads the balances. A refusal
// comes back on the confirmation page, or for htmx on the rows (422).
func (s *Server) voidTransaction(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	id, err := transactionIDParam(c)
	if err != nil {
		return err
	}
	stored, err := projections.Transaction(ctx, s.pool, user.ID, id)
	if err != nil {
		return err
	}
	reason := formValue(c, "reason")

	_, err = s.ledger.Execute(ctx, commandMeta(c),
		domain.VoidTransaction{TransactionID: id, Reason: reason})
	if ledger.IsRejection(err) {
		c.Status(fiber.StatusUnprocessableEntity)
		if isHTMX(c) {
			return s.renderTransactionRows(c, id, messageOf(err), "")
		}
		errs := rejectionErrors(err)
		if _, besideReason := errs["reason"]; !besideReason {
			errs = map[string]string{"form": messageOf(err)}
		}
		data := transactionPageView{Transaction: newTransactionView(stored), Reason: reason,
			Errors: errs}
		data.Transaction.ReadOnly = true
		return s.render(c, "transaction_void", "void_form", data)
	}
	if err != nil {
		return err
	}

	s.log(c).Info("transaction voided", "user_id", user.ID.String(), "transaction_id", id.String())
	if !isHTMX(c) {
		return c.Redirect("/transactions", fiber.StatusSeeOther)
	}
	return s.renderTransactionRows(c, id, "", eventBalancesChanged)
}
