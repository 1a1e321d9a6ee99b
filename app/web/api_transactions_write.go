package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// entryRequest is the body of POST /api/v1/transactions and PUT /api/v1/transactions/{id}.
// Fields it does not name (id, user_id, revision, voided, …) are ignored, never applied.
// Amounts must be JSON strings.
type entryRequest struct {
	Date        string           `json:"date"`
	Description string           `json:"description"`
	Payee       string           `json:"payee"`
	Tags        []string         `json:"tags"`
	Postings    []postingRequest `json:"postings"`
	CommandID   string           `json:"command_id"`
}

// postingRequest is one posting of an entryRequest; Account is an account's id or name.
type postingRequest struct {
	Account  string          `json:"account"`
	Amount   json.RawMessage `json:"amount"`
	Currency string          `json:"currency"`
	Price    *priceRequest   `json:"price"`
}

type priceRequest struct {
	Amount   json.RawMessage `json:"amount"`
	Currency string          `json:"currency"`
}

// entry turns the request into a domain entry, finding each posting's account in books.
// The domain checks the rest (balance, currencies, limits) when it decides the command.
func (r entryRequest) entry(books *domain.Books) (domain.Entry, error) {
	entry := domain.Entry{Description: r.Description, Payee: r.Payee, Tags: r.Tags}
	if date := strings.TrimSpace(r.Date); date != "" {
		parsed, err := domain.ParseDate("date", date)
		if err != nil {
			return entry, err
		}
		entry.Date = parsed
	}

	entry.Postings = make([]domain.Posting, len(r.Postings))
	for i, posting := range r.Postings {
		var err error
		entry.Postings[i], err = posting.posting(books, "postings["+strconv.Itoa(i)+"]")
		if err != nil {
			return entry, err
		}
	}
	return entry, nil
}

func (r postingRequest) posting(books *domain.Books, field string) (domain.Posting, error) {
	if strings.TrimSpace(r.Account) == "" {
		return domain.Posting{}, domain.Invalid(field+".account", "choose an account")
	}
	account, found := accountByReference(books, r.Account)
	if !found {
		return domain.Posting{}, domain.Invalid(field+".account", "no account has this id or name")
	}
	amount, err := parseJSONAmount(field+".amount", r.Amount)
	if err != nil {
		return domain.Posting{}, err
	}

	posting := domain.Posting{AccountID: account.ID, Amount: amount, Currency: r.Currency}
	if r.Price == nil {
		return posting, nil
	}
	priceAmount, err := parseJSONAmount(field+".price.amount", r.Price.Amount)
	if err != nil {
		return domain.Posting{}, err
	}
	posting.Price = &domain.Price{Amount: priceAmount, Currency: r.Price.Currency}
	return posting, nil
}

// entryOf builds the entry of request against the user's current books. When amending is
// not uuid.Nil, that transaction must exist first, so that an unknown or foreign id is the
// same 404 whatever the body holds.
func (s *Server) entryOf(c *fiber.Ctx, userID uuid.UUID, request entryRequest,
	amending uuid.UUID) (domain.Entry, error) {
	var entry domain.Entry
	err := s.ledger.Read(c.UserContext(), userID, func(books *domain.Books) error {
		if amending != uuid.Nil {
			if _, found := books.Transaction(amending); !found {
				return errNoSuchTransaction
			}
		}
		var err error
		entry, err = request.entry(books)
		return err
	})
	return entry, err
}

