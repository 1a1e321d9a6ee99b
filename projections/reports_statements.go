package projections

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// StatementLine is one account's amount in one currency.
type StatementLine struct {
	Account  ReportAccount
	Currency string
	Amount   decimal.Decimal
}

// Names of the lines a balance sheet computes rather than reads from an account.
const (
	RetainedEarnings    = "Retained earnings"
	CurrentYearEarnings = "Current year earnings"
	CurrencyConversions = "Currency conversions"
)

// TrialBalance lists every account's balance as of a date, debits positive
// and credits negative, with the sums of debits and credits per currency.
type TrialBalance struct {
	AsOf       domain.Date
	Lines      []StatementLine
	Debits     Amounts
	Credits    Amounts // as positive amounts
	Conversion *Conversion
}

// BuildTrialBalance reads the trial balance as of asOf.
func BuildTrialBalance(ctx context.Context, q eventstore.Querier, userID uuid.UUID, asOf domain.Date,
	options ReportOptions) (TrialBalance, error) {
	report := TrialBalance{AsOf: asOf, Debits: Amounts{}, Credits: Amounts{}}
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	totals, err := sumTotals(ctx, q, userID, totalsQuery{period: Period{To: asOf}, tag: options.Tag})
	if err != nil {
		return report, err
	}
	if report.Conversion, err = convertAt(ctx, q, userID, options, totals, asOf); err != nil {
		return report, err
	}
	report.Lines = statementLines(accounts, totals)
	for _, line := range report.Lines {
		if line.Amount.IsPositive() {
			report.Debits.add(line.Currency, line.Amount)
		} else {
			report.Credits.add(line.Currency, line.Amount.Neg())
		}
	}
	return report, nil
}

// convertAt converts totals in place at one date when options ask for it.
func convertAt(ctx context.Context, q eventstore.Querier, userID uuid.UUID, options ReportOptions,
	totals []accountTotal, date domain.Date) (*Conversion, error) {
	if options.ConvertTo == "" {
		return nil, nil
	}
	return convertTotals(ctx, q, userID, options.ConvertTo, totals, func(int, accountTotal) domain.Date { return date })
}

// convertTotals converts each total at the date valueAt gives it (i is its
// index); totals without a rate keep their currency.
func convertTotals(ctx context.Context, q eventstore.Querier, userID uuid.UUID, base string, totals []accountTotal,
	valueAt func(i int, total accountTotal) domain.Date) (*Conversion, error) {
	needs := make([]rateKey, len(totals))
	for i, total := range totals {
		needs[i] = rateKey{total.currency, valueAt(i, total)}
	}
	c, err := newConverter(ctx, q, userID, base, needs)
	if err != nil {
		return nil, err
	}
	for i := range totals {
		totals[i].currency, totals[i].amount, _ = c.convert(totals[i].currency, needs[i].date, totals[i].amount)
	}
	return c.conversion(), nil
}

// statementLines sums totals per account and currency into sorted lines,
// leaving out zero balances.
func statementLines(accounts map[uuid.UUID]ReportAccount, totals []accountTotal) []StatementLine {
	type key struct {
		accountID uuid.UUID
		currency  string
	}
	sums := map[key]decimal.Decimal{}
	for _, total := range totals {
		k := key{total.accountID, total.currency}
		sums[k] = sums[k].Add(total.amount)
	}
	var lines []StatementLine
	for k, amount := range sums {
		if amount.IsZero() {
			continue
		}
		lines = append(lines, StatementLine{Account: accounts[k.accountID], Currency: k.currency, Amount: amount})
	}
	sortLines(lines)
	return lines
}

func sortLines(lines []StatementLine) {
	slices.SortFunc(lines, func(a, b StatementLine) int {
		if c := compareAccounts(a.Account, b.Account); c != 0 {
			return c
		}
		if a.Account.ID != b.Account.ID {
			return compareIDs(a.Account.ID, b.Account.ID)
		}
		if a.Currency < b.Currency {
			return -1
		}
		if a.Currency > b.Currency {
			return 1
		}
		return 0
	})
}

// Section is a part of a statement with its totals per currency. Amounts
// are presented as accountants read them: credit balances of liabilities,
// equity and income as positive amounts.
type Section struct {
	Lines  []StatementLine
	Totals Amounts
}

func (s *Section) add(line StatementLine) {
	s.Lines = append(s.Lines, line)
	s.Totals.add(line.Currency, line.Amount)
}

// BalanceSheet shows assets, liabilities and equity as of a date. Equity
// holds the earnings of past fiscal years (retained) and of the current one,
// and, when transactions converted currencies, the balance of those
// conversions per currency, so that in every currency assets equal
// liabilities plus equity.
type BalanceSheet struct {
	AsOf            domain.Date
	FiscalYearStart domain.Date
	Assets          Section
	Liabilities     Section
	Equity          Section
	Conversion      *Conversion
}

