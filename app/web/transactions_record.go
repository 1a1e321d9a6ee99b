package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// Events that an answer raises in the page (HX-Trigger) so that the parts showing what
// changed reload themselves.
const (
	eventTransactionsChanged = "transactions-changed"
	eventBalancesChanged     = "balances-changed"
)

// recordTransaction answers POST /transactions: it records the entry form's transaction.
// A plain form then returns to next; htmx gets an empty form and the events that reload the
// list and the balances. A rejected form comes back with the input kept and the messages
// beside their fields (422); nothing is stored.
func (s *Server) recordTransaction(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	accounts, err := projections.Accounts(ctx, s.pool, user.ID)
	if err != nil {
		return err
	}
	base, err := s.baseCurrency(ctx, user.ID)
	if err != nil {
		return err
	}

	form := readEntryForm(c, accounts)
	entry, ok := form.entry(accounts, base)
	if !ok {
		return s.entryRejected(c, form, accounts)
	}
	meta := commandMeta(c)
	meta.CommandID = form.CommandID
	_, err = s.ledger.Execute(ctx, meta, domain.RecordTransaction{Entry: entry})
	if ledger.IsRejection(err) {
		form.reject(err)
		return s.entryRejected(c, form, accounts)
	}
	if err != nil {
		return err
	}

	s.log(c).Info("transaction recorded", "user_id", user.ID.String())
	if !isHTMX(c) {
		return c.Redirect(localPath(form.Next), fiber.StatusSeeOther)
	}
	c.Set("HX-Trigger", eventTransactionsChanged+", "+eventBalancesChanged)
	fresh := newEntryForm(c, accounts, form.Next)
	return s.render(c, "transactions", "entry_form", transactionsView{Entry: fresh})
}

// entryRejected answers a rejected entry form with status 422: htmx gets the form, a plain
// form the transactions page around it.
func (s *Server) entryRejected(c *fiber.Ctx, form entryForm,
	accounts []projections.AccountBalance) error {
	data := transactionsView{Entry: form, Balances: newBalanceSheet(accounts)}
	if !isHTMX(c) {
		err := s.loadJournal(c, &data, accounts)
		if err != nil {
			return err
		}
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "transactions", "entry_form", data)
}

// postingRowPage answers GET /transactions/posting-row: one more empty posting row for the
// entry form, which htmx appends. Without htmx there is no form to add it to, so the
// browser goes to the transactions page.
func (s *Server) postingRowPage(c *fiber.Ctx) error {
	c.Vary("HX-Request")
	if !isHTMX(c) || isHistoryRestore(c) {
		return c.Redirect("/transactions", fiber.StatusSeeOther)
	}
	accounts, err := projections.Accounts(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return err
	}
	row := postingRow{Groups: optionGroups(accounts, ""), Errors: map[string]string{}}
	return s.render(c, "transactions", "posting_row_fragment", row)
}

// checkBalance answers POST /transactions/check with the entry form's postings: whether
// they balance, or by how much they are off. It stores nothing; htmx asks as the user types.
func (s *Server) checkBalance(c *fiber.Ctx) error {
	ctx := c.UserContext()
	userID := bookOf(c)
	if !isHTMX(c) {
		return c.Redirect("/transactions", fiber.StatusSeeOther)
	}
	accounts, err := projections.Accounts(ctx, s.pool, userID)
	if err != nil {
		return err
	}
	base, err := s.baseCurrency(ctx, userID)
	if err != nil {
		return err
	}

	form := readEntryForm(c, accounts)
	return s.render(c, "transactions", "balance_check", form.balanceCheck(accounts, base))
}
