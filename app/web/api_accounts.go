package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"folio/domain"
	"folio/projections"
)

// apiAccounts answers GET /api/v1/accounts with every account of the books and its
// balances, in statement order (assets first, then by name).
func (s *Server) apiAccounts(c *fiber.Ctx) error {
	accounts, err := projections.Accounts(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return err
	}

	response := make([]accountJSON, 0, len(accounts))
	for _, account := range accounts {
		response = append(response, accountJSONOf(account))
	}
	return c.JSON(fiber.Map{"accounts": response})
}

// openAccountRequest is the body of POST /api/v1/accounts. A currency of "" or null opens
// an account that holds any currency.
type openAccountRequest struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Currency  string `json:"currency"`
	CommandID string `json:"command_id"`
}

// apiOpenAccount answers POST /api/v1/accounts with 201 and the new account. A repeated
// command_id never opens a second account.
func (s *Server) apiOpenAccount(c *fiber.Ctx) error {
	userID, err := ownBooks(c)
	if err != nil {
		return err
	}
	var request openAccountRequest
	err = decodeJSON(c, &request)
	if err != nil {
		return err
	}
	commandID, err := parseCommandID(request.CommandID)
	if err != nil {
		return err
	}
	accountType, err := domain.ParseAccountType("type", request.Type)
	if err != nil {
		return err
	}

	command := domain.OpenAccount{Name: request.Name, Type: accountType, Currency: request.Currency}
	result, err := s.ledger.Execute(c.UserContext(), ledgerMeta(c, userID, commandID), command)
	if err != nil {
		return err
	}
	opened, ok := firstEvent[domain.AccountOpened](result.Events)
	if !ok {
		return errCommandReused
	}
	account, err := projections.Account(c.UserContext(), s.pool, userID, opened.AccountID)
	if err != nil {
		return fmt.Errorf("read back account %s: %w", opened.AccountID, err)
	}

	s.log(c).Info("account opened", "user_id", userID.String(),
		"account_id", opened.AccountID.String(), "replayed", result.Duplicate)
	if result.Duplicate {
		c.Set(replayedHeader, "true")
	}
	return c.Status(fiber.StatusCreated).JSON(accountJSONOf(account))
}
