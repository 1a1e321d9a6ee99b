package web

import (
	"slices"

	"github.com/shopspring/decimal"

	"folio/domain"
)

// amount is a sum of money as pages show it: the number with at least two decimals, its
// currency, and whether it is below zero, which pages mark besides the minus sign.
type amount struct {
	Text     string
	Currency string
	Negative bool
}

func newAmount(value decimal.Decimal, currency string) amount {
	return amount{Text: domain.FormatAmount(value), Currency: currency, Negative: value.IsNegative()}
}

// amountsOf returns one amount per currency, in alphabetical order of the currencies,
// leaving out zeros.
func amountsOf(values map[string]decimal.Decimal) []amount {
	currencies := make([]string, 0, len(values))
	for currency, value := range values {
		if !value.IsZero() {
			currencies = append(currencies, currency)
		}
	}
	slices.Sort(currencies)

	amounts := make([]amount, len(currencies))
	for i, currency := range currencies {
		amounts[i] = newAmount(values[currency], currency)
	}
	return amounts
}

// addAmounts adds every amount of values into sums, negated when negate is set.
func addAmounts(sums, values map[string]decimal.Decimal, negate bool) {
	for currency, value := range values {
		if negate {
			value = value.Neg()
		}
		sums[currency] = sums[currency].Add(value)
	}
}

// accountTypeLabels names the account types in headings, in statement order.
var accountTypeLabels = map[domain.AccountType]string{
	domain.Asset:     "Assets",
	domain.Liability: "Liabilities",
	domain.Equity:    "Equity",
	domain.Income:    "Income",
	domain.Expense:   "Expenses",
}