// apiRecordTransaction answers POST /api/v1/transactions with 201 and the new transaction.
// A repeated command_id stores nothing and answers 201 with the transaction its first run
// recorded, and the header Idempotent-Replayed: true.
func (s *Server) apiRecordTransaction(c *fiber.Ctx) error {
	userID, err := ownBooks(c)
	if err != nil {
		return err
	}
	var request entryRequest
	err = decodeJSON(c, &request)
	if err != nil {
		return err
	}
	commandID, err := parseCommandID(request.CommandID)
	if err != nil {
		return err
	}
	entry, err := s.entryOf(c, userID, request, uuid.Nil)
	if err != nil {
		return err
	}

	command := domain.RecordTransaction{Entry: entry}
	result, err := s.ledger.Execute(c.UserContext(), ledgerMeta(c, userID, commandID), command)
	if err != nil {
		return err
	}
	recorded, ok := firstEvent[domain.TransactionRecorded](result.Events)
	if !ok {
		return errCommandReused
	}

	s.log(c).Info("transaction recorded", "user_id", userID.String(),
		"transaction_id", recorded.TransactionID.String(), "replayed", result.Duplicate)
	return s.answerTransaction(c, fiber.StatusCreated, userID, recorded.TransactionID, result)
}

// apiAmendTransaction answers PUT /api/v1/transactions/{id}, whose body is that of
// apiRecordTransaction, with 200 and the transaction's new revision.
func (s *Server) apiAmendTransaction(c *fiber.Ctx) error {
	transactionID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errNoSuchTransaction
	}
	userID, err := ownBooks(c)
	if err != nil {
		return err
	}
	var request entryRequest
	err = decodeJSON(c, &request)
	if err != nil {
		return err
	}
	commandID, err := parseCommandID(request.CommandID)
	if err != nil {
		return err
	}
	entry, err := s.entryOf(c, userID, request, transactionID)
	if err != nil {
		return err
	}

	command := domain.AmendTransaction{TransactionID: transactionID, Entry: entry}
	result, err := s.ledger.Execute(c.UserContext(), ledgerMeta(c, userID, commandID), command)
	if err != nil {
		return err
	}
	amended, ok := firstEvent[domain.TransactionAmended](result.Events)
	if !ok || amended.TransactionID != transactionID {
		return errCommandReused
	}

	s.log(c).Info("transaction amended", "user_id", userID.String(),
		"transaction_id", transactionID.String(), "replayed", result.Duplicate)
	return s.answerTransaction(c, fiber.StatusOK, userID, transactionID, result)
}

// voidRequest is the optional body of POST /api/v1/transactions/{id}/void.
type voidRequest struct {
	Reason    string `json:"reason"`
	CommandID string `json:"command_id"`
}

// apiVoidTransaction answers POST /api/v1/transactions/{id}/void with 200 and the voided
// transaction. Voiding it again is a 409.
func (s *Server) apiVoidTransaction(c *fiber.Ctx) error {
	transactionID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errNoSuchTransaction
	}
	userID, err := ownBooks(c)
	if err != nil {
		return err
	}
	var request voidRequest
	if len(c.Body()) > 0 {
		err = decodeJSON(c, &request)
		if err != nil {
			return err
		}
	}
	commandID, err := parseCommandID(request.CommandID)
	if err != nil {
		return err
	}

	command := domain.VoidTransaction{TransactionID: transactionID, Reason: request.Reason}
	result, err := s.ledger.Execute(c.UserContext(), ledgerMeta(c, userID, commandID), command)
	if err != nil {
		return err
	}
	voided, ok := firstEvent[domain.TransactionVoided](result.Events)
	if !ok || voided.TransactionID != transactionID {
		return errCommandReused
	}

	s.log(c).Info("transaction voided", "user_id", userID.String(),
		"transaction_id", transactionID.String(), "replayed", result.Duplicate)
	return s.answerTransaction(c, fiber.StatusOK, userID, transactionID, result)
}

// answerTransaction reads back the transaction a write changed and answers with it.
func (s *Server) answerTransaction(c *fiber.Ctx, status int, userID, transactionID uuid.UUID,
	result ledger.Result) error {
	entry, err := projections.Transaction(c.UserContext(), s.pool, userID, transactionID)
	if err != nil {
		return fmt.Errorf("read back transaction %s: %w", transactionID, err)
	}
	if result.Duplicate {
		c.Set(replayedHeader, "true")
	}
	return c.Status(status).JSON(transactionJSONOf(entry))
}
