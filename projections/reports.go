package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// Reports read only pre-aggregated tables: monthly_totals for the whole
// months of a period, daily_totals for the days of the months a period
// cuts, the dimension tables when they filter by tag or group by payee, and
// prices to convert. None reads the journal, except the general ledger,
// which lists one account's postings a page at a time.

// ReportOptions narrow and convert a report.
type ReportOptions struct {
	// Tag counts only the transactions that carry it; "" counts all.
	Tag string
	// ConvertTo converts every amount into this currency with the rates in
	// the books; "" shows amounts per currency.
	ConvertTo string
}

// ReportAccount is an account as reports name it. Lines that no account
// holds (earnings, conversions) have a zero ID.
type ReportAccount struct {
	ID     uuid.UUID
	Name   string
	Type   domain.AccountType
	Closed bool
}

// accountTotal is a sum of postings of one account in one currency, for one
// month (the first day) or the whole period (zero Month), and for one payee
// when a report groups by payee.
type accountTotal struct {
	accountID uuid.UUID
	currency  string
	month     domain.Date
	payee     string
	amount    decimal.Decimal
}

// totalsQuery says which totals to sum.
type totalsQuery struct {
	period    Period
	tag       string    // only transactions with this tag
	byPayee   bool      // group by payee
	byMonth   bool      // group by month
	accountID uuid.UUID // only this account
}

// sumTotals sums postings over a period from the aggregates: the months the
// period covers whole from the monthly table, the days of the months it
// cuts from the daily table.
func sumTotals(ctx context.Context, q eventstore.Querier, userID uuid.UUID, query totalsQuery) ([]accountTotal, error) {
	wholeFrom, wholeTo, head, tail := splitPeriod(query.period)
	monthly, daily, dimension := "monthly_totals", "daily_totals", ""
	args := []any{userID, wholeFrom.Time(), wholeTo.Time(), head.From.Time(), head.To.Time(), tail.From.Time(), tail.To.Time()}
	payee := "value"
	switch {
	case query.tag != "" && query.byPayee:
		monthly, daily = "dimension_monthly_totals", "dimension_daily_totals"
		args = append(args, DimensionTagPayee, query.tag)
		// Values from tag+U+001F up to tag+U+0020: every payee of this tag.
		dimension = fmt.Sprintf(" AND dimension = $%d AND value >= $%d || chr(31) AND value < $%d || chr(32)",
			len(args)-1, len(args), len(args))
		payee = "split_part(value, chr(31), 2)"
	case query.tag != "":
		monthly, daily = "dimension_monthly_totals", "dimension_daily_totals"
		args = append(args, DimensionTag, query.tag)
		dimension = fmt.Sprintf(" AND dimension = $%d AND value = $%d", len(args)-1, len(args))
	case query.byPayee:
		monthly, daily = "dimension_monthly_totals", "dimension_daily_totals"
		args = append(args, DimensionPayee)
		dimension = fmt.Sprintf(" AND dimension = $%d", len(args))
	}
	if query.accountID != uuid.Nil {
		args = append(args, query.accountID)
		dimension += fmt.Sprintf(" AND account_id = $%d", len(args))
	}
	month := "NULL::date"
	if !query.byPayee {
		payee = "''"
	}
	if query.byMonth {
		month = "m"
	}
	grouped := "value" // the payee the inner selects name value, or ''
	if !query.byPayee {
		grouped = "''"
	}
	sql := `SELECT account_id, currency, ` + month + `, ` + grouped + `, sum(amount)::text FROM (
		SELECT account_id, currency, month AS m, ` + payee + ` AS value, amount FROM ` + monthly + `
		WHERE user_id = $1 AND month >= $2 AND month < $3` + dimension + `
		UNION ALL
		SELECT account_id, currency, date_trunc('month', day)::date, ` + payee + `, amount FROM ` + daily + `
		WHERE user_id = $1 AND (day BETWEEN $4 AND $5 OR day BETWEEN $6 AND $7)` + dimension + `
	) t GROUP BY 1, 2, 3, 4 HAVING sum(amount) <> 0`
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("sum report totals: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (accountTotal, error) {
		var total accountTotal
		var month *pgDate
		var amount string
		if err := row.Scan(&total.accountID, &total.currency, &month, &total.payee, &amount); err != nil {
			return total, err
		}
		if month != nil {
			total.month = month.Date
		}
		total.amount, err = decimal.NewFromString(amount)
		return total, err
	})
}

// splitPeriod splits a period into the whole months it covers, from
// wholeFrom up to wholeTo (exclusive), and the days before (head) and after
// (tail) them. Empty parts end before they start.
func splitPeriod(period Period) (wholeFrom, wholeTo domain.Date, head, tail Period) {
	from, to := period.start(), period.To
	wholeFrom = from
	if from != from.FirstOfMonth() {
		wholeFrom = addMonths(from.FirstOfMonth(), 1)
	}
	wholeTo = to.AddDays(1).FirstOfMonth()
	head, tail = Period{From: from, To: to}, Period{From: to.AddDays(1), To: to}
	if !wholeFrom.Before(wholeTo) {
		return wholeTo, wholeTo, head, tail
	}
	head.To, tail.From = wholeFrom.AddDays(-1), wholeTo
	return wholeFrom, wholeTo, head, tail
}

// reportAccounts returns the user's accounts by id.
func reportAccounts(ctx context.Context, q eventstore.Querier, userID uuid.UUID) (map[uuid.UUID]ReportAccount, error) {
	rows, err := q.Query(ctx, `SELECT account_id, name, type, closed FROM accounts WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	accounts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReportAccount, error) {
		var account ReportAccount
		err := row.Scan(&account.ID, &account.Name, &account.Type, &account.Closed)
		return account, err
	})
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	byID := make(map[uuid.UUID]ReportAccount, len(accounts))
	for _, account := range accounts {
		byID[account.ID] = account
	}
	return byID, nil
}

// compareAccounts orders accounts as statements show them: by type, then
// name ignoring case.
func compareAccounts(a, b ReportAccount) int {
	if a.Type != b.Type {
		return a.Type.Rank() - b.Type.Rank()
	}
	return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
}

// creditNormal reports whether an account type's balance is normally a
// credit (negative in the books), which statements show as positive.
func creditNormal(accountType domain.AccountType) bool {
	return accountType == domain.Liability || accountType == domain.Equity || accountType == domain.Income
}

// presented returns an amount as a statement shows it for its account type.
func presented(accountType domain.AccountType, amount decimal.Decimal) decimal.Decimal {
	if creditNormal(accountType) {
		return amount.Neg()
	}
	return amount
}

// Amounts are sums per currency.
type Amounts map[string]decimal.Decimal

// Currencies returns the currencies in alphabetical order.
func (a Amounts) Currencies() []string {
	currencies := make([]string, 0, len(a))
	for currency := range a {
		currencies = append(currencies, currency)
	}
	slices.Sort(currencies)
	return currencies
}

func (a Amounts) add(currency string, amount decimal.Decimal) {
	a[currency] = a[currency].Add(amount)
}
