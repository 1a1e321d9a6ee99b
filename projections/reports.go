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

// Reports read pre-aggregated tables for the whole months of a period
// (monthly_totals, or dimension_monthly_totals when they filter by tag or
// group by payee) and prices to convert. Only the days of the months a
// period cuts, at most two partial months, are summed from the journal; the
// general ledger lists one account's postings a page at a time.

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

// sumTotals sums postings over a period: the months the period covers
// whole from the monthly aggregates, the days of the months it cuts from
// the journal's postings.
func sumTotals(ctx context.Context, q eventstore.Querier, userID uuid.UUID, query totalsQuery) ([]accountTotal, error) {
	wholeFrom, wholeTo, head, tail := splitPeriod(query.period)
	args := []any{userID, wholeFrom.Time(), wholeTo.Time()}
	monthly, monthlyFilter, monthlyPayee := "monthly_totals", "", "''"
	dayFilter := ""
	switch {
	case query.tag != "" && query.byPayee:
		monthly = "dimension_monthly_totals"
		args = append(args, DimensionTagPayee, query.tag)
		// Values from tag+U+001F up to tag+U+0020: every payee of this tag.
		monthlyFilter = fmt.Sprintf(" AND dimension = $%d AND value >= $%d || chr(31) AND value < $%d || chr(32)",
			len(args)-1, len(args), len(args))
		monthlyPayee = "split_part(value, chr(31), 2)"
		dayFilter = fmt.Sprintf(" AND $%d = ANY(j.tags)", len(args))
	case query.tag != "":
		monthly = "dimension_monthly_totals"
		args = append(args, DimensionTag, query.tag)
		monthlyFilter = fmt.Sprintf(" AND dimension = $%d AND value = $%d", len(args)-1, len(args))
		dayFilter = fmt.Sprintf(" AND $%d = ANY(j.tags)", len(args))
	case query.byPayee:
		monthly = "dimension_monthly_totals"
		args = append(args, DimensionPayee)
		monthlyFilter = fmt.Sprintf(" AND dimension = $%d", len(args))
		monthlyPayee = "value"
	}
	if query.accountID != uuid.Nil {
		args = append(args, query.accountID)
		monthlyFilter += fmt.Sprintf(" AND account_id = $%d", len(args))
		dayFilter += fmt.Sprintf(" AND p.account_id = $%d", len(args))
	}
	month := "NULL::date"
	if query.byMonth {
		month = "m"
	}
	days := ""
	for _, part := range []Period{head, tail} {
		if part.To.Before(part.From) {
			continue
		}
		args = append(args, part.From.Time(), part.To.Time())
		days += daysOfPostings(len(args)-1, len(args), query, dayFilter)
	}
	sql := `SELECT account_id, currency, ` + month + `, payee, sum(amount)::text FROM (
		SELECT account_id, currency, month AS m, ` + monthlyPayee + ` AS payee, amount FROM ` + monthly + `
		WHERE user_id = $1 AND month >= $2 AND month < $3` + monthlyFilter + days + `
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

// daysOfPostings selects the postings dated from $from to $to for sumTotals.
// It reaches them account by account through journal_postings' account and
// date index, which reads only those days whatever the size of the books,
// and joins the journal only for the payee or tags.
func daysOfPostings(from, to int, query totalsQuery, dayFilter string) string {
	payee, journal := "''", ""
	if query.byPayee || query.tag != "" {
		journal = fmt.Sprintf(`
		JOIN journal j ON j.user_id = p.user_id AND j.transaction_id = p.transaction_id
		  AND j.date BETWEEN $%d AND $%d`, from, to)
	}
	if query.byPayee {
		payee = "j.payee"
	}
	return fmt.Sprintf(`
		UNION ALL
		SELECT p.account_id, p.currency, date_trunc('month', p.date)::date, %s, p.amount
		FROM accounts a JOIN journal_postings p ON p.user_id = a.user_id AND p.account_id = a.account_id%s
		WHERE a.user_id = $1 AND NOT p.voided AND p.date BETWEEN $%d AND $%d%s`,
		payee, journal, from, to, dayFilter)
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