// LiabilitiesAndEquity returns the sum of both sections per currency.
func (b BalanceSheet) LiabilitiesAndEquity() Amounts {
	sum := Amounts{}
	for _, section := range []Section{b.Liabilities, b.Equity} {
		for currency, amount := range section.Totals {
			sum.add(currency, amount)
		}
	}
	return sum
}

// BuildBalanceSheet reads the balance sheet as of asOf for a fiscal year
// that starts in fiscalStartMonth.
func BuildBalanceSheet(ctx context.Context, q eventstore.Querier, userID uuid.UUID, asOf domain.Date,
	fiscalStartMonth int, options ReportOptions) (BalanceSheet, error) {
	report := BalanceSheet{AsOf: asOf, FiscalYearStart: FiscalYearStart(asOf, fiscalStartMonth)}
	report.Assets.Totals, report.Liabilities.Totals, report.Equity.Totals = Amounts{}, Amounts{}, Amounts{}
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	totals, err := sumTotals(ctx, q, userID, totalsQuery{period: Period{To: asOf}, tag: options.Tag})
	if err != nil {
		return report, err
	}
	thisYear, err := sumTotals(ctx, q, userID, totalsQuery{
		period: Period{From: report.FiscalYearStart, To: asOf}, tag: options.Tag})
	if err != nil {
		return report, err
	}
	if options.ConvertTo != "" {
		all := append(totals, thisYear...)
		if report.Conversion, err = convertAt(ctx, q, userID, options, all, asOf); err != nil {
			return report, err
		}
		totals, thisYear = all[:len(totals)], all[len(totals):]
	}

	earnings, current, residual := Amounts{}, Amounts{}, Amounts{}
	for _, line := range statementLines(accounts, totals) {
		residual.add(line.Currency, line.Amount)
		switch line.Account.Type {
		case domain.Asset:
			report.Assets.add(line)
		case domain.Liability:
			line.Amount = line.Amount.Neg()
			report.Liabilities.add(line)
		case domain.Equity:
			line.Amount = line.Amount.Neg()
			report.Equity.add(line)
		default:
			earnings.add(line.Currency, line.Amount.Neg())
		}
	}
	for _, total := range thisYear {
		if account := accounts[total.accountID]; account.Type == domain.Income || account.Type == domain.Expense {
			current.add(total.currency, total.amount.Neg())
		}
	}
	for _, currency := range unionCurrencies(earnings, current) {
		retained := earnings[currency].Sub(current[currency])
		report.Equity.addComputed(RetainedEarnings, currency, retained)
		report.Equity.addComputed(CurrentYearEarnings, currency, current[currency])
	}
	for _, currency := range residual.Currencies() {
		report.Equity.addComputed(CurrencyConversions, currency, residual[currency])
	}
	return report, nil
}

func (s *Section) addComputed(name, currency string, amount decimal.Decimal) {
	if amount.IsZero() {
		return
	}
	s.add(StatementLine{Account: ReportAccount{Name: name, Type: domain.Equity}, Currency: currency, Amount: amount})
}

func unionCurrencies(sets ...Amounts) []string {
	union := Amounts{}
	for _, set := range sets {
		for currency := range set {
			union[currency] = decimal.Zero
		}
	}
	return union.Currencies()
}

// IncomeLine is one account's income or expenses in one currency, per month
// column, over the period and over the previous period. Income is positive.
type IncomeLine struct {
	Account  ReportAccount
	Currency string
	Months   []decimal.Decimal
	Total    decimal.Decimal
	Previous decimal.Decimal
}

// Change returns Total minus Previous.
func (l IncomeLine) Change() decimal.Decimal { return l.Total.Sub(l.Previous) }

// IncomeStatement shows income and expenses over a period, by month, beside
// the previous period of the same length.
type IncomeStatement struct {
	Period       Period
	Previous     Period
	Months       []Period
	Income       []IncomeLine
	Expenses     []IncomeLine
	TotalIncome  []IncomeLine // one per currency, no account
	TotalExpense []IncomeLine
	NetIncome    []IncomeLine // income minus expenses
	Conversion   *Conversion
}

