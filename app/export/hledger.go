package export

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"

	"folio/domain"
)

// accountTypeCodes are hledger's account type tags.
var accountTypeCodes = map[domain.AccountType]string{
	domain.Asset: "A", domain.Liability: "L", domain.Equity: "E", domain.Income: "R", domain.Expense: "X",
}

// WriteJournal writes the whole book as an hledger journal, which Ledger
// also reads: an account directive per account, a P directive per entered
// exchange rate and every counted transaction with its postings, prices,
// payee, tags and Folio id. Voided transactions are left out, as they count
// nowhere. Amounts are written exactly, with a dot as the decimal mark.
func WriteJournal(w io.Writer, books *domain.Books) error {
	out := bufio.NewWriter(w)
	names := accountNames(books.Accounts(), hledgerComponent)
	txns, voided := countedTransactions(books)

	fmt.Fprintf(out, "; Folio books in hledger/Ledger journal format.\n")
	fmt.Fprintf(out, "; Base currency %s; the fiscal year starts in month %d.\n",
		books.Settings.BaseCurrency, books.Settings.FiscalYearStartMonth)
	fmt.Fprintf(out, "; %d transactions; %d voided transactions left out.\n\n", len(txns), voided)
	for _, account := range books.Accounts() {
		fmt.Fprintf(out, "account %s  ; type: %s\n", names[account.ID], accountTypeCodes[account.Type])
		if names[account.ID] != rootNames[account.Type]+":"+account.Name {
			fmt.Fprintf(out, "    ; folio-name: %s\n", account.Name)
		}
	}
	if prices := books.EnteredPrices(); len(prices) > 0 {
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString("\n")
		for _, price := range prices {
			fmt.Fprintf(out, "P %s %s %s %s\n", price.Date, price.Commodity, price.Amount, price.Currency)
		}
	}
	for _, txn := range txns {
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString("\n")
		writeJournalTransaction(out, txn, names)
	}
	return out.Flush()
}

func writeJournalTransaction(out *bufio.Writer, txn *domain.Transaction, names map[uuid.UUID]string) {
	description := journalText(txn.Description)
	if txn.Payee != "" {
		description = strings.ReplaceAll(journalText(txn.Payee), "|", "/") + " | " + description
	}
	// "()" is an empty transaction code, so that a description that starts
	// with a parenthesis is not read as one.
	fmt.Fprintf(out, "%s * () %s  ; folio-id: %s", txn.Date, strings.TrimSpace(description), txn.ID)
	for _, tag := range txn.Tags {
		fmt.Fprintf(out, ", %s:", tag)
	}
	// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
	out.WriteString("\n")
	for _, posting := range txn.Postings {
		fmt.Fprintf(out, "    %s  %s %s", names[posting.AccountID], domain.FormatAmount(posting.Amount), posting.Currency)
		if posting.Price != nil {
			fmt.Fprintf(out, " @ %s %s", posting.Price.Amount, posting.Price.Currency)
		}
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString("\n")
	}
}

// journalText makes text safe on a transaction line, where a semicolon
// starts a comment.
func journalText(text string) string {
	return strings.ReplaceAll(text, ";", ",")
}

// countedTransactions returns the transactions that are not voided, by date
// and then in the order they were recorded, and how many were voided.
func countedTransactions(books *domain.Books) ([]*domain.Transaction, int) {
	var txns []*domain.Transaction
	voided := 0
	for _, txn := range books.Transactions() {
		if txn.Voided {
			voided++
			continue
		}
		txns = append(txns, txn)
	}
	slices.SortStableFunc(txns, func(a, b *domain.Transaction) int { return a.Date.Time().Compare(b.Date.Time()) })
	return txns, voided
}
