package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/app/ledger"
	"folio/domain"
)

// openAccount answers POST /accounts (name, type, currency): it opens an account. A rejected
// form comes back with the input kept and the message beside its field (422).
func (s *Server) openAccount(c *fiber.Ctx) error {
	user := currentUser(c)
	form := openAccountForm{Name: formValue(c, "name"), Type: formValue(c, "type"),
		Currency: formValue(c, "currency")}

	_, err := s.ledger.Execute(c.UserContext(), commandMeta(c), domain.OpenAccount{
		Name: form.Name, Type: domain.AccountType(form.Type), Currency: form.Currency})
	if ledger.IsRejection(err) {
		form.Errors = rejectionErrors(err)
		return s.accountsRejected(c, func(data *accountsView) error {
			data.Open = form
			return nil
		})
	}
	if err != nil {
		return err
	}

	s.log(c).Info("account opened", "user_id", user.ID.String())
	return s.accountsChanged(c, "The account “"+form.Name+"” is open.")
}

// accountsRejected answers a refused change to the chart of accounts with the chart, marked
// by mark, and status 422: the whole page for a plain form, the chart for htmx.
func (s *Server) accountsRejected(c *fiber.Ctx, mark func(*accountsView) error) error {
	data, err := s.loadAccountsView(c, currentUser(c).ID)
	if err != nil {
		return err
	}
	err = mark(&data)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderPart(c, "accounts", "accounts_section", nil, data)
}
