package domain

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Limits on what one transaction may hold.
const (
	postingsMin          = 2
	postingsMax          = 100
	descriptionLengthMax = 500
	payeeLengthMax       = 200
	tagsMax              = 20
)

var tagPattern = regexp.MustCompile(`^[\p{L}\p{N}_\-]{1,40}$`)

// Price converts a posting's amount into another currency: the weight of the
// posting is amount × Price.Amount in Price.Currency.
type Price struct {
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
}

// String writes the price as "1.08 USD".
func (p Price) String() string { return p.Amount.String() + " " + p.Currency }

// Posting moves an amount into (positive) or out of (negative) an account.
type Posting struct {
	AccountID uuid.UUID       `json:"account_id"`
	Amount    decimal.Decimal `json:"amount"`
	Currency  string          `json:"currency"`
	Price     *Price          `json:"price,omitempty"`
}

// Weight is what the posting counts for when a transaction is balanced.
func (p Posting) Weight() (decimal.Decimal, string) {
	if p.Price == nil {
		return p.Amount, p.Currency
	}
	return p.Amount.Mul(p.Price.Amount), p.Price.Currency
}

// Entry is the content of a transaction as a user writes it: what a record
// or an amendment carries.
type Entry struct {
	Date        Date      `json:"date"`
	Description string    `json:"description"`
	Payee       string    `json:"payee,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Postings    []Posting `json:"postings"`
}

// Transaction is the current version of a recorded transaction.
type Transaction struct {
	ID uuid.UUID
	Entry
	Revision int // 1 when recorded, +1 for each amendment
	Voided   bool
	// RecordedVersion and ChangedVersion are the stream versions of the
	// event that recorded it and of the last one that amended or voided it.
	RecordedVersion int64
	ChangedVersion  int64
}

// normalizeEntry trims text, sorts and de-duplicates tags and checks every
// rule that needs no knowledge of the books.
func normalizeEntry(entry Entry) (Entry, error) {
	if entry.Date.IsZero() {
		return entry, Invalid("date", "enter the date of the transaction")
	}
	var err error
	if entry.Description, err = normalizeText("description", entry.Description, descriptionLengthMax); err != nil {
		return entry, err
	}
	if entry.Payee, err = normalizeText("payee", entry.Payee, payeeLengthMax); err != nil {
		return entry, err
	}
	if entry.Tags, err = normalizeTags(entry.Tags); err != nil {
		return entry, err
	}
	if len(entry.Postings) < postingsMin {
		return entry, Invalid("postings", "a transaction needs at least two postings")
	}
	if len(entry.Postings) > postingsMax {
		return entry, Invalid("postings", "a transaction may have at most %d postings", postingsMax)
	}
	postings := make([]Posting, len(entry.Postings))
	for i, posting := range entry.Postings {
		if postings[i], err = normalizePosting(i, posting); err != nil {
			return entry, err
		}
	}
	entry.Postings = postings
	return entry, checkBalanced(postings)
}

func normalizeText(field, text string, lengthMax int) (string, error) {
	text = strings.TrimSpace(text)
	if len([]rune(text)) > lengthMax {
		return "", Invalid(field, "use at most %d characters", lengthMax)
	}
	for _, r := range text {
		if unicode.IsControl(r) {
			return "", Invalid(field, "remove line breaks and control characters")
		}
	}
	return text, nil
}

func normalizeTags(tags []string) ([]string, error) {
	seen := map[string]bool{}
	var normalized []string
	for _, tag := range tags {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "#")
		if tag == "" || seen[tag] {
			continue
		}
		if !tagPattern.MatchString(tag) {
			return nil, Invalid("tags", "%q is not a tag: use letters, digits, - and _ (at most 40)", tag)
		}
		seen[tag] = true
		normalized = append(normalized, tag)
	}
	if len(normalized) > tagsMax {
		return nil, Invalid("tags", "use at most %d tags", tagsMax)
	}
	sort.Strings(normalized)
	return normalized, nil
}

func normalizePosting(index int, posting Posting) (Posting, error) {
	field := postingField(index)
	if posting.AccountID == uuid.Nil {
		return posting, Invalid(field+".account", "choose an account")
	}
	if err := CheckAmount(field+".amount", posting.Amount); err != nil {
		return posting, err
	}
	if posting.Amount.IsZero() {
		return posting, Invalid(field+".amount", "enter an amount other than zero")
	}
	currency, err := NormalizeCurrency(field+".currency", posting.Currency)
	if err != nil {
		return posting, err
	}
	posting.Currency = currency
	if posting.Price == nil {
		return posting, nil
	}
	return normalizePrice(field, posting)
}

func normalizePrice(field string, posting Posting) (Posting, error) {
	price := *posting.Price
	if err := CheckAmount(field+".price", price.Amount); err != nil {
		return posting, err
	}
	if !price.Amount.IsPositive() {
		return posting, Invalid(field+".price", "a price must be more than zero")
	}
	currency, err := NormalizeCurrency(field+".price.currency", price.Currency)
	if err != nil {
		return posting, err
	}
	if currency == posting.Currency {
		return posting, Invalid(field+".price.currency", "a price converts into another currency than %s", currency)
	}
	price.Currency = currency
	posting.Price = &price
	return posting, nil
}

func postingField(index int) string {
	return "postings[" + strconv.Itoa(index) + "]"
}

// checkBalanced requires the weights of the postings to sum to zero in every
// currency.
func checkBalanced(postings []Posting) error {
	sums := map[string]decimal.Decimal{}
	var order []string
	for _, posting := range postings {
		weight, currency := posting.Weight()
		if _, seen := sums[currency]; !seen {
			order = append(order, currency)
		}
		sums[currency] = sums[currency].Add(weight)
	}
	for _, currency := range order {
		if !sums[currency].IsZero() {
			return Invalid("postings", "the postings do not balance: they add up to %s %s instead of zero",
				sums[currency].String(), currency)
		}
	}
	return nil
}
