package export

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"folio/domain"
)

// beancountEpoch opens every account when the books have no transactions.
var beancountEpoch = domain.MustDate("1970-01-01")

// WriteBeancount writes the whole book in Beancount's format: an open
// directive per account on the date of the first transaction, a price
// directive per entered exchange rate and every counted transaction.
// Account names and tags are reduced to the characters Beancount allows;
// the original names and tags are kept as metadata.
func WriteBeancount(w io.Writer, books *domain.Books) error {
	out := bufio.NewWriter(w)
	names := accountNames(books.Accounts(), beancountComponent)
	txns, voided := countedTransactions(books)
	opened := beancountEpoch
	if len(txns) > 0 {
		opened = txns[0].Date
	}

	fmt.Fprintf(out, "; Folio books in Beancount format.\n")
	fmt.Fprintf(out, "; %d transactions; %d voided transactions left out.\n\n", len(txns), voided)
	fmt.Fprintf(out, "option \"title\" \"Folio books\"\n")
	fmt.Fprintf(out, "option \"operating_currency\" %s\n\n", beancountString(books.Settings.BaseCurrency))
	for _, account := range books.Accounts() {
		fmt.Fprintf(out, "%s open %s", opened, names[account.ID])
		if account.Currency != "" {
			fmt.Fprintf(out, " %s", account.Currency)
		}
		fmt.Fprintf(out, "\n  folio-name: %s\n", beancountString(account.Name))
		if account.Closed {
			// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
			out.WriteString("  folio-closed: TRUE\n")
		}
	}
	if prices := books.EnteredPrices(); len(prices) > 0 {
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString("\n")
		for _, price := range prices {
			fmt.Fprintf(out, "%s price %s %s %s\n", price.Date, price.Commodity, price.Amount, price.Currency)
		}
	}
	for _, txn := range txns {
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString("\n")
		writeBeancountTransaction(out, txn, names)
	}
	return out.Flush()
}

func writeBeancountTransaction(out *bufio.Writer, txn *domain.Transaction, names map[uuid.UUID]string) {
	fmt.Fprintf(out, "%s *", txn.Date)
	if txn.Payee != "" {
		fmt.Fprintf(out, " %s", beancountString(txn.Payee))
	}
	fmt.Fprintf(out, " %s", beancountString(txn.Description))
	changed := false
	for _, tag := range txn.Tags {
		clean := beancountTag(tag)
		changed = changed || clean != tag
		if clean != "" {
			fmt.Fprintf(out, " #%s", clean)
		}
	}
	fmt.Fprintf(out, "\n  folio-id: \"%s\"\n", txn.ID)
	if changed {
		fmt.Fprintf(out, "  folio-tags: %s\n", beancountString(strings.Join(txn.Tags, " ")))
	}
	for _, posting := range txn.Postings {
		fmt.Fprintf(out, "  %s  %s %s", names[posting.AccountID], domain.FormatAmount(posting.Amount), posting.Currency)
		if posting.Price != nil {
			fmt.Fprintf(out, " @ %s %s", posting.Price.Amount, posting.Price.Currency)
		}
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString("\n")
	}
}

// beancountString quotes text as a Beancount string.
func beancountString(text string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(text) + `"`
}

// beancountTag keeps the characters Beancount allows in a tag and turns the
// others into dashes.
func beancountTag(tag string) string {
	var b strings.Builder
	for _, r := range tag {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_/.", r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
