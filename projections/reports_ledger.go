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

// LedgerLine is one posting of a general ledger with the account's balance
// in the posting's currency right after it: the same as a register line.
type LedgerLine = RegisterLine

// LedgerCursor marks the last line of a general ledger page (oldest first);
// it is written and read like a register cursor.
type LedgerCursor = RegisterCursor

// ParseLedgerCursor reads what LedgerCursor.String wrote.
func ParseLedgerCursor(text string) (*LedgerCursor, error) { return ParseRegisterCursor(text) }

// GeneralLedger is one account's postings over a period, oldest first, with
// a running balance per currency: the balance before the period, the lines
// of one page, and the balance at the period's end.
type GeneralLedger struct {
	Account ReportAccount
	Period  Period
	Opening Amounts // before the period
	Closing Amounts // at its end
	Lines   []LedgerLine
	Next    *LedgerCursor // nil on the last page
}

// BuildGeneralLedger reads one page of an account's general ledger. Another
// user's account is not found, exactly like one that never existed.
func BuildGeneralLedger(ctx context.Context, q eventstore.Querier, userID, accountID uuid.UUID, period Period,
	limit int, after *LedgerCursor) (GeneralLedger, error) {
	report := GeneralLedger{Period: period, Opening: Amounts{}, Closing: Amounts{}}
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	account, ok := accounts[accountID]
	if !ok {
		return report, domain.NotFound("there is no such account")
	}
	report.Account = account
	if after != nil && (after.Date.Before(period.start()) || after.Date.After(period.To)) {
		return report, domain.Invalid("cursor", "this page link is not valid")
	}
	balances, err := sumTotals(ctx, q, userID, totalsQuery{period: Period{To: period.To}, accountID: accountID, byMonth: true})
	if err != nil {
		return report, err
	}
	for _, total := range balances {
		report.Closing.add(total.currency, total.amount)
		if total.month.Before(period.start().FirstOfMonth()) {
			report.Opening.add(total.currency, total.amount)
		}
	}
	// The month the period starts in may begin before it: those days count
	// towards the opening balance.
	if head := period.start(); head != head.FirstOfMonth() {
		before, err := sumTotals(ctx, q, userID, totalsQuery{
			period: Period{From: head.FirstOfMonth(), To: head.AddDays(-1)}, accountID: accountID})
		if err != nil {
			return report, err
		}
		for _, total := range before {
			report.Opening.add(total.currency, total.amount)
		}
	}
	if report.Lines, report.Next, err = ledgerLines(ctx, q, userID, accountID, period, limit, after); err != nil {
		return report, err
	}
	running, err := balanceBeforeLines(ctx, q, userID, accountID, period, after, report.Opening)
	if err != nil {
		return report, err
	}
	for i := range report.Lines {
		line := &report.Lines[i]
		running[line.Currency] = running[line.Currency].Add(line.Amount)
		line.Balance = running[line.Currency]
	}
	return report, nil
}

func ledgerLines(ctx context.Context, q eventstore.Querier, userID, accountID uuid.UUID, period Period, limit int,
	after *LedgerCursor) ([]LedgerLine, *LedgerCursor, error) {
	limit = ClampLimit(limit)
	args := []any{userID, accountID, period.start().Time(), period.To.Time(), limit + 1}
	keyset := ""
	if after != nil {
		args = append(args, after.Date.Time(), after.RecordedVersion, after.Line)
		keyset = "AND (p.date, p.recorded_version, p.line) > ($6, $7, $8)"
	}
	rows, err := q.Query(ctx, `SELECT p.transaction_id, p.line, p.date, j.description, j.payee, p.amount, p.currency,
		p.recorded_version
		FROM journal_postings p JOIN journal j ON j.user_id = p.user_id AND j.transaction_id = p.transaction_id
		WHERE p.user_id = $1 AND p.account_id = $2 AND NOT p.voided AND p.date BETWEEN $3 AND $4 `+keyset+`
		ORDER BY p.date, p.recorded_version, p.line LIMIT $5`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("read general ledger: %w", err)
	}
	lines, err := pgx.CollectRows(rows, scanRegisterLine)
	if err != nil {
		return nil, nil, fmt.Errorf("read general ledger: %w", err)
	}
	if len(lines) <= limit {
		return lines, nil, nil
	}
	lines = lines[:limit]
	last := lines[limit-1]
	return lines, &LedgerCursor{Date: last.Date, RecordedVersion: last.RecordedVersion, Line: last.Line}, nil
}

// balanceBeforeLines returns the running balance right before a page: the
// opening balance, plus for a later page the days of the period before the
// cursor's day (from the aggregates) and the cursor's day up to and
// including the cursor (from that one day's postings).
func balanceBeforeLines(ctx context.Context, q eventstore.Querier, userID, accountID uuid.UUID, period Period,
	after *LedgerCursor, opening Amounts) (Amounts, error) {
	running := Amounts{}
	for currency, amount := range opening {
		running[currency] = amount
	}
	if after == nil {
		return running, nil
	}
	if period.start().Before(after.Date) {
		totals, err := sumTotals(ctx, q, userID, totalsQuery{
			period: Period{From: period.start(), To: after.Date.AddDays(-1)}, accountID: accountID})
		if err != nil {
			return nil, err
		}
		for _, total := range totals {
			running.add(total.currency, total.amount)
		}
	}
	rows, err := q.Query(ctx, `SELECT currency, sum(amount)::text FROM journal_postings
		WHERE user_id = $1 AND account_id = $2 AND NOT voided AND date = $3
		  AND (recorded_version, line) <= ($4, $5)
		GROUP BY currency`, userID, accountID, after.Date.Time(), after.RecordedVersion, after.Line)
	if err != nil {
		return nil, fmt.Errorf("read general ledger balance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var currency, amount string
		if err := rows.Scan(&currency, &amount); err != nil {
			return nil, fmt.Errorf("read general ledger balance: %w", err)
		}
		running.add(currency, decimal.RequireFromString(strings.TrimSpace(amount)))
	}
	return running, rows.Err()
}