// BuildIncomeStatement reads the income statement of a period.
func BuildIncomeStatement(ctx context.Context, q eventstore.Querier, userID uuid.UUID, period Period,
	options ReportOptions) (IncomeStatement, error) {
	report := IncomeStatement{Period: period, Previous: period.Previous(), Months: period.Months()}
	accounts, err := reportAccounts(ctx, q, userID)
	if err != nil {
		return report, err
	}
	current, err := sumTotals(ctx, q, userID, totalsQuery{period: period, tag: options.Tag, byMonth: true})
	if err != nil {
		return report, err
	}
	previous, err := sumTotals(ctx, q, userID, totalsQuery{period: report.Previous, tag: options.Tag, byMonth: true})
	if err != nil {
		return report, err
	}
	current, previous = onlyIncomeAndExpenses(accounts, current), onlyIncomeAndExpenses(accounts, previous)
	if options.ConvertTo != "" {
		all := append(current, previous...)
		valueAt := func(i int, total accountTotal) domain.Date {
			if i < len(current) {
				return monthEndWithin(period, total.month)
			}
			return monthEndWithin(report.Previous, total.month)
		}
		if report.Conversion, err = convertTotals(ctx, q, userID, options.ConvertTo, all, valueAt); err != nil {
			return report, err
		}
		current, previous = all[:len(current)], all[len(current):]
	}

	lines := incomeLines(accounts, report.Months, current, previous)
	for _, line := range lines {
		if line.Account.Type == domain.Income {
			report.Income = append(report.Income, line)
		} else {
			report.Expenses = append(report.Expenses, line)
		}
	}
	report.TotalIncome = sumIncomeLines(report.Income, len(report.Months), false)
	report.TotalExpense = sumIncomeLines(report.Expenses, len(report.Months), false)
	report.NetIncome = sumIncomeLines(append(append([]IncomeLine{}, report.Income...), report.Expenses...),
		len(report.Months), true)
	return report, nil
}

func onlyIncomeAndExpenses(accounts map[uuid.UUID]ReportAccount, totals []accountTotal) []accountTotal {
	kept := totals[:0:0]
	for _, total := range totals {
		if t := accounts[total.accountID].Type; t == domain.Income || t == domain.Expense {
			kept = append(kept, total)
		}
	}
	return kept
}

// monthEndWithin is the date a month's total is valued at: the month's last
// day, or the period's end when that comes first.
func monthEndWithin(period Period, month domain.Date) domain.Date {
	end := addMonths(month, 1).AddDays(-1)
	if end.After(period.To) {
		return period.To
	}
	return end
}

// incomeLines builds one line per account and currency, in statement order,
// with presented signs: income and expenses both positive.
func incomeLines(accounts map[uuid.UUID]ReportAccount, months []Period, current, previous []accountTotal) []IncomeLine {
	type key struct {
		accountID uuid.UUID
		currency  string
	}
	column := map[domain.Date]int{}
	for i, month := range months {
		column[month.From.FirstOfMonth()] = i
	}
	byKey := map[key]*IncomeLine{}
	line := func(total accountTotal) *IncomeLine {
		k := key{total.accountID, total.currency}
		if byKey[k] == nil {
			byKey[k] = &IncomeLine{Account: accounts[total.accountID], Currency: total.currency,
				Months: make([]decimal.Decimal, len(months))}
		}
		return byKey[k]
	}
	for _, total := range current {
		l, amount := line(total), presented(accounts[total.accountID].Type, total.amount)
		l.Months[column[total.month]] = l.Months[column[total.month]].Add(amount)
		l.Total = l.Total.Add(amount)
	}
	for _, total := range previous {
		l := line(total)
		l.Previous = l.Previous.Add(presented(accounts[total.accountID].Type, total.amount))
	}
	var lines []IncomeLine
	for _, l := range byKey {
		if !l.Total.IsZero() || !l.Previous.IsZero() {
			lines = append(lines, *l)
		}
	}
	slices.SortFunc(lines, func(a, b IncomeLine) int {
		if c := compareAccounts(a.Account, b.Account); c != 0 {
			return c
		}
		if c := compareIDs(a.Account.ID, b.Account.ID); c != 0 {
			return c
		}
		return compareStrings(a.Currency, b.Currency)
	})
	return lines
}

// sumIncomeLines totals lines per currency; net subtracts expenses.
func sumIncomeLines(lines []IncomeLine, months int, net bool) []IncomeLine {
	byCurrency := map[string]*IncomeLine{}
	var currencies []string
	for _, line := range lines {
		sum := byCurrency[line.Currency]
		if sum == nil {
			sum = &IncomeLine{Currency: line.Currency, Months: make([]decimal.Decimal, months)}
			byCurrency[line.Currency] = sum
			currencies = append(currencies, line.Currency)
		}
		sign := decimal.NewFromInt(1)
		if net && line.Account.Type == domain.Expense {
			sign = sign.Neg()
		}
		for i, amount := range line.Months {
			sum.Months[i] = sum.Months[i].Add(amount.Mul(sign))
		}
		sum.Total = sum.Total.Add(line.Total.Mul(sign))
		sum.Previous = sum.Previous.Add(line.Previous.Mul(sign))
	}
	slices.Sort(currencies)
	totals := make([]IncomeLine, 0, len(currencies))
	for _, currency := range currencies {
		totals = append(totals, *byCurrency[currency])
	}
	return totals
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
