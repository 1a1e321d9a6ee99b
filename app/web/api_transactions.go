package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// errNoSuchTransaction answers a transaction id that is malformed, made up or somebody
// else's, all alike.
var errNoSuchTransaction = domain.NotFound("there is no such transaction")

// transactionsResponse is one page of GET /api/v1/transactions. NextCursor is null on the
// last page.
type transactionsResponse struct {
	Transactions []transactionJSON `json:"transactions"`
	NextCursor   *string           `json:"next_cursor"`
}

// apiTransactions answers GET /api/v1/transactions with one page of the journal, newest
// first. Parameters: from and to (dates, inclusive), account (id or name), q (text in the
// description or payee), limit, cursor (next_cursor of the previous page) and
// include_voided.
func (s *Server) apiTransactions(c *fiber.Ctx) error {
	filter, err := s.journalFilter(c)
	if err != nil {
		return err
	}

	page, err := projections.Journal(c.UserContext(), s.pool, bookOf(c), filter)
	if err != nil {
		return err
	}

	response := transactionsResponse{Transactions: make([]transactionJSON, 0, len(page.Entries))}
	for _, entry := range page.Entries {
		response.Transactions = append(response.Transactions, transactionJSONOf(entry))
	}
	if page.Next != nil {
		next := page.Next.String()
		response.NextCursor = &next
	}
	return c.JSON(response)
}

// journalFilter reads the query parameters of apiTransactions. Malformed ones are 400.
func (s *Server) journalFilter(c *fiber.Ctx) (projections.JournalFilter, error) {
	var filter projections.JournalFilter
	var err error
	filter.Text = c.Query("q")
	if filter.From, err = queryDate(c, "from"); err != nil {
		return filter, err
	}
	if filter.To, err = queryDate(c, "to"); err != nil {
		return filter, err
	}
	limit, err := queryNumber(c, "limit", projections.PageSizeDefault, 1, projections.PageSizeMax)
	if err != nil {
		return filter, err
	}
	filter.Limit = int(limit)

	if cursor := c.Query("cursor"); cursor != "" {
		if filter.After, err = projections.ParseJournalCursor(cursor); err != nil {
			return filter, asBadParameter(err)
		}
	}
	if voided := c.Query("include_voided"); voided != "" {
		if filter.IncludeVoided, err = strconv.ParseBool(voided); err != nil {
			return filter, badParameter("include_voided", "use true or false")
		}
	}
	if account := c.Query("account"); account != "" {
		if filter.AccountID, err = s.accountIDOf(c, account); err != nil {
			return filter, err
		}
	}
	return filter, nil
}

// accountIDOf finds the account of the books that reference names, by id or by name, in the
// read models. An unknown account and another user's are the same 400.
func (s *Server) accountIDOf(c *fiber.Ctx, reference string) (uuid.UUID, error) {
	accounts, err := projections.Accounts(c.UserContext(), s.pool, bookOf(c))
	if err != nil {
		return uuid.Nil, err
	}
	reference = strings.TrimSpace(reference)
	if id, err := uuid.Parse(reference); err == nil {
		for _, account := range accounts {
			if account.AccountID == id {
				return id, nil
			}
		}
	}
	for _, account := range accounts {
		if strings.EqualFold(account.Name, reference) {
			return account.AccountID, nil
		}
	}
	return uuid.Nil, badParameter("account", "no account has this id or name")
}

// apiTransaction answers GET /api/v1/transactions/{id} with the transaction, voided or not.
func (s *Server) apiTransaction(c *fiber.Ctx) error {
	transactionID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errNoSuchTransaction
	}

	entry, err := projections.Transaction(c.UserContext(), s.pool, bookOf(c), transactionID)
	if err != nil {
		return err
	}
	return c.JSON(transactionJSONOf(entry))
}
