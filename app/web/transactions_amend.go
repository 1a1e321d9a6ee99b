package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// editTransactionPage answers GET /transactions/:id/edit: the form that amends the
// transaction, filled with its content. htmx gets it in place of the transaction's rows.
func (s *Server) editTransactionPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	userID := bookOf(c)
	id, err := transactionIDParam(c)
	if err != nil {
		return err
	}
	entry, err := projections.Transaction(ctx, s.pool, userID, id)
	if err != nil {
		return err
	}
	if entry.Voided {
		return domain.Conflict("this transaction was voided and can no longer change")
	}
	accounts, err := projections.Accounts(ctx, s.pool, userID)
	if err != nil {
		return err
	}

	data := transactionPageView{Transaction: newTransactionView(entry),
		Form: amendForm(c, entry, accounts)}
	return s.renderPart(c, "transaction_edit", "transaction_edit_fragment", nil, data)
}

// amendTransaction answers POST /transactions/:id with the entry form: the transaction's
// new content, date included. A plain form then goes to the transaction; htmx gets its
// rows and the event that reloads the balances. A rejected form comes back with the input
// kept and the messages beside their fields (422); nothing changes.
func (s *Server) amendTransaction(c *fiber.Ctx) error {
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
	accounts, err := projections.Accounts(ctx, s.pool, user.ID)
	if err != nil {
		return err
	}
	base, err := s.baseCurrency(ctx, user.ID)
	if err != nil {
		return err
	}

	form := readEntryForm(c, accounts)
	form.TransactionID = id
	entry, ok := form.entry(accounts, base)
	if ok {
		_, err = s.ledger.Execute(ctx, commandMeta(c),
			domain.AmendTransaction{TransactionID: id, Entry: entry})
		if ledger.IsRejection(err) {
			form.reject(err)
			ok = false
		} else if err != nil {
			return err
		}
	}
	if !ok {
		c.Status(fiber.StatusUnprocessableEntity)
		data := transactionPageView{Transaction: newTransactionView(stored), Form: form}
		return s.render(c, "transaction_edit", "transaction_edit_fragment", data)
	}

	s.log(c).Info("transaction amended", "user_id", user.ID.String(), "transaction_id", id.String())
	if !isHTMX(c) {
		return c.Redirect("/transactions/"+id.String(), fiber.StatusSeeOther)
	}
	return s.renderTransactionRows(c, id, "", eventBalancesChanged)
}
