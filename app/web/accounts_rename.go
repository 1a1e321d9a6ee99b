package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/domain"
)

// renameAccountPage answers GET /accounts/:id/rename: the chart of accounts with a form to
// rename the account in its place.
func (s *Server) renameAccountPage(c *fiber.Ctx) error {
	id, err := accountIDParam(c)
	if err != nil {
		return err
	}
	data, err := s.loadAccountsView(c, bookOf(c))
	if err != nil {
		return err
	}

	line := data.line(id)
	if line == nil {
		return errNoAccount
	}
	line.Renaming = true
	line.RenameName = line.Name
	return s.renderPart(c, "accounts", "accounts_section", nil, data)
}

// renameAccount answers POST /accounts/:id/rename (name).
func (s *Server) renameAccount(c *fiber.Ctx) error {
	user := currentUser(c)
	id, err := accountIDParam(c)
	if err != nil {
		return err
	}
	name := formValue(c, "name")

	_, err = s.ledger.Execute(c.UserContext(), commandMeta(c),
		domain.RenameAccount{AccountID: id, Name: name})
	if code := domain.ErrorCode(err); code == domain.CodeInvalid || code == domain.CodeConflict {
		return s.accountsRejected(c, func(data *accountsView) error {
			line := data.line(id)
			if line == nil {
				return errNoAccount
			}
			line.Renaming = true
			line.RenameName = name
			line.RenameError = messageOf(err)
			return nil
		})
	}
	if err != nil {
		return err
	}

	s.log(c).Info("account renamed", "user_id", user.ID.String(), "account_id", id.String())
	return s.accountsChanged(c, "The account is now called “"+name+"”.")
}
