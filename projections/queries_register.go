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

// RegisterLine is one posting of an account with the account's balance in
// that currency right after it.
type RegisterLine struct {
	TransactionID   uuid.UUID
	Line            int
	Date            domain.Date
	Description     string
	Payee           string
	Amount          decimal.Decimal
	Currency        string
	Balance         decimal.Decimal
	RecordedVersion int64
}

// RegisterCursor marks a place in a register (newest first).
type RegisterCursor struct {
	Date            domain.Date
	RecordedVersion int64
	Line            int
}

// String encodes the cursor for a URL.
func (c RegisterCursor) String() string {
	return fmt.Sprintf("%s_%d_%d", c.Date, c.RecordedVersion, c.Line)
}

// ParseRegisterCursor reads what String wrote.
func ParseRegisterCursor(text string) (*RegisterCursor, error) {
	parts := strings.Split(text, "_")
	invalid := domain.Invalid("cursor", "this page link is not valid")
	if len(parts) != 3 {
		return nil, invalid
	}
	date, err := domain.ParseDate("cursor", parts[0])
	if err != nil {
		return nil, invalid
	}
	cursor := &RegisterCursor{Date: date}
	if _, err := fmt.Sscan(parts[1]+" "+parts[2], &cursor.RecordedVersion, &cursor.Line); err != nil {
		return nil, invalid
	}
	return cursor, nil
}

// RegisterPage is one page of a register; Next is nil on the last page.
type RegisterPage struct {
	Lines []RegisterLine
	Next  *RegisterCursor
}

// Register returns an account's postings newest first, voided ones left
// out, each with the running balance after it. The balance of the newest
// line is the account's balance; older ones subtract what came after, so a
// page never sums the account's whole history.
func Register(ctx context.Context, q eventstore.Querier, userID, accountID uuid.UUID, limit int, after *RegisterCursor) (RegisterPage, error) {
	if _, err := Account(ctx, q, userID, accountID); err != nil {
		return RegisterPage{}, err
	}
	limit = ClampLimit(limit)
	args := []any{userID, accountID, limit + 1}
	keyset := ""
	if after != nil {
		args = append(args, after.Date.Time(), after.RecordedVersion, after.Line)
		keyset = "AND (p.date, p.recorded_version, p.line) < ($4, $5, $6)"
	}
	rows, err := q.Query(ctx, `SELECT p.transaction_id, p.line, p.date, j.description, j.payee, p.amount, p.currency,
		p.recorded_version
		FROM journal_postings p JOIN journal j ON j.user_id = p.user_id AND j.transaction_id = p.transaction_id
		WHERE p.user_id = $1 AND p.account_id = $2 AND NOT p.voided `+keyset+`
		ORDER BY p.date DESC, p.recorded_version DESC, p.line DESC LIMIT $3`, args...)
	if err != nil {
		return RegisterPage{}, fmt.Errorf("read register: %w", err)
	}
	lines, err := pgx.CollectRows(rows, scanRegisterLine)
	if err != nil {
		return RegisterPage{}, fmt.Errorf("read register: %w", err)
	}
	var page RegisterPage
	if len(lines) > limit {
		lines = lines[:limit]
		last := lines[limit-1]
		page.Next = &RegisterCursor{Date: last.Date, RecordedVersion: last.RecordedVersion, Line: last.Line}
	}
	balances, err := balancesBefore(ctx, q, userID, accountID, after)
	if err != nil {
		return RegisterPage{}, err
	}
	for i := range lines {
		lines[i].Balance = balances[lines[i].Currency]
		balances[lines[i].Currency] = balances[lines[i].Currency].Sub(lines[i].Amount)
	}
	page.Lines = lines
	return page, nil
}

// scanRegisterLine reads a posting row of a register or general ledger
// query: transaction id, line, date, description, payee, amount, currency
// and recorded version.
func scanRegisterLine(row pgx.CollectableRow) (RegisterLine, error) {
	var line RegisterLine
	var date pgDate
	err := row.Scan(&line.TransactionID, &line.Line, &date, &line.Description, &line.Payee, &line.Amount,
		&line.Currency, &line.RecordedVersion)
	line.Date = date.Date
	return line, err
}

// balancesBefore returns, per currency, the account's balance right after
// the posting the cursor names (the current balance without a cursor).
func balancesBefore(ctx context.Context, q eventstore.Querier, userID, accountID uuid.UUID, after *RegisterCursor) (map[string]decimal.Decimal, error) {
	query := `SELECT currency, amount FROM account_balances WHERE user_id = $1 AND account_id = $2`
	args := []any{userID, accountID}
	if after != nil {
		query = `SELECT b.currency, b.amount - coalesce((SELECT sum(p.amount) FROM journal_postings p
			WHERE p.user_id = $1 AND p.account_id = $2 AND p.currency = b.currency AND NOT p.voided
			  AND (p.date, p.recorded_version, p.line) >= ($3, $4, $5)), 0)
			FROM account_balances b WHERE b.user_id = $1 AND b.account_id = $2`
		args = append(args, after.Date.Time(), after.RecordedVersion, after.Line)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read register balance: %w", err)
	}
	defer rows.Close()
	balances := map[string]decimal.Decimal{}
	for rows.Next() {
		var currency string
		var amount decimal.Decimal
		if err := rows.Scan(&currency, &amount); err != nil {
			return nil, fmt.Errorf("read register balance: %w", err)
		}
		balances[currency] = amount
	}
	return balances, rows.Err()
}

// TypeTotals sums monthly totals per account type and currency.
type TypeTotals map[domain.AccountType]map[string]decimal.Decimal

// PeriodTotals sums the monthly totals of the months from..to (inclusive,
// any day of the month) per account type and currency.
func PeriodTotals(ctx context.Context, q eventstore.Querier, userID uuid.UUID, from, to domain.Date) (TypeTotals, error) {
	rows, err := q.Query(ctx, `SELECT a.type, m.currency, sum(m.amount)::text
		FROM monthly_totals m JOIN accounts a ON a.user_id = m.user_id AND a.account_id = m.account_id
		WHERE m.user_id = $1 AND m.month >= $2 AND m.month <= $3
		GROUP BY a.type, m.currency`, userID, from.FirstOfMonth().Time(), to.FirstOfMonth().Time())
	if err != nil {
		return nil, fmt.Errorf("read period totals: %w", err)
	}
	defer rows.Close()
	totals := TypeTotals{}
	for rows.Next() {
		var accountType domain.AccountType
		var currency, amount string
		if err := rows.Scan(&accountType, &currency, &amount); err != nil {
			return nil, fmt.Errorf("read period totals: %w", err)
		}
		if totals[accountType] == nil {
			totals[accountType] = map[string]decimal.Decimal{}
		}
		totals[accountType][currency] = decimal.RequireFromString(amount)
	}
	return totals, rows.Err()
}
