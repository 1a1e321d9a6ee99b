package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// Posting rows of the entry form. Without JavaScript a form cannot grow, so it offers empty
// rows: enough for most transactions when new, and room for a few more when amended.
const (
	postingRowsBlank = 4
	postingRowsExtra = 2
	// postingRowsMax bounds the rows one form may send; the domain allows 100 postings.
	postingRowsMax = 100
)

// accountOption is an account in an account select.
type accountOption struct {
	ID       string
	Name     string
	Currency string
	Closed   bool
}

// optionGroup is the accounts of one type in an account select.
type optionGroup struct {
	Label   string
	Options []accountOption
}

// optionGroups returns the accounts grouped by type for a select, in statement order.
// Closed accounts are left out unless keep names one: a posting already on a closed
// account still shows it.
func optionGroups(accounts []projections.AccountBalance, keep string) []optionGroup {
	return groupOptions(accounts, func(account projections.AccountBalance) bool {
		return !account.Closed || account.AccountID.String() == keep
	})
}

// filterOptionGroups returns every account, closed ones too, for filtering by account.
func filterOptionGroups(accounts []projections.AccountBalance) []optionGroup {
	return groupOptions(accounts, func(projections.AccountBalance) bool { return true })
}

func groupOptions(accounts []projections.AccountBalance,
	include func(projections.AccountBalance) bool) []optionGroup {
	var groups []optionGroup
	for _, account := range accounts {
		if !include(account) {
			continue
		}
		label := accountTypeLabels[account.Type]
		if len(groups) == 0 || groups[len(groups)-1].Label != label {
			groups = append(groups, optionGroup{Label: label})
		}
		group := &groups[len(groups)-1]
		group.Options = append(group.Options, accountOption{ID: account.AccountID.String(),
			Name: account.Name, Currency: account.Currency, Closed: account.Closed})
	}
	return groups
}

// postingRow is one row of the entry form, as typed.
type postingRow struct {
	Account  string
	Amount   string
	Currency string
	Price    string // an amount and a currency: "1.08 USD"
	Errors   map[string]string
	Groups   []optionGroup
}

func (r postingRow) blank() bool {
	return strings.TrimSpace(r.Account+r.Amount+r.Price) == ""
}

// entryForm is the data of the entry form: a new transaction, or an amendment of the
// transaction TransactionID. Its fields hold what the user typed.
type entryForm struct {
	CSRFToken     string
	TransactionID uuid.UUID
	// CommandID makes submitting the same form twice record one transaction.
	CommandID   uuid.UUID
	Next        string // where a new transaction's plain form returns to
	Date        string
	Description string
	Payee       string
	Tags        string
	Rows        []postingRow
	Errors      map[string]string // date, description, payee, tags, postings, form

	// postingRows maps the index of each posting sent to the domain to its row.
	postingRows []int
}

// Amending reports whether the form amends a recorded transaction.
func (f entryForm) Amending() bool {
	return f.TransactionID != uuid.Nil
}

// Prefix starts the ids of the form's elements, unique on any page.
func (f entryForm) Prefix() string {
	if f.TransactionID == uuid.Nil {
		return "new-entry"
	}
	return "edit-" + f.TransactionID.String()
}

// Action is where the form posts.
func (f entryForm) Action() string {
	if f.TransactionID == uuid.Nil {
		return "/transactions"
	}
	return "/transactions/" + f.TransactionID.String()
}

// Target is the element an htmx answer replaces: the form itself for a new transaction,
// the transaction's rows for an amendment.
func (f entryForm) Target() string {
	if f.TransactionID == uuid.Nil {
		return "this"
	}
	return "#txn-" + f.TransactionID.String()
}

// newEntryForm returns an empty form for a new transaction.
func newEntryForm(c *fiber.Ctx, accounts []projections.AccountBalance, next string) entryForm {
	form := entryForm{CSRFToken: csrfToken(c), CommandID: uuid.New(), Next: next,
		Errors: map[string]string{}}
	form.addBlankRows(accounts, postingRowsBlank)
	return form
}

