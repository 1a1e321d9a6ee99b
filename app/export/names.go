// Package export writes a user's books in formats other programs read:
// hledger/Ledger journals, Beancount files and CSV files of reports, so that
// a user can cross-check their books elsewhere or leave at any time.
package export

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"folio/domain"
)

// rootNames are the top-level accounts both journal formats expect.
var rootNames = map[domain.AccountType]string{
	domain.Asset:     "Assets",
	domain.Liability: "Liabilities",
	domain.Equity:    "Equity",
	domain.Income:    "Income",
	domain.Expense:   "Expenses",
}

// accountNames gives every account a distinct full name under its type's
// root, made by component from its own name. A name that comes out like an
// earlier account's (in the order they were opened) gets "-2", "-3", … so
// that the same books always export the same names.
func accountNames(accounts []*domain.Account, component func(string) string) map[uuid.UUID]string {
	names := make(map[uuid.UUID]string, len(accounts))
	taken := map[string]bool{}
	for _, account := range accounts {
		var parts []string
		for _, part := range strings.Split(account.Name, ":") {
			if part = component(strings.TrimSpace(part)); part != "" {
				parts = append(parts, part)
			}
		}
		if len(parts) == 0 {
			parts = []string{component("Account")}
		}
		base := rootNames[account.Type] + ":" + strings.Join(parts, ":")
		name := base
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = base + "-" + strconv.Itoa(n)
		}
		taken[strings.ToLower(name)] = true
		names[account.ID] = name
	}
	return names
}

// hledgerComponent keeps a name as it is: hledger and Ledger read any text
// up to two spaces as an account name, and Folio's names have no runs of
// spaces, no semicolons and no control characters.
func hledgerComponent(name string) string { return name }

// beancountComponent reduces a name to what Beancount accepts in one
// component of an account name: letters, digits and dashes, starting with
// an upper-case letter or a digit.
func beancountComponent(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		if r != '\'' {
			dash = true
		}
	}
	text := b.String()
	if text == "" {
		return ""
	}
	first := []rune(text)[0]
	if upper := unicode.ToUpper(first); upper != first && unicode.IsUpper(upper) {
		return string(upper) + text[len(string(first)):]
	}
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return "X" + text
	}
	return text
}

// JournalAccountNames returns the name each account has in WriteJournal's output.
func JournalAccountNames(books *domain.Books) map[uuid.UUID]string {
	return accountNames(books.Accounts(), hledgerComponent)
}

// BeancountAccountNames returns the name each account has in WriteBeancount's output.
func BeancountAccountNames(books *domain.Books) map[uuid.UUID]string {
	return accountNames(books.Accounts(), beancountComponent)
}
