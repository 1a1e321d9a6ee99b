package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// asOfResponse is the trial balance of a book at a point in its history, folded from the
// events alone. Version is the number of events folded; LatestVersion the number the book
// has now. Totals sum each currency's rows (zero in balanced books without prices).
type asOfResponse struct {
	Book          string            `json:"book"`
	Version       int64             `json:"version"`
	LatestVersion int64             `json:"latest_version"`
	TrialBalance  []asOfRowJSON     `json:"trial_balance"`
	Totals        map[string]string `json:"totals"`
}

// asOfRowJSON is one account's balance in one currency.
type asOfRowJSON struct {
	AccountID string `json:"account_id"`
	Account   string `json:"account"`
	Type      string `json:"type"`
	Currency  string `json:"currency"`
	Amount    string `json:"amount"`
}

// apiAsOf answers GET /api/v1/as-of?version=N (right after event N) or ?date=YYYY-MM-DD
// (after the last event recorded by the end of that day, UTC) with the trial balance as it
// was then.
func (s *Server) apiAsOf(c *fiber.Ctx) error {
	access := bookAccessOf(c)
	if c.Query("version") == "" && c.Query("date") == "" {
		return domain.Invalid("version", "give version=N or date=YYYY-MM-DD")
	}
	point, err := parseHistoryPoint(c.Query("version"), c.Query("date"))
	if err != nil {
		return err
	}

	books, latest, err := s.booksAt(c.UserContext(), access.OwnerID, point)
	if err != nil {
		return err
	}

	response := asOfResponse{Book: access.OwnerID.String(), Version: books.Version,
		LatestVersion: latest, TrialBalance: []asOfRowJSON{}, Totals: map[string]string{}}
	totals := map[string]decimal.Decimal{}
	for _, row := range books.TrialBalance(domain.Date{}) {
		response.TrialBalance = append(response.TrialBalance, asOfRowJSON{
			AccountID: row.AccountID.String(), Account: row.AccountName,
			Type: string(row.AccountType), Currency: row.Currency,
			Amount: domain.FormatAmount(row.Amount)})
		totals[row.Currency] = totals[row.Currency].Add(row.Amount)
	}
	for currency, total := range totals {
		response.Totals[currency] = domain.FormatAmount(total)
	}
	return c.JSON(response)
}
