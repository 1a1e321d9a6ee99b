package domain

import (
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
)

// Limits on amounts. They keep every amount exact in PostgreSQL numeric and in
// any export, and reject values no bookkeeper would type.
const (
	amountIntegerDigitsMax  = 15
	amountFractionDigitsMax = 8
)

var (
	amountPattern   = regexp.MustCompile(`^[+-]?[0-9]{1,15}(\.[0-9]{1,8})?$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ParseAmount reads a decimal amount written with a dot as the decimal
// separator, such as "-12.50". It rejects thousands separators, exponents,
// NaN and more than 15 integer or 8 fractional digits.
func ParseAmount(field, text string) (decimal.Decimal, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return decimal.Decimal{}, Invalid(field, "enter an amount")
	}
	if !amountPattern.MatchString(text) {
		return decimal.Decimal{}, Invalid(field,
			"%q is not an amount: use digits with an optional dot and at most %d decimals, like -12.50",
			text, amountFractionDigitsMax)
	}
	return decimal.RequireFromString(text), nil
}

// CheckAmount applies ParseAmount's limits to an amount that arrived already
// parsed (for example from JSON).
func CheckAmount(field string, amount decimal.Decimal) error {
	if amount.Exponent() < -amountFractionDigitsMax {
		return Invalid(field, "%s has more than %d decimals", amount, amountFractionDigitsMax)
	}
	if len(amount.Abs().Truncate(0).String()) > amountIntegerDigitsMax {
		return Invalid(field, "%s is too large", amount)
	}
	return nil
}

// NormalizeCurrency upper-cases and checks an ISO 4217 style code.
func NormalizeCurrency(field, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !currencyPattern.MatchString(code) {
		return "", Invalid(field, "%q is not a currency code: use three letters such as EUR or USD", code)
	}
	return code, nil
}

// FormatAmount writes an amount with at least two decimals and every
// significant one beyond: 12.5 as "12.50", 0.125 as "0.125".
func FormatAmount(amount decimal.Decimal) string {
	text := amount.String()
	if dot := strings.IndexByte(text, '.'); dot >= 0 && len(text)-dot-1 >= 2 {
		return text
	}
	return amount.StringFixed(2)
}
