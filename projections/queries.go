package projections

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// Page sizes for lists. Callers ask for a limit; it is clamped to these.
const (
	PageSizeDefault = 50
	PageSizeMax     = 500
)

// ClampLimit turns a requested page size into one the queries accept.
func ClampLimit(limit int) int {
	switch {
	case limit <= 0:
		return PageSizeDefault
	case limit > PageSizeMax:
		return PageSizeMax
	}
	return limit
}

// AccountBalance is an account with its balance in each currency.
type AccountBalance struct {
	AccountRow
	Balances map[string]decimal.Decimal
}

// Accounts returns the user's accounts with balances, in statement order:
// by type (assets first), then name.
func Accounts(ctx context.Context, q eventstore.Querier, userID uuid.UUID) ([]AccountBalance, error) {
	rows, err := q.Query(ctx, `
		SELECT a.account_id, a.name, a.type, a.currency, a.closed, a.opened_version,
		       coalesce(array_agg(b.currency ORDER BY b.currency) FILTER (WHERE b.amount <> 0), '{}'),
		       coalesce(array_agg(b.amount::text ORDER BY b.currency) FILTER (WHERE b.amount <> 0), '{}')
		FROM accounts a
		LEFT JOIN account_balances b ON b.user_id = a.user_id AND b.account_id = a.account_id
		WHERE a.user_id = $1
		GROUP BY a.account_id, a.name, a.type, a.currency, a.closed, a.opened_version
		ORDER BY array_position(ARRAY['asset','liability','equity','income','expense'], a.type), lower(a.name)`, userID)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (AccountBalance, error) {
		var a AccountBalance
		var currencies, amounts []string
		err := row.Scan(&a.AccountID, &a.Name, &a.Type, &a.Currency, &a.Closed, &a.OpenedVersion, &currencies, &amounts)
		if err != nil {
			return a, err
		}
		a.Balances = make(map[string]decimal.Decimal, len(currencies))
		for i, currency := range currencies {
			a.Balances[currency] = decimal.RequireFromString(amounts[i])
		}
		return a, nil
	})
}

// Account returns one of the user's accounts. Another user's account is
// not found, exactly like one that never existed.
func Account(ctx context.Context, q eventstore.Querier, userID, accountID uuid.UUID) (AccountBalance, error) {
	accounts, err := Accounts(ctx, q, userID)
	if err != nil {
		return AccountBalance{}, err
	}
	for _, account := range accounts {
		if account.AccountID == accountID {
			return account, nil
		}
	}
	return AccountBalance{}, domain.NotFound("there is no such account")
}

// JournalFilter narrows the journal. Zero fields do not filter.
type JournalFilter struct {
	Text          string // in description or payee, ignoring case
	AccountID     uuid.UUID
	From, To      domain.Date // accounting dates, inclusive
	Amount        *decimal.Decimal
	IncludeVoided bool
	Limit         int
	After         *JournalCursor // the last entry of the previous page
}

// JournalCursor marks a place in the journal's order (newest first).
type JournalCursor struct {
	Date            domain.Date
	RecordedVersion int64
}

// String encodes the cursor for a URL.
func (c JournalCursor) String() string { return fmt.Sprintf("%s_%d", c.Date, c.RecordedVersion) }

// ParseJournalCursor reads what String wrote.
func ParseJournalCursor(text string) (*JournalCursor, error) {
	date, version, ok := strings.Cut(text, "_")
	if !ok {
		return nil, domain.Invalid("cursor", "this page link is not valid")
	}
	parsed, err := domain.ParseDate("cursor", date)
	if err != nil {
		return nil, domain.Invalid("cursor", "this page link is not valid")
	}
	var recordedVersion int64
	if _, err := fmt.Sscan(version, &recordedVersion); err != nil || recordedVersion < 1 {
		return nil, domain.Invalid("cursor", "this page link is not valid")
	}
	return &JournalCursor{Date: parsed, RecordedVersion: recordedVersion}, nil
}

// JournalEntry is a transaction with its postings and account names.
type JournalEntry struct {
	JournalRow
	Postings []JournalPosting
}

// JournalPosting is a posting with the name of its account.
type JournalPosting struct {
	PostingRow
	AccountName string
	AccountType domain.AccountType
}

// JournalPage is one page of the journal; Next is nil on the last page.
type JournalPage struct {
	Entries []JournalEntry
	Next    *JournalCursor
}
