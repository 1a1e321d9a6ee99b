package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
	"folio/projections"
)

// journalPageSize is how many transactions one page of the list shows.
const journalPageSize = 50

// transactionView is a transaction as lists and pages show it. Ids and dates are kept as the
// text pages print, made once here: a page of the journal prints each id several times.
type transactionView struct {
	ID          string
	Date        string
	Description string
	Payee       string
	Tags        []string
	Revision    int
	Voided      bool
	Postings    []postingView
	Alert       string // a rejected change, shown on the transaction
	ReadOnly    bool   // shown without the actions that change it
}

// postingView is one posting of a transactionView.
type postingView struct {
	AccountID   string
	AccountName string
	Amount      amount
	Price       string // "1.08 USD", or empty
}

func newTransactionView(entry projections.JournalEntry) transactionView {
	view := transactionView{ID: entry.TransactionID.String(), Date: entry.Date.String(),
		Description: entry.Description, Payee: entry.Payee, Tags: entry.Tags,
		Revision: entry.Revision, Voided: entry.Voided,
		Postings: make([]postingView, len(entry.Postings))}
	for i, posting := range entry.Postings {
		line := postingView{AccountID: posting.AccountID.String(), AccountName: posting.AccountName,
			Amount: newAmount(posting.Amount, posting.Currency)}
		if posting.Price != nil {
			line.Price = domain.FormatAmount(posting.Price.Amount) + " " + posting.Price.Currency
		}
		view.Postings[i] = line
	}
	return view
}

func transactionViews(entries []projections.JournalEntry) []transactionView {
	views := make([]transactionView, len(entries))
	for i, entry := range entries {
		views[i] = newTransactionView(entry)
	}
	return views
}

// journalFilterForm is the filter of the transaction list, as typed.
type journalFilterForm struct {
	Text    string
	Account string
	From    string
	To      string
	Cursor  string
	Errors  map[string]string
	Groups  []optionGroup
}

// readJournalFilter reads the list's query parameters (q, account, from, to, cursor). A
// value that cannot be read is marked and does not filter.
func readJournalFilter(c *fiber.Ctx) (journalFilterForm, projections.JournalFilter) {
	form := journalFilterForm{Text: strings.TrimSpace(c.Query("q")),
		Account: strings.TrimSpace(c.Query("account")), From: strings.TrimSpace(c.Query("from")),
		To: strings.TrimSpace(c.Query("to")), Cursor: c.Query("cursor"), Errors: map[string]string{}}
	filter := projections.JournalFilter{Text: form.Text, Limit: journalPageSize}

	var err error
	if form.Account != "" {
		filter.AccountID, err = uuid.Parse(form.Account)
		if err != nil {
			form.Errors["account"] = "choose an account from the list"
		}
	}
	if form.From != "" {
		filter.From, err = domain.ParseDate("from", form.From)
		if err != nil {
			form.Errors["from"] = messageOf(err)
		}
	}
	if form.To != "" {
		filter.To, err = domain.ParseDate("to", form.To)
		if err != nil {
			form.Errors["to"] = messageOf(err)
		}
	}
	if form.Cursor != "" {
		filter.After, err = projections.ParseJournalCursor(form.Cursor)
		if err != nil {
			form.Errors["cursor"] = messageOf(err)
		}
	}
	return form, filter
}

// url returns the list's address with these filters, on the page after cursor ("" for the
// first page).
func (f journalFilterForm) url(cursor string) string {
	query := url.Values{}
	for name, value := range map[string]string{"q": f.Text, "account": f.Account,
		"from": f.From, "to": f.To, "cursor": cursor} {
		if value != "" {
			query.Set(name, value)
		}
	}
	if len(query) == 0 {
		return "/transactions"
	}
	return "/transactions?" + query.Encode()
}

// transactionsView is the data of pages/transactions.html.
type transactionsView struct {
	Filter    journalFilterForm
	Entries   []transactionView
	ListURL   string // this page of the list, to reload it in place
	NewestURL string // the first page, when this is a later one
	OlderURL  string // the next page, or empty on the last
	Balances  balanceSheet
	Entry     entryForm
}

// transactionsParts are the parts of the transactions page htmx reloads on their own.
var transactionsParts = map[string]string{"balances": "balances_panel"}

// transactionsPage answers GET /transactions: the list filtered by the query, the balances
// and the entry form. htmx gets the list (or the part it targets).
func (s *Server) transactionsPage(c *fiber.Ctx) error {
	wholePage := !isHTMX(c) || isHistoryRestore(c)
	data := transactionsView{}

	var accounts []projections.AccountBalance
	if wholePage || wantsPart(c, "balances") {
		var err error
		accounts, err = projections.Accounts(c.UserContext(), s.pool, bookOf(c))
		if err != nil {
			return err
		}
		data.Balances = newBalanceSheet(accounts)
	}
	if wantsPart(c, "balances") {
		return s.renderPart(c, "transactions", "journal", transactionsParts, data)
	}

	if wholePage {
		data.Entry = newEntryForm(c, accounts, "/transactions")
	}
	err := s.loadJournal(c, &data, accounts)
	if err != nil {
		return err
	}
	if len(data.Filter.Errors) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPart(c, "transactions", "journal", transactionsParts, data)
}

// loadJournal fills in the filtered list of transactions.
func (s *Server) loadJournal(c *fiber.Ctx, data *transactionsView,
	accounts []projections.AccountBalance) error {
	form, filter := readJournalFilter(c)
	form.Groups = filterOptionGroups(accounts)
	data.Filter = form
	data.ListURL = form.url(form.Cursor)
	if form.Cursor != "" {
		data.NewestURL = form.url("")
	}

	page, err := projections.Journal(c.UserContext(), s.pool, bookOf(c), filter)
	if err != nil {
		return err
	}
	data.Entries = transactionViews(page.Entries)
	if page.Next != nil {
		data.OlderURL = form.url(page.Next.String())
	}
	return nil
}