// amendForm returns the form that amends entry, filled with its current content.
func amendForm(c *fiber.Ctx, entry projections.JournalEntry,
	accounts []projections.AccountBalance) entryForm {
	form := entryForm{CSRFToken: csrfToken(c), TransactionID: entry.TransactionID,
		Date: entry.Date.String(), Description: entry.Description, Payee: entry.Payee,
		Tags: strings.Join(entry.Tags, ", "), Errors: map[string]string{}}
	for _, posting := range entry.Postings {
		row := postingRow{Account: posting.AccountID.String(),
			Amount: domain.FormatAmount(posting.Amount), Currency: posting.Currency}
		if posting.Price != nil {
			row.Price = domain.FormatAmount(posting.Price.Amount) + " " + posting.Price.Currency
		}
		form.Rows = append(form.Rows, row)
	}
	form.addBlankRows(accounts, postingRowsExtra)
	return form
}

// readEntryForm reads a submitted entry form. The posting fields come as parallel lists, one
// value per row in the order of the rows, which removing a row in the page keeps aligned.
func readEntryForm(c *fiber.Ctx, accounts []projections.AccountBalance) entryForm {
	form := entryForm{
		CSRFToken:   csrfToken(c),
		Next:        formValue(c, "next"),
		Date:        formValue(c, "date"),
		Description: formValue(c, "description"),
		Payee:       formValue(c, "payee"),
		Tags:        formValue(c, "tags"),
		Errors:      map[string]string{},
	}
	form.CommandID, _ = uuid.Parse(c.FormValue("command_id"))

	accountIDs, amounts := formValues(c, "account"), formValues(c, "amount")
	currencies, prices := formValues(c, "currency"), formValues(c, "price")
	rows := max(len(accountIDs), len(amounts), len(currencies), len(prices))
	if rows > postingRowsMax {
		form.Errors["postings"] = fmt.Sprintf("use at most %d postings", postingRowsMax)
		rows = postingRowsMax
	}
	for i := range rows {
		row := postingRow{Account: valueAt(accountIDs, i), Amount: valueAt(amounts, i),
			Currency: valueAt(currencies, i), Price: valueAt(prices, i)}
		form.Rows = append(form.Rows, row)
	}
	form.setGroups(accounts)
	return form
}

// formValue returns a form field, trimmed, in memory of its own. Fiber's strings share the
// request's buffer, which the next request overwrites, and what a form holds can outlive the
// request: commands keep it in the ledger's cached books.
func formValue(c *fiber.Ctx, name string) string {
	return strings.Clone(strings.TrimSpace(c.FormValue(name)))
}

// formValues returns every value of a repeated form field, in the order sent, in memory of
// their own.
func formValues(c *fiber.Ctx, name string) []string {
	multipart, err := c.MultipartForm()
	if err == nil {
		return multipart.Value[name]
	}
	var values []string
	for _, value := range c.Request().PostArgs().PeekMulti(name) {
		values = append(values, string(value))
	}
	return values
}

func valueAt(values []string, i int) string {
	if i < len(values) {
		return values[i]
	}
	return ""
}

func (f *entryForm) addBlankRows(accounts []projections.AccountBalance, n int) {
	for range n {
		f.Rows = append(f.Rows, postingRow{})
	}
	f.setGroups(accounts)
}

// setGroups gives every row its account choices and an empty error map.
func (f *entryForm) setGroups(accounts []projections.AccountBalance) {
	open := optionGroups(accounts, "")
	for i := range f.Rows {
		row := &f.Rows[i]
		row.Groups = open
		if row.Account != "" && !hasOption(open, row.Account) {
			row.Groups = optionGroups(accounts, row.Account)
		}
		if row.Errors == nil {
			row.Errors = map[string]string{}
		}
	}
}

