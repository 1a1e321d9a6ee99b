package imports

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// providerIDBytesMax is the longest provider id kept as it is in a key; longer ones are
// hashed, so that every key fits the domain's limit.
const providerIDBytesMax = 120

// Target says where a statement's lines go.
type Target struct {
	Account *domain.Account // the bank account the statement belongs to
	// Currency is the currency of lines that do not name one: the account's, else the
	// statement's, else the books' base currency.
	Currency      string
	Uncategorized uuid.UUID // counter-account of lines no rule matches
	Fees          uuid.UUID // fees, and the rounding of foreign amounts
	Rules         *Rules
	// Lookup finds the accounts rules point to.
	Lookup func(uuid.UUID) (*domain.Account, bool)
}

// Built is a statement turned into import lines. Rules[i] is the rule that chose the
// counter-account of Lines[i], nil when none did.
type Built struct {
	Lines   []domain.ImportLine
	Rules   []*Rule
	Ignored int // lines of zero amount, which record nothing
}

// Build turns a statement's lines into the lines of an import.
func Build(statement Statement, target Target) Built {
	built := Built{Lines: make([]domain.ImportLine, 0, len(statement.Lines)),
		Rules: make([]*Rule, 0, len(statement.Lines))}
	fingerprints := newFingerprinter(target.Account.ID)
	for _, line := range statement.Lines {
		if line.Amount.IsZero() {
			built.Ignored++
			continue
		}
		counter, rule := target.Uncategorized, (*Rule)(nil)
		if matched, ok := target.Rules.Match(line.Description, line.Payee); ok {
			counter, rule = matched.AccountID, &matched
		}
		if statement.Format == FormatWiseCSV && WiseLineKind(line) == "fee" {
			counter, rule = target.Fees, nil
		}
		currency := firstOf(line.Currency, statement.Currency, target.Currency)
		entry := LineEntry(line, currency, target.Account.ID, counter, target.Fees)
		keys := []string{lineKey(statement.Format, target.Account.ID, line, fingerprints)}
		if statement.Format == FormatWiseCSV {
			keys = append(keys, mirroredWiseKeys(line, counter, target.Lookup)...)
		}
		built.Lines = append(built.Lines, domain.ImportLine{Line: line.Number, Keys: keys, Entry: entry})
		built.Rules = append(built.Rules, rule)
	}
	return built
}

// LineEntry makes the entry of one line: the bank posting, the fee, and the counter
// posting, in the foreign currency at a price when the line paid in one. Rounding of the
// price goes to the fees account, so that the entry balances to the cent and beyond.
func LineEntry(line Line, currency string, bank, counter, fees uuid.UUID) domain.Entry {
	entry := domain.Entry{Date: line.Date, Payee: line.Payee,
		Description: firstOf(line.Description, line.Payee, line.Reference, "Statement line")}
	entry.Postings = append(entry.Postings, domain.Posting{AccountID: bank, Amount: line.Amount, Currency: currency})
	if line.Fee.IsPositive() {
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: fees, Amount: line.Fee, Currency: currency})
	}
	rest := line.Amount.Add(line.Fee).Neg() // what the counter-account takes, in currency
	if rest.IsZero() {
		return entry
	}
	if line.ForeignCurrency == "" || line.ForeignCurrency == currency || line.ForeignAmount.IsZero() {
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: counter, Amount: rest, Currency: currency})
		return entry
	}
	foreign := line.ForeignAmount.Abs()
	if rest.IsNegative() {
		foreign = foreign.Neg()
	}
	posting, rounding := priced(counter, foreign, line.ForeignCurrency, rest, currency)
	entry.Postings = append(entry.Postings, posting)
	if !rounding.IsZero() {
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: fees, Amount: rounding, Currency: currency})
	}
	return entry
}

// priced returns a posting of amount in currency priced so that its weight comes as near
// to weight (in weightCurrency) as eight decimals allow, and the difference left over.
func priced(account uuid.UUID, amount decimal.Decimal, currency string, weight decimal.Decimal,
	weightCurrency string) (domain.Posting, decimal.Decimal) {
	// A price of p decimals times an amount of a decimals weighs a+p decimals: keep it
	// within the eight an amount may have.
	priceDecimals := max(int32(8)+amount.Exponent(), 0)
	price := weight.Div(amount).Abs().Round(priceDecimals)
	if price.IsZero() {
		price = decimal.New(1, -priceDecimals)
	}
	posting := domain.Posting{AccountID: account, Amount: amount, Currency: currency,
		Price: &domain.Price{Amount: price, Currency: weightCurrency}}
	return posting, weight.Sub(amount.Mul(price))
}

// lineKey is the key that recognises a line when it comes again: the bank's id of the
// line where the format has one, else a fingerprint of its content.
func lineKey(format Format, account uuid.UUID, line Line, fingerprints *fingerprinter) string {
	scope := account.String() + "|"
	if line.ProviderID == "" {
		return scope + fingerprints.next(line)
	}
	id := line.ProviderID
	if len(id) > providerIDBytesMax {
		sum := sha256.Sum256([]byte(id))
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	switch format {
	case FormatWiseCSV:
		return scope + WiseKey(id, line.Amount.IsNegative(), WiseLineKind(line))
	case FormatCAMT053:
		return scope + "camt:" + id
	}
	return scope + "fitid:" + id
}

// WiseKey is the de-duplication key of a Wise line within its balance: the reference
// number alone repeats on refunds and on both legs of a conversion.
func WiseKey(reference string, debit bool, kind string) string {
	direction := "CREDIT"
	if debit {
		direction = "DEBIT"
	}
	return "wise:" + reference + ":" + direction + ":" + kind
}

// mirroredWiseKeys gives a conversion between two of the user's own balances the key of
// its other leg too, scoped to the counter-account: importing the other balance's file
// then skips the leg instead of counting the conversion twice.
func mirroredWiseKeys(line Line, counter uuid.UUID, lookup func(uuid.UUID) (*domain.Account, bool)) []string {
	if !strings.HasPrefix(line.ProviderID, "BALANCE-") || lookup == nil || len(line.ProviderID) > providerIDBytesMax {
		return nil
	}
	account, ok := lookup(counter)
	if !ok || (account.Type != domain.Asset && account.Type != domain.Liability) {
		return nil
	}
	return []string{counter.String() + "|" + WiseKey(line.ProviderID, !line.Amount.IsNegative(), "main")}
}

// fingerprinter numbers lines with the same date, amount and description in the order
// the file lists them, so that two genuine identical lines both import while the same
// line in an overlapping file is recognised.
type fingerprinter struct {
	account string
	seen    map[string]int
}

func newFingerprinter(account uuid.UUID) *fingerprinter {
	return &fingerprinter{account: account.String(), seen: map[string]int{}}
}

func (f *fingerprinter) next(line Line) string {
	content := line.Date.String() + "|" + line.Amount.String() + "|" + line.Currency + "|" +
		normalizeForKey(line.Description+" "+line.Payee)
	f.seen[content]++
	sum := sha256.Sum256([]byte(f.account + "|" + content + "|" + strconv.Itoa(f.seen[content])))
	return "fp:" + hex.EncodeToString(sum[:16])
}

// normalizeForKey keeps letters and digits, lower-cased, single-spaced: banks change
// spacing and punctuation between exports more than words.
func normalizeForKey(text string) string {
	mapped := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, text)
	return strings.Join(strings.Fields(mapped), " ")
}
