package wise

import (
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/imports"
	"folio/domain"
)

// BalanceStatement is a fetched statement and the account that holds its balance.
type BalanceStatement struct {
	Balance   Balance
	AccountID uuid.UUID
	Statement Statement
}

// Target says where the lines of Wise statements go.
type Target struct {
	Uncategorized uuid.UUID
	Fees          uuid.UUID
	Rules         *imports.Rules
	// AccountFor finds the account that holds the profile's balance in a currency, for
	// the other side of a conversion; false when there is none.
	AccountFor func(currency string) (uuid.UUID, bool)
}

// Lines maps statements to import lines: each transaction becomes one line, its fee
// posted to the fees account, a card payment in another currency priced in the
// balance's currency, and a conversion between two of the profile's balances one
// transaction over both accounts with a price, whichever of its two legs comes first.
// Keys follow the Wise reference notes: the reference number repeats on refunds and on
// both legs of a conversion, so the key adds the direction and the kind of line.
func Lines(statements []BalanceStatement, target Target) imports.Built {
	var built imports.Built
	emitted := map[string]bool{}
	number := 0
	for _, statement := range statements {
		currency := statement.Balance.Currency
		for _, transaction := range statement.Statement.Transactions {
			number++
			line := lineOf(transaction, currency, number)
			key := statement.AccountID.String() + "|" + imports.WiseKey(line.ProviderID, line.Amount.IsNegative(), "main")
			if emitted[key] {
				continue // the other leg of a conversion already made this transaction
			}
			keys := []string{key}
			counter, rule := target.Uncategorized, (*imports.Rule)(nil)
			other, own := otherBalanceAccount(transaction, line, target)
			switch {
			case own:
				counter = other
				keys = append(keys, other.String()+"|"+
					imports.WiseKey(line.ProviderID, !line.Amount.IsNegative(), "main"))
			default:
				if matched, ok := target.Rules.Match(line.Description, line.Payee); ok {
					counter, rule = matched.AccountID, &matched
				}
			}
			for _, k := range keys {
				emitted[k] = true
			}
			entry := imports.LineEntry(line, currency, statement.AccountID, counter, target.Fees)
			built.Lines = append(built.Lines, domain.ImportLine{Line: number, Keys: keys, Entry: entry})
			built.Rules = append(built.Rules, rule)
		}
	}
	return built
}

func lineOf(t Transaction, currency string, number int) imports.Line {
	line := imports.Line{Number: number, Date: domain.DateOf(t.Date.UTC()), Amount: t.Amount.Value,
		Currency: currency, ProviderID: t.ReferenceNumber, Fee: t.TotalFees.Value.Abs(),
		Description: clean(firstNonEmpty(t.Details.Description, t.Details.Type, t.ReferenceNumber)),
		Reference:   clean(t.Details.PaymentReference)}
	switch {
	case t.Details.Merchant != nil:
		line.Payee = clean(t.Details.Merchant.Name)
	case t.Details.Recipient != nil:
		line.Payee = clean(t.Details.Recipient.Name)
	default:
		line.Payee = clean(t.Details.SenderName)
	}
	if other := foreignSide(t, currency); other != nil {
		line.ForeignAmount, line.ForeignCurrency = other.Value.Abs(), other.Currency
	}
	return line
}

// foreignSide is the other currency of a transaction: what a debit paid out in, or what
// a credit came in from.
func foreignSide(t Transaction, currency string) *Money {
	exchange := t.ExchangeDetails
	if exchange == nil {
		return nil
	}
	candidates := []*Money{exchange.ToAmount, exchange.ForAmount, exchange.FromAmount}
	if t.Amount.Value.IsPositive() {
		candidates = []*Money{exchange.FromAmount, t.Details.SourceAmount}
	}
	for _, money := range candidates {
		if money != nil && money.Currency != "" && money.Currency != currency && !money.Value.IsZero() {
			return money
		}
	}
	return nil
}

// otherBalanceAccount finds the account of the other balance of a conversion.
func otherBalanceAccount(t Transaction, line imports.Line, target Target) (uuid.UUID, bool) {
	conversion := t.Details.Type == "CONVERSION" || strings.HasPrefix(t.ReferenceNumber, "BALANCE-")
	if !conversion || line.ForeignCurrency == "" || target.AccountFor == nil {
		return uuid.Nil, false
	}
	return target.AccountFor(line.ForeignCurrency)
}

func clean(text string) string {
	text = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, text)), " ")
	if runes := []rune(text); len(runes) > 300 {
		text = string(runes[:300])
	}
	return text
}

// Mismatch is a balance whose amount in the books differs from what Wise reports.
type Mismatch struct {
	Currency string
	Date     domain.Date
	Wise     decimal.Decimal
	Books    decimal.Decimal
}

// Reconcile compares the balance each statement ends with to the books' balance of its
// account on the last day, as balanceAt reports it.
func Reconcile(statements []BalanceStatement, to domain.Date,
	balanceAt func(account uuid.UUID, currency string, date domain.Date) decimal.Decimal) []Mismatch {
	var mismatches []Mismatch
	for _, statement := range statements {
		wise := statement.Statement.EndOfStatementBalance
		if count := len(statement.Statement.Transactions); count > 0 && wise.Currency == "" {
			wise = statement.Statement.Transactions[count-1].RunningBalance
		}
		if wise.Currency == "" {
			continue
		}
		books := balanceAt(statement.AccountID, wise.Currency, to)
		if !books.Equal(wise.Value) {
			mismatches = append(mismatches, Mismatch{Currency: wise.Currency, Date: to, Wise: wise.Value, Books: books})
		}
	}
	return mismatches
}