func hasOption(groups []optionGroup, id string) bool {
	for _, group := range groups {
		for _, option := range group.Options {
			if option.ID == id {
				return true
			}
		}
	}
	return false
}

// entry reads the form into an entry for the domain to judge. What cannot even be read (an
// amount that is no number, an account that is not in these books) is marked beside its
// field, and ok is false. Empty rows are skipped; a posting without a currency takes its
// account's, or the base currency when the account holds any.
func (f *entryForm) entry(accounts []projections.AccountBalance, baseCurrency string) (
	domain.Entry, bool) {
	entry := domain.Entry{Description: f.Description, Payee: f.Payee,
		Tags: strings.FieldsFunc(f.Tags, isTagSeparator)}
	var err error
	entry.Date, err = domain.ParseDate("date", f.Date)
	if f.Date == "" {
		err = domain.Invalid("date", "enter the date of the transaction")
	}
	if err != nil {
		f.reject(err)
	}

	entry.Postings = f.postings(accounts, baseCurrency)
	return entry, len(f.Errors) == 0 && !f.rowErrors()
}

func isTagSeparator(r rune) bool {
	return r == ',' || unicode.IsSpace(r)
}

// postings reads the rows that are not empty, marking what cannot be read.
func (f *entryForm) postings(accounts []projections.AccountBalance,
	baseCurrency string) []domain.Posting {
	byID := make(map[string]projections.AccountBalance, len(accounts))
	for _, account := range accounts {
		byID[account.AccountID.String()] = account
	}

	var postings []domain.Posting
	f.postingRows = f.postingRows[:0]
	for i := range f.Rows {
		row := &f.Rows[i]
		if row.blank() {
			continue
		}
		posting := readPosting(row, byID, baseCurrency)
		postings = append(postings, posting)
		f.postingRows = append(f.postingRows, i)
	}
	return postings
}

// readPosting reads one row; what cannot be read is marked in row.Errors.
func readPosting(row *postingRow, accounts map[string]projections.AccountBalance,
	baseCurrency string) domain.Posting {
	var posting domain.Posting
	account, known := accounts[strings.TrimSpace(row.Account)]
	switch {
	case strings.TrimSpace(row.Account) == "":
		row.Errors["account"] = "choose an account"
	case !known:
		row.Errors["account"] = "this account does not exist"
	default:
		posting.AccountID = account.AccountID
	}

	var err error
	posting.Amount, err = domain.ParseAmount("amount", row.Amount)
	if err != nil {
		row.Errors["amount"] = messageOf(err)
	}

	posting.Currency = strings.TrimSpace(row.Currency)
	if posting.Currency == "" {
		posting.Currency = account.Currency
	}
	if posting.Currency == "" {
		posting.Currency = baseCurrency
	}
	posting.Currency, err = domain.NormalizeCurrency("currency", posting.Currency)
	if err != nil {
		row.Errors["currency"] = messageOf(err)
	}

	if strings.TrimSpace(row.Price) != "" {
		posting.Price, err = readPrice(row.Price)
		if err != nil {
			row.Errors["price"] = messageOf(err)
		}
	}
	return posting
}

// readPrice reads a price written as an amount and a currency, like "1.08 USD".
func readPrice(text string) (*domain.Price, error) {
	fields := strings.Fields(text)
	if len(fields) != 2 {
		return nil, domain.Invalid("price", "write a price as an amount and a currency, like 1.08 USD")
	}
	amount, err := domain.ParseAmount("price", fields[0])
	if err != nil {
		return nil, err
	}
	currency, err := domain.NormalizeCurrency("price", fields[1])
	if err != nil {
		return nil, err
	}
	return &domain.Price{Amount: amount, Currency: currency}, nil
}

func (f *entryForm) rowErrors() bool {
	for _, row := range f.Rows {
		if len(row.Errors) > 0 {
			return true
		}
	}
	return false
}

