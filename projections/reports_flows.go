package projections

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// CashFlowMonth is one month of money in (income) and out (expenses), their
// difference, and the change in net worth (assets less liabilities), which
// also moves with equity and with currency conversions. Transfers between
// one's own accounts are neither in nor out.
type CashFlowMonth struct {
	Month          Period
	Income         decimal.Decimal
	Expenses       decimal.Decimal
	Net            decimal.Decimal
	NetWorthChange decimal.Decimal
}

// CashFlowSeries is the cash flow of one currency, month by month.
type CashFlowSeries struct {
	Currency string
	Months   []CashFlowMonth
	Total    CashFlowMonth
}

// CashFlow is the cash flow of a period by month, per currency.
type CashFlow struct {
	Period     Period
	Months     []Period
	Series     []CashFlowSeries
	Conversion *Conversion
}

// BuildCashFlow reads the cash flow of a period.
func BuildCashFlow(ctx context.Context, q eventstore.Querier, userID uuid.UUID, period Period,
	options ReportOptions) (CashFlow, error) {
	report := CashFlow{Period: period, Months: period.Months()}
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	totals, err := sumTotals(ctx, q, userID, totalsQuery{period: period, tag: options.Tag, byMonth: true})
	if err != nil {
		return report, err
	}
	if options.ConvertTo != "" {
		valueAt := func(_ int, total accountTotal) domain.Date { return monthEndWithin(period, total.month) }
		if report.Conversion, err = convertTotals(ctx, q, userID, options.ConvertTo, totals, valueAt); err != nil {
			return report, err
		}
	}

	column := map[domain.Date]int{}
	for i, month := range report.Months {
		column[month.From.FirstOfMonth()] = i
	}
	series := map[string]*CashFlowSeries{}
	for _, total := range totals {
		s := series[total.currency]
		if s == nil {
			s = &CashFlowSeries{Currency: total.currency, Months: make([]CashFlowMonth, len(report.Months))}
			for i, month := range report.Months {
				s.Months[i].Month = month
			}
			series[total.currency] = s
		}
		month := &s.Months[column[total.month]]
		switch accounts[total.accountID].Type {
		case domain.Income:
			month.Income = month.Income.Sub(total.amount)
		case domain.Expense:
			month.Expenses = month.Expenses.Add(total.amount)
		case domain.Asset, domain.Liability:
			month.NetWorthChange = month.NetWorthChange.Add(total.amount)
		}
	}
	for _, currency := range sortedKeys(series) {
		s := series[currency]
		s.Total.Month = period
		for i := range s.Months {
			month := &s.Months[i]
			month.Net = month.Income.Sub(month.Expenses)
			s.Total.Income = s.Total.Income.Add(month.Income)
			s.Total.Expenses = s.Total.Expenses.Add(month.Expenses)
			s.Total.Net = s.Total.Net.Add(month.Net)
			s.Total.NetWorthChange = s.Total.NetWorthChange.Add(month.NetWorthChange)
		}
		report.Series = append(report.Series, *s)
	}
	return report, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

// NetWorthPoint is what one owned and owed on a date, liabilities as a
// positive amount.
type NetWorthPoint struct {
	Date        domain.Date
	Assets      decimal.Decimal
	Liabilities decimal.Decimal
}

// Net returns assets less liabilities.
func (p NetWorthPoint) Net() decimal.Decimal { return p.Assets.Sub(p.Liabilities) }

// NetWorthSeries is the net worth of one currency over time.
type NetWorthSeries struct {
	Currency string
	Points   []NetWorthPoint
}

// NetWorth is net worth at the end of each month up to a date.
type NetWorth struct {
	Dates      []domain.Date
	Series     []NetWorthSeries
	Conversion *Conversion
}

// BuildNetWorth reads net worth at the end of each of the months months
// that end with asOf's month, the last point on asOf itself.
func BuildNetWorth(ctx context.Context, q eventstore.Querier, userID uuid.UUID, asOf domain.Date, months int,
	options ReportOptions) (NetWorth, error) {
	var report NetWorth
	for i := months - 1; i >= 1; i-- {
		report.Dates = append(report.Dates, addMonths(asOf.FirstOfMonth(), -i+1).AddDays(-1))
	}
	report.Dates = append(report.Dates, asOf)
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	totals, err := sumTotals(ctx, q, userID, totalsQuery{period: Period{To: asOf}, tag: options.Tag, byMonth: true})
	if err != nil {
		return report, err
	}
	balances := netWorthBalances(accounts, totals, report.Dates)
	var c *converter
	if options.ConvertTo != "" {
		var needs []rateKey
		for key := range balances {
			for _, date := range report.Dates {
				needs = append(needs, rateKey{key.currency, date})
			}
		}
		if c, err = newConverter(ctx, q, userID, options.ConvertTo, needs); err != nil {
			return report, err
		}
	}
	report.Series = netWorthSeries(balances, report.Dates, c)
	if c != nil {
		report.Conversion = c.conversion()
	}
	return report, nil
}

// netWorthKey names the assets or the liabilities in one currency.
type netWorthKey struct {
	liability bool
	currency  string
}

// netWorthBalances sums, for each date, the balances of assets and of
// liabilities (as positive amounts) per currency.
func netWorthBalances(accounts map[uuid.UUID]ReportAccount, totals []accountTotal, dates []domain.Date) map[netWorthKey][]decimal.Decimal {
	balances := map[netWorthKey][]decimal.Decimal{}
	for _, total := range totals {
		accountType := accounts[total.accountID].Type
		if accountType != domain.Asset && accountType != domain.Liability {
			continue
		}
		key := netWorthKey{accountType == domain.Liability, total.currency}
		if balances[key] == nil {
			balances[key] = make([]decimal.Decimal, len(dates))
		}
		for i, date := range dates {
			if !total.month.After(date) {
				balances[key][i] = balances[key][i].Add(presented(accountType, total.amount))
			}
		}
	}
	return balances
}

// netWorthSeries turns balances into one series per currency, converted
// when c is not nil.
func netWorthSeries(balances map[netWorthKey][]decimal.Decimal, dates []domain.Date, c *converter) []NetWorthSeries {
	series := map[string]*NetWorthSeries{}
	for key, amounts := range balances {
		for i, date := range dates {
			currency, amount := key.currency, amounts[i]
			if c != nil {
				currency, amount, _ = c.convert(currency, date, amount)
			}
			s := series[currency]
			if s == nil {
				s = &NetWorthSeries{Currency: currency, Points: make([]NetWorthPoint, len(dates))}
				for j, d := range dates {
					s.Points[j].Date = d
				}
				series[currency] = s
			}
			if key.liability {
				s.Points[i].Liabilities = s.Points[i].Liabilities.Add(amount)
			} else {
				s.Points[i].Assets = s.Points[i].Assets.Add(amount)
			}
		}
	}
	var sorted []NetWorthSeries
	for _, currency := range sortedKeys(series) {
		sorted = append(sorted, *series[currency])
	}
	return sorted
}

// BreakdownLine is one account's or one payee's share of income or
// expenses in one currency.
type BreakdownLine struct {
	Account  ReportAccount // zero ID when the breakdown is by payee
	Payee    string
	Currency string
	Amount   decimal.Decimal
	Percent  decimal.Decimal // of the currency's total, one decimal
}

// Breakdown splits a period's expenses and income by account or by payee,
// largest first. Amounts are positive for expenses and for income.
type Breakdown struct {
	Period        Period
	ByPayee       bool
	Expenses      []BreakdownLine
	Income        []BreakdownLine
	ExpenseTotals Amounts
	IncomeTotals  Amounts
	Conversion    *Conversion
}

// BuildBreakdown reads the expenses and income of a period by account, or
// by payee, of the transactions with options.Tag when it is set.
func BuildBreakdown(ctx context.Context, q eventstore.Querier, userID uuid.UUID, period Period, byPayee bool,
	options ReportOptions) (Breakdown, error) {
	report := Breakdown{Period: period, ByPayee: byPayee, ExpenseTotals: Amounts{}, IncomeTotals: Amounts{}}
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	query := totalsQuery{period: period, byMonth: options.ConvertTo != "", byPayee: byPayee, tag: options.Tag}
	totals, err := sumTotals(ctx, q, userID, query)
	if err != nil {
		return report, err
	}
	totals = onlyIncomeAndExpenses(accounts, totals)
	if options.ConvertTo != "" {
		valueAt := func(_ int, total accountTotal) domain.Date { return monthEndWithin(period, total.month) }
		if report.Conversion, err = convertTotals(ctx, q, userID, options.ConvertTo, totals, valueAt); err != nil {
			return report, err
		}
	}

	type key struct {
		accountID   uuid.UUID
		accountType domain.AccountType
		payee       string
		currency    string
	}
	sums := map[key]decimal.Decimal{}
	for _, total := range totals {
		account := accounts[total.accountID]
		k := key{accountType: account.Type, payee: total.payee, currency: total.currency}
		if !byPayee {
			k.accountID = account.ID
		}
		sums[k] = sums[k].Add(presented(account.Type, total.amount))
	}
	for k, amount := range sums {
		if amount.IsZero() {
			continue
		}
		line := BreakdownLine{Account: accounts[k.accountID], Payee: k.payee, Currency: k.currency, Amount: amount}
		line.Account.Type = k.accountType
		if k.accountType == domain.Income {
			report.Income = append(report.Income, line)
			report.IncomeTotals.add(k.currency, amount)
		} else {
			report.Expenses = append(report.Expenses, line)
			report.ExpenseTotals.add(k.currency, amount)
		}
	}
	finishBreakdown(report.Income, report.IncomeTotals)
	finishBreakdown(report.Expenses, report.ExpenseTotals)
	return report, nil
}

// finishBreakdown sets each line's share of its currency's total and sorts
// the lines: by currency, then largest first, then by name.
func finishBreakdown(lines []BreakdownLine, totals Amounts) {
	hundred := decimal.NewFromInt(100)
	for i := range lines {
		if total := totals[lines[i].Currency]; !total.IsZero() {
			lines[i].Percent = lines[i].Amount.Mul(hundred).DivRound(total, 1)
		}
	}
	slices.SortFunc(lines, func(a, b BreakdownLine) int {
		if c := strings.Compare(a.Currency, b.Currency); c != 0 {
			return c
		}
		if c := b.Amount.Cmp(a.Amount); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(a.Account.Name+a.Payee), strings.ToLower(b.Account.Name+b.Payee)); c != 0 {
			return c
		}
		return compareIDs(a.Account.ID, b.Account.ID)
	})
}
