package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
)

// closeAccount answers POST /accounts/:id/close. The domain refuses to close an account
// that still holds money; the chart then shows why beside the account (422).
func (s *Server) closeAccount(c *fiber.Ctx) error {
	id, err := accountIDParam(c)
	if err != nil {
		return err
	}
	return s.changeAccount(c, id, domain.CloseAccount{AccountID: id}, "account closed",
		"The account is closed.")
}

// reopenAccount answers POST /accounts/:id/reopen.
func (s *Server) reopenAccount(c *fiber.Ctx) error {
	id, err := accountIDParam(c)
	if err != nil {
		return err
	}
	return s.changeAccount(c, id, domain.ReopenAccount{AccountID: id}, "account reopened",
		"The account is open again.")
}

// changeAccount runs cmd on the account id and answers with the chart of accounts.
func (s *Server) changeAccount(c *fiber.Ctx, id uuid.UUID, cmd domain.Command, logMessage,
	notice string) error {
	_, err := s.ledger.Execute(c.UserContext(), commandMeta(c), cmd)
	if code := domain.ErrorCode(err); code == domain.CodeInvalid || code == domain.CodeConflict {
		return s.accountsRejected(c, func(data *accountsView) error {
			line := data.line(id)
			if line == nil {
				return errNoAccount
			}
			line.Alert = messageOf(err)
			return nil
		})
	}
	if err != nil {
		return err
	}

	s.log(c).Info(logMessage, "user_id", currentUser(c).ID.String(), "account_id", id.String())
	return s.accountsChanged(c, notice)
}
