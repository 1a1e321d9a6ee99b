package domain

import (
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// AccountType is one of the five kinds of account of double-entry books.
type AccountType string

const (
	Asset     AccountType = "asset"
	Liability AccountType = "liability"
	Equity    AccountType = "equity"
	Income    AccountType = "income"
	Expense   AccountType = "expense"
)

// AccountTypes lists the types in the order statements show them.
var AccountTypes = []AccountType{Asset, Liability, Equity, Income, Expense}

// ParseAccountType checks a type name.
func ParseAccountType(field, text string) (AccountType, error) {
	accountType := AccountType(strings.ToLower(strings.TrimSpace(text)))
	for _, known := range AccountTypes {
		if accountType == known {
			return accountType, nil
		}
	}
	return "", Invalid(field, "%q is not an account type: choose asset, liability, equity, income or expense", text)
}

// Rank orders account types as statements show them.
func (t AccountType) Rank() int {
	for i, known := range AccountTypes {
		if t == known {
			return i
		}
	}
	return len(AccountTypes)
}

// Account is one account of a user's chart of accounts.
type Account struct {
	ID       uuid.UUID
	Name     string
	Type     AccountType
	Currency string // "" accepts any currency
	Closed   bool
	// OpenedVersion is the stream version of the event that opened it.
	OpenedVersion int64
}

// AcceptsCurrency reports whether a posting in currency may go to a.
func (a *Account) AcceptsCurrency(currency string) bool {
	return a.Currency == "" || a.Currency == currency
}

const accountNameLengthMax = 100

// NormalizeAccountName trims a name and checks it can be shown and exported
// safely: no control characters and no runs of spaces, which journal formats
// read as the end of an account name.
func NormalizeAccountName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Invalid(field, "enter a name")
	}
	if len([]rune(name)) > accountNameLengthMax {
		return "", Invalid(field, "use at most %d characters", accountNameLengthMax)
	}
	if strings.Contains(name, "  ") {
		return "", Invalid(field, "use single spaces between words")
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == ';' {
			return "", Invalid(field, "remove control characters and semicolons")
		}
	}
	return name, nil
}

// nameKey is how names are compared for uniqueness: "Bank" and "bank" clash.
func nameKey(name string) string { return strings.ToLower(name) }
