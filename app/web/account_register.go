package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// registerPageSize is how many postings one page of an account register shows.
const registerPageSize = 50

// registerLineView is one posting of an account register with the balance after it.
type registerLineView struct {
	TransactionID uuid.UUID
	Date          domain.Date
	Description   string
	Payee         string
	Amount        amount
	Balance       amount
}

// registerView is the data of pages/account_register.html.
type registerView struct {
	Account  accountLine
	Lines    []registerLineView
	OlderURL string // the next page, or empty on the last
	Paged    bool   // this is not the first page
}

// accountRegisterPage answers GET /accounts/:id (cursor): the postings of one account,
// newest first, with the running balance. htmx gets the list of postings.
func (s *Server) accountRegisterPage(c *fiber.Ctx) error {
	userID := bookOf(c)
	id, err := accountIDParam(c)
	if err != nil {
		return err
	}
	var after *projections.RegisterCursor
	if cursor := c.Query("cursor"); cursor != "" {
		after, err = projections.ParseRegisterCursor(cursor)
		if err != nil {
			return err
		}
	}

	account, err := projections.Account(c.UserContext(), s.pool, userID, id)
	if err != nil {
		return err
	}
	page, err := projections.Register(c.UserContext(), s.pool, userID, id, registerPageSize, after)
	if err != nil {
		return err
	}

	data := registerView{Account: newAccountLine(account), Paged: after != nil}
	for _, line := range page.Lines {
		data.Lines = append(data.Lines, registerLineView{TransactionID: line.TransactionID,
			Date: line.Date, Description: line.Description, Payee: line.Payee,
			Amount:  newAmount(line.Amount, line.Currency),
			Balance: newAmount(line.Balance, line.Currency)})
	}
	if page.Next != nil {
		data.OlderURL = "/accounts/" + id.String() + "?" +
			url.Values{"cursor": {page.Next.String()}}.Encode()
	}
	return s.renderPart(c, "account_register", "register_lines", nil, data)
}
