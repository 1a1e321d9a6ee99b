package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// The JSON shapes of the bookkeeping API. Amounts are decimal strings with at least two
// decimals; ids are UUID strings; dates are YYYY-MM-DD.

// accountJSON is an account. Currency is null for an account that holds any currency;
// Balances leaves out currencies whose balance is zero, so a new account has {}.
type accountJSON struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Currency *string           `json:"currency"`
	Closed   bool              `json:"closed"`
	Balances map[string]string `json:"balances"`
}

func accountJSONOf(account projections.AccountBalance) accountJSON {
	response := accountJSON{
		ID:       account.AccountID.String(),
		Name:     account.Name,
		Type:     string(account.Type),
		Closed:   account.Closed,
		Balances: make(map[string]string, len(account.Balances)),
	}
	if account.Currency != "" {
		response.Currency = &account.Currency
	}
	for currency, amount := range account.Balances {
		response.Balances[currency] = domain.FormatAmount(amount)
	}
	return response
}

// transactionJSON is a transaction in its current revision. Tags is [] when there are none.
type transactionJSON struct {
	ID          string        `json:"id"`
	Date        string        `json:"date"`
	Description string        `json:"description"`
	Payee       string        `json:"payee"`
	Tags        []string      `json:"tags"`
	Postings    []postingJSON `json:"postings"`
	Revision    int           `json:"revision"`
	Voided      bool          `json:"voided"`
}

// postingJSON is a posting; Account is the account's current name and Price is null for a
// posting without a conversion.
type postingJSON struct {
	AccountID string     `json:"account_id"`
	Account   string     `json:"account"`
	Amount    string     `json:"amount"`
	Currency  string     `json:"currency"`
	Price     *priceJSON `json:"price"`
}

type priceJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func transactionJSONOf(entry projections.JournalEntry) transactionJSON {
	response := transactionJSON{
		ID:          entry.TransactionID.String(),
		Date:        entry.Date.String(),
		Description: entry.Description,
		Payee:       entry.Payee,
		Tags:        append([]string{}, entry.Tags...),
		Postings:    make([]postingJSON, 0, len(entry.Postings)),
		Revision:    entry.Revision,
		Voided:      entry.Voided,
	}
	for _, posting := range entry.Postings {
		item := postingJSON{
			AccountID: posting.AccountID.String(),
			Account:   posting.AccountName,
			Amount:    domain.FormatAmount(posting.Amount),
			Currency:  posting.Currency,
		}
		if posting.Price != nil {
			item.Price = &priceJSON{Amount: domain.FormatAmount(posting.Price.Amount),
				Currency: posting.Price.Currency}
		}
		response.Postings = append(response.Postings, item)
	}
	return response
}

// parseJSONAmount reads an amount sent as a JSON string. A JSON number is refused, however
// it looks: decoding it would already have passed through a float or a rounding choice.
// A missing or null amount reads as an empty one.
func parseJSONAmount(field string, raw json.RawMessage) (decimal.Decimal, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return domain.ParseAmount(field, "")
	}
	var text string
	if raw[0] != '"' || json.Unmarshal(raw, &text) != nil {
		return decimal.Decimal{}, domain.Invalid(field,
			`write the amount as a JSON string, like "-12.50", not as a number`)
	}
	return domain.ParseAmount(field, text)
}

// parseCommandID reads the optional command_id of a write. An empty one is uuid.Nil, for
// which the ledger makes up a fresh id.
func parseCommandID(text string) (uuid.UUID, error) {
	if text == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(text)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, domain.Invalid("command_id", "use a UUID, like %s", uuid.NewString())
	}
	return id, nil
}

// replayedHeader is set on a write answered from the first run of its command_id: nothing
// new was stored.
//
// TODO: the ledger looks for a repeated command id only after the domain has decided the
// command again, so a repeat that cannot be decided twice (opening the same account name,
// voiding the same transaction) answers 409 instead of the first result. Nothing is stored
// twice, which is what a retrying client needs most; the ledger should check first.
const replayedHeader = "Idempotent-Replayed"

// errCommandReused answers a command_id whose first run was a different kind of change.
var errCommandReused = &domain.Error{Code: domain.CodeConflict, Field: "command_id",
	Message: "this command_id was already used for another change: send a new one"}

// firstEvent returns the first event of type E among events, which is how a handler finds
// what its command did (or, for a repeated command id, what its first run did).
func firstEvent[E domain.Event](events []domain.Event) (E, bool) {
	for _, event := range events {
		typed, ok := event.(E)
		if ok {
			return typed, true
		}
	}
	var zero E
	return zero, false
}

// ownBooks returns the books a write may change: the signed-in user's own, and only while
// the request reads them, never while it reads books shared with the user.
func ownBooks(c *fiber.Ctx) (uuid.UUID, error) {
	userID := currentUser(c).ID
	if bookOf(c) != userID {
		return uuid.Nil, domain.Forbidden("you may read these books but not change them")
	}
	return userID, nil
}

// ledgerMeta says who runs a command for this request.
func ledgerMeta(c *fiber.Ctx, userID, commandID uuid.UUID) ledger.Meta {
	return ledger.Meta{UserID: userID, ActorID: currentUser(c).ID, CommandID: commandID,
		RequestID: requestID(c)}
}

// accountByReference finds the account that reference names in books: by id first, then by
// name ignoring case. Another user's account is not in books, so it is not found either.
func accountByReference(books *domain.Books, reference string) (*domain.Account, bool) {
	reference = strings.TrimSpace(reference)
	id, err := uuid.Parse(reference)
	if err == nil {
		account, found := books.Account(id)
		if found {
			return account, true
		}
	}
	return books.AccountByName(reference)
}

// queryNumber reads the whole-number query parameter name, which must lie in [low, high];
// an absent or empty one is fallback.
func queryNumber(c *fiber.Ctx, name string, fallback, low, high int64) (int64, error) {
	text := c.Query(name)
	if text == "" {
		return fallback, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < low || n > high {
		return 0, badParameter(name, "use a whole number from "+strconv.FormatInt(low, 10)+
			" to "+strconv.FormatInt(high, 10))
	}
	return n, nil
}

// queryDate reads the optional date query parameter name.
func queryDate(c *fiber.Ctx, name string) (domain.Date, error) {
	text := c.Query(name)
	if text == "" {
		return domain.Date{}, nil
	}
	date, err := domain.ParseDate(name, text)
	if err != nil {
		return domain.Date{}, asBadParameter(err)
	}
	return date, nil
}

// badParameter is the 400 of a malformed query parameter.
func badParameter(name, message string) error {
	return newRequestError(fiber.StatusBadRequest, "bad_request", name+": "+message)
}

// asBadParameter turns the domain's rejection of a query parameter into a 400.
func asBadParameter(err error) error {
	var domainErr *domain.Error
	if errors.As(err, &domainErr) && domainErr.Code == domain.CodeInvalid {
		return newRequestError(fiber.StatusBadRequest, "bad_request", domainErr.Error())
	}
	return err
}
