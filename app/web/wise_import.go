package web

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/imports"
	"folio/app/secrets"
	"folio/app/wise"
	"folio/domain"
)

// Purposes of the keys that seal a user's Wise secrets.
const (
	wiseTokenPurpose = "wise personal token"
	wiseKeyPurpose   = "wise signing key"
	// wiseRangeDaysMax bounds the date range of one Wise import (about ten years).
	wiseRangeDaysMax = 3660
	wiseBalancesMax  = 20
)

// wiseImportRequest is what a Wise import asks for: the body of POST /api/v1/wise/import
// and the fields of the Wise page.
type wiseImportRequest struct {
	ProfileID  int64   `json:"profile_id"`
	BalanceIDs []int64 `json:"balance_ids"`
	From       string  `json:"from"`
	To         string  `json:"to"`
	DryRun     bool    `json:"dry_run"`
}

// wiseClient returns a Wise client with the user's token and signing key, or an invalid
// error when no token is stored.
func (s *Server) wiseClient(ctx context.Context, userID uuid.UUID) (*wise.Client, error) {
	credentials, err := s.loadWiseCredentials(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(credentials.TokenSealed) == 0 {
		return nil, domain.Invalid("token", "store your Wise API token in settings first")
	}
	tokenBox, err := secrets.New(s.config.SecretKey, wiseTokenPurpose)
	if err != nil {
		return nil, err
	}
	token, err := tokenBox.Open(credentials.TokenSealed, userID[:])
	if err != nil {
		return nil, domain.Invalid("token", "the stored Wise token cannot be read (was SECRET_KEY changed?): store it again")
	}
	var key *rsa.PrivateKey
	if len(credentials.PrivateKeySealed) > 0 {
		if key, err = s.openWiseKey(credentials.PrivateKeySealed, userID); err != nil {
			return nil, err
		}
	}
	return wise.New(s.config.WiseAPIURL, string(token), key), nil
}

func (s *Server) openWiseKey(sealed []byte, userID uuid.UUID) (*rsa.PrivateKey, error) {
	keyBox, err := secrets.New(s.config.SecretKey, wiseKeyPurpose)
	if err != nil {
		return nil, err
	}
	der, err := keyBox.Open(sealed, userID[:])
	if err != nil {
		return nil, domain.Invalid("key", "the stored signing key cannot be read: generate a new one in settings")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	key, ok := parsed.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("wise signing key of %s does not parse", userID)
	}
	return key, nil
}

// check validates the request and returns its first and last day.
func (r wiseImportRequest) check() (domain.Date, domain.Date, error) {
	if r.ProfileID <= 0 {
		return domain.Date{}, domain.Date{}, domain.Invalid("profile_id", "choose a Wise profile")
	}
	if len(r.BalanceIDs) == 0 || len(r.BalanceIDs) > wiseBalancesMax {
		return domain.Date{}, domain.Date{}, domain.Invalid("balance_ids", "choose 1 to %d balances", wiseBalancesMax)
	}
	from, err := domain.ParseDate("from", r.From)
	if err != nil {
		return domain.Date{}, domain.Date{}, err
	}
	to, err := domain.ParseDate("to", r.To)
	if err != nil {
		return domain.Date{}, domain.Date{}, err
	}
	if to.Before(from) || to.After(from.AddDays(wiseRangeDaysMax)) {
		return domain.Date{}, domain.Date{}, domain.Invalid("to",
			"choose a last day on or after the first, at most %d days later", wiseRangeDaysMax)
	}
	return from, to, nil
}

// runWiseImport fetches the chosen balances' statements and imports them as one command,
// or plans it for a dry run. After an import it compares Wise's balances with the books.
func (s *Server) runWiseImport(c *fiber.Ctx, request wiseImportRequest) (importResult, []wise.Mismatch, error) {
	from, to, err := request.check()
	if err != nil {
		return importResult{}, nil, err
	}
	ctx, user := c.UserContext(), currentUser(c)
	client, err := s.wiseClient(ctx, user.ID)
	if err != nil {
		return importResult{}, nil, err
	}
	balances, err := client.Balances(ctx, request.ProfileID)
	if err != nil {
		return importResult{}, nil, wiseRequestError(err)
	}
	statements, err := s.fetchWiseStatements(c, client, request, balances, from, to)
	if err != nil {
		return importResult{}, nil, err
	}
	rules, err := s.compiledRules(ctx, user.ID)
	if err != nil {
		return importResult{}, nil, err
	}
	result := importResult{DryRun: request.DryRun, Source: "wise",
		FileName: fmt.Sprintf("Wise profile %d, %s to %s", request.ProfileID, from, to)}
	var cmd domain.ImportStatement
	err = s.ledger.Read(ctx, user.ID, func(books *domain.Books) error {
		target, err := wiseTarget(books, balances, statements, rules)
		if err != nil {
			return err
		}
		built := wise.Lines(statements, target)
		cmd = domain.ImportStatement{Source: "wise", FileName: result.FileName, ImportedAt: s.now(),
			ImportedBy: user.ID, Lines: built.Lines}
		if request.DryRun {
			return planPreview(books, cmd, built, &result)
		}
		return nil
	})
	if err != nil || request.DryRun {
		return result, nil, err
	}
	if err := s.executeImport(c, cmd, &result); err != nil {
		return result, nil, err
	}
	var mismatches []wise.Mismatch
	err = s.ledger.Read(ctx, user.ID, func(books *domain.Books) error {
		mismatches = wise.Reconcile(statements, to, func(account uuid.UUID, currency string, date domain.Date) decimal.Decimal {
			return balanceOn(books, account, currency, date)
		})
		return nil
	})
	return result, mismatches, err
}

// fetchWiseStatements fetches the statement of each chosen balance and pairs it with the
// account that holds it in the books.
func (s *Server) fetchWiseStatements(c *fiber.Ctx, client *wise.Client, request wiseImportRequest,
	balances []wise.Balance, from, to domain.Date) ([]wise.BalanceStatement, error) {
	ctx, user := c.UserContext(), currentUser(c)
	chosen, err := s.wiseBalanceAccounts(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	var statements []wise.BalanceStatement
	for _, id := range request.BalanceIDs {
		balance, ok := findBalance(balances, id)
		if !ok {
			return nil, domain.Invalid("balance_ids", "the profile has no balance %d", id)
		}
		accountID, err := s.wiseBalanceAccount(ctx, user.ID, balance, chosen)
		if err != nil {
			return nil, err
		}
		statement, err := client.Statement(ctx, request.ProfileID, balance.ID, balance.Currency, from.Time(), to.Time())
		if err != nil {
			return nil, wiseRequestError(err)
		}
		statements = append(statements, wise.BalanceStatement{Balance: balance, AccountID: accountID, Statement: statement})
	}
	return statements, nil
}

func findBalance(balances []wise.Balance, id int64) (wise.Balance, bool) {
	for _, balance := range balances {
		if balance.ID == id {
			return balance, true
		}
	}
	return wise.Balance{}, false
}

// wiseBalanceAccount is the account chosen for a balance, else the account named
// "Wise <currency>".
func (s *Server) wiseBalanceAccount(ctx context.Context, userID uuid.UUID, balance wise.Balance,
	chosen map[int64]uuid.UUID) (uuid.UUID, error) {
	var accountID uuid.UUID
	err := s.ledger.Read(ctx, userID, func(books *domain.Books) error {
		if id, ok := chosen[balance.ID]; ok {
			if account, ok := books.Account(id); ok && !account.Closed {
				accountID = id
				return nil
			}
		}
		if account, ok := books.AccountByName(wiseAccountName(balance.Currency)); ok {
			accountID = account.ID
			return nil
		}
		return domain.Invalid("balance_ids", "choose the account of your Wise %s balance on the Wise page, "+
			"or open an asset account named %q", balance.Currency, wiseAccountName(balance.Currency))
	})
	return accountID, err
}

func wiseAccountName(currency string) string { return "Wise " + currency }

// wiseTarget is where Wise lines go: the fees and uncategorised accounts, the rules, and
// for conversions the account of each of the profile's currencies that the import covers
// or that has an account named after it.
func wiseTarget(books *domain.Books, balances []wise.Balance, statements []wise.BalanceStatement,
	rules *imports.Rules) (wise.Target, error) {
	uncategorized, fees, err := importAccounts(books)
	if err != nil {
		return wise.Target{}, err
	}
	byCurrency := map[string]uuid.UUID{}
	for _, statement := range statements {
		byCurrency[statement.Balance.Currency] = statement.AccountID
	}
	for _, balance := range balances {
		if _, ok := byCurrency[balance.Currency]; ok {
			continue
		}
		if account, ok := books.AccountByName(wiseAccountName(balance.Currency)); ok {
			byCurrency[balance.Currency] = account.ID
		}
	}
	return wise.Target{Uncategorized: uncategorized, Fees: fees, Rules: rules,
		AccountFor: func(currency string) (uuid.UUID, bool) {
			id, ok := byCurrency[currency]
			return id, ok
		}}, nil
}

// balanceOn sums an account's postings in currency up to and including date.
func balanceOn(books *domain.Books, account uuid.UUID, currency string, date domain.Date) decimal.Decimal {
	total := decimal.Zero
	for _, txn := range books.Transactions() {
		if txn.Voided || txn.Date.After(date) {
			continue
		}
		for _, posting := range txn.Postings {
			if posting.AccountID == account && posting.Currency == currency {
				total = total.Add(posting.Amount)
			}
		}
	}
	return total
}

// wiseRequestError turns a failed Wise call into an answer: the message Wise's failure
// deserves, with a status that says whose problem it is.
func wiseRequestError(err error) error {
	var wiseErr *wise.Error
	if !errors.As(err, &wiseErr) {
		return err
	}
	status := map[wise.ErrorKind]int{
		wise.ErrUnauthorized: fiber.StatusUnprocessableEntity,
		wise.ErrSCARequired:  fiber.StatusUnprocessableEntity,
		wise.ErrSCARejected:  fiber.StatusUnprocessableEntity,
		wise.ErrRejected:     fiber.StatusUnprocessableEntity,
		wise.ErrRateLimited:  fiber.StatusServiceUnavailable,
		wise.ErrUnavailable:  fiber.StatusBadGateway,
		wise.ErrBadResponse:  fiber.StatusBadGateway,
		wise.ErrTimeout:      fiber.StatusGatewayTimeout,
	}[wiseErr.Kind]
	if status == 0 {
		status = http.StatusBadGateway
	}
	return newRequestError(status, "wise_"+string(wiseErr.Kind), wiseErr.Message)
}