// reject shows a rejection beside the field it names: a posting's field in that posting's
// row, the entry's own fields beside them, anything else above the form.
func (f *entryForm) reject(err error) {
	var domainErr *domain.Error
	if !errors.As(err, &domainErr) {
		f.Errors["form"] = "This transaction could not be saved."
		return
	}
	index, name, ok := postingFieldOf(domainErr.Field)
	if ok && index < len(f.postingRows) {
		f.Rows[f.postingRows[index]].Errors[name] = domainErr.Message
		return
	}
	switch domainErr.Field {
	case "date", "description", "payee", "tags", "postings":
		f.Errors[domainErr.Field] = domainErr.Message
	default:
		f.Errors["form"] = domainErr.Message
	}
}

// postingFieldOf reads a domain field name such as "postings[2].price.currency" as the
// posting's index and the column of the form that shows it ("price").
func postingFieldOf(field string) (index int, name string, ok bool) {
	rest, found := strings.CutPrefix(field, "postings[")
	if !found {
		return 0, "", false
	}
	number, name, found := strings.Cut(rest, "].")
	if !found {
		return 0, "", false
	}
	index, err := strconv.Atoi(number)
	if err != nil || index < 0 {
		return 0, "", false
	}
	name, _, _ = strings.Cut(name, ".")
	return index, name, true
}

// balanceCheck says whether the postings typed so far balance: "Balanced", or by how much
// they are off in each currency.
type balanceCheck struct {
	Balanced bool
	Message  string
}

func (f *entryForm) balanceCheck(accounts []projections.AccountBalance,
	baseCurrency string) balanceCheck {
	postings := f.postings(accounts, baseCurrency)
	for i, row := range f.Rows {
		for _, name := range []string{"amount", "currency", "price"} {
			if message, ok := row.Errors[name]; ok {
				return balanceCheck{Message: fmt.Sprintf("Row %d: %s", i+1, message)}
			}
		}
	}
	if len(postings) == 0 {
		return balanceCheck{Message: "Enter the postings: at least two."}
	}

	sums := map[string]decimal.Decimal{}
	for _, posting := range postings {
		weight, currency := posting.Weight()
		sums[currency] = sums[currency].Add(weight)
	}
	off := amountsOf(sums)
	if len(off) == 0 {
		return balanceCheck{Balanced: true, Message: "Balanced."}
	}
	parts := make([]string, len(off))
	for i, amount := range off {
		parts[i] = amount.Text + " " + amount.Currency
	}
	return balanceCheck{Message: "Off by " + strings.Join(parts, ", ") + "."}
}

// messageOf returns the message of a domain error without its field name.
func messageOf(err error) string {
	var domainErr *domain.Error
	if errors.As(err, &domainErr) {
		return domainErr.Message
	}
	return err.Error()
}

// rejectionErrors returns a rejection's message keyed by its field, or by "form" when it
// names none, for showing beside the input or above the form.
func rejectionErrors(err error) map[string]string {
	errs := fieldErrors(err)
	if errs != nil {
		return errs
	}
	return map[string]string{"form": messageOf(err)}
}

// commandMeta says who runs a command: the signed-in user, on their own books.
func commandMeta(c *fiber.Ctx) ledger.Meta {
	user := currentUser(c)
	return ledger.Meta{UserID: user.ID, ActorID: user.ID, RequestID: requestID(c)}
}

// baseCurrency returns the base currency of a user's books.
func (s *Server) baseCurrency(ctx context.Context, userID uuid.UUID) (string, error) {
	var currency string
	err := s.ledger.Read(ctx, userID, func(books *domain.Books) error {
		currency = books.Settings.BaseCurrency
		return nil
	})
	return currency, err
}

// errNoTransaction is the answer for a transaction id that is not in the books being read,
// whether it is malformed, made up or somebody else's.
var errNoTransaction = domain.NotFound("there is no such transaction")

// transactionIDParam reads the :id of a transaction's URL.
func transactionIDParam(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errNoTransaction
	}
	return id, nil
}
