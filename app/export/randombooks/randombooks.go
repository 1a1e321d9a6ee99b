// Package randombooks makes random but valid books for the tests and
// benchmarks of reports and exports: accounts of every type with awkward
// names, transactions in three currencies over several years, conversions,
// tags, payees, amendments, voids and entered exchange rates. Every event
// comes out of domain.Decide, so the books obey every rule of the domain.
package randombooks

import (
	"fmt"
	"math/rand/v2"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// Options size the books.
type Options struct {
	Seed         uint64
	Transactions int // recorded, before amendments and voids
	Start        domain.Date
	Days         int // dates fall in [Start, Start+Days)
	// FiscalYearStartMonth is 1 (January) when zero.
	FiscalYearStartMonth int
}

// Currencies are the currencies of the books; the first is the base.
var Currencies = []string{"EUR", "USD", "CHF"}

// accountNames are chosen to trip journal writers: separators, quotes,
// markup, non-ASCII letters, leading digits and names that collide once
// reduced to the characters a journal format allows.
var accountNames = map[domain.AccountType][]string{
	domain.Asset:     {"Checking", "Savings: Joint", "Cash (wallet)", "Brokerage USD", "Épargne"},
	domain.Liability: {"Credit Card", "credit-card", "Loan \"car\""},
	domain.Equity:    {"Opening Balances", "Owner's draw"},
	domain.Income:    {"Salary", "Interest & dividends", "<script>alert(1)</script>"},
	domain.Expense:   {"Groceries", "Rent", "Eating Out", "Food:Snacks", "1st aid", "家賃", "Bank Fees"},
}

var payees = []string{"", "Market", "ACME Corp.", "=HYPERLINK(\"x\")", "Café du Nord", "O'Neil | Sons",
	"<b>bold</b>", "@home", "-minus"}

var tags = []string{"trip", "work", "tax-2024", "été"}

// Books is generated books: the events, and the books they fold into.
type Books struct {
	Events []domain.Event
	Books  *domain.Books
}

type generator struct {
	random   *rand.Rand
	books    *domain.Books
	events   []domain.Event
	accounts map[domain.AccountType][]*domain.Account
	options  Options
	live     []uuid.UUID // transactions that may still be amended or voided
}

// Generate makes books. The same options make the same books, ids included.
func Generate(options Options) Books {
	random := rand.New(rand.NewPCG(options.Seed, options.Seed^0x5eed))
	if options.FiscalYearStartMonth == 0 {
		options.FiscalYearStartMonth = 1
	}
	g := &generator{random: random, books: domain.NewBooks(), accounts: map[domain.AccountType][]*domain.Account{},
		options: options}
	g.run(domain.OpenBooks{BaseCurrency: Currencies[0], FiscalYearStartMonth: options.FiscalYearStartMonth})
	for _, accountType := range domain.AccountTypes {
		for i, name := range accountNames[accountType] {
			currency := ""
			if accountType == domain.Asset && i < 2 {
				currency = Currencies[0] // some accounts hold one currency only
			}
			events := g.run(domain.OpenAccount{Name: name, Type: accountType, Currency: currency})
			account, _ := g.books.Account(events[0].(domain.AccountOpened).AccountID)
			g.accounts[accountType] = append(g.accounts[accountType], account)
		}
	}
	for recorded := 0; recorded < options.Transactions; {
		switch roll := random.IntN(100); {
		case roll < 6 && len(g.live) > 0:
			g.amend()
		case roll < 9 && len(g.live) > 0:
			g.void()
		case roll < 11:
			g.enterPrice()
		default:
			g.record()
			recorded++
		}
	}
	return Books{Events: g.events, Books: g.books}
}

// newID draws ids from the generator's random source.
func (g *generator) newID() uuid.UUID {
	var id uuid.UUID
	for i := range id {
		id[i] = byte(g.random.UintN(256))
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

func (g *generator) run(cmd domain.Command) []domain.Event {
	events, err := domain.Decide(g.books, cmd, g.newID)
	if err != nil {
		panic(fmt.Sprintf("randombooks: %s rejected: %v", domain.CommandName(cmd), err))
	}
	for _, event := range events {
		if err := g.books.Apply(event); err != nil {
			panic(fmt.Sprintf("randombooks: apply: %v", err))
		}
	}
	g.events = append(g.events, events...)
	return events
}

func (g *generator) record() {
	events := g.run(domain.RecordTransaction{Entry: g.entry()})
	g.live = append(g.live, events[0].(domain.TransactionRecorded).TransactionID)
}

func (g *generator) amend() {
	id := g.live[g.random.IntN(len(g.live))]
	g.run(domain.AmendTransaction{TransactionID: id, Entry: g.entry()})
}

func (g *generator) void() {
	i := g.random.IntN(len(g.live))
	g.run(domain.VoidTransaction{TransactionID: g.live[i], Reason: "random"})
	g.live = append(g.live[:i], g.live[i+1:]...)
}

func (g *generator) enterPrice() {
	currency := Currencies[1+g.random.IntN(len(Currencies)-1)]
	g.run(domain.RecordPrice{Date: g.date(), Commodity: currency, Amount: g.rate(), Currency: Currencies[0]})
}

func (g *generator) date() domain.Date {
	return g.options.Start.AddDays(g.random.IntN(g.options.Days))
}

// rate is an exchange rate between 0.5 and 1.5 with four decimals.
func (g *generator) rate() decimal.Decimal {
	return decimal.New(int64(5000+g.random.IntN(10000)), -4)
}

func (g *generator) amount() decimal.Decimal {
	return decimal.New(int64(1+g.random.IntN(500_000)), -2)
}

func (g *generator) pick(accountType domain.AccountType, currency string) *domain.Account {
	for {
		accounts := g.accounts[accountType]
		account := accounts[g.random.IntN(len(accounts))]
		if account.AcceptsCurrency(currency) {
			return account
		}
	}
}

// entry makes a balanced entry: a spending, an income, a transfer, or a
// conversion between two currencies at a price.
func (g *generator) entry() domain.Entry {
	entry := domain.Entry{Date: g.date(), Description: fmt.Sprintf("Entry %d; ref #%d", len(g.events), g.random.IntN(1000)),
		Payee: payees[g.random.IntN(len(payees))]}
	for _, tag := range tags {
		if g.random.IntN(5) == 0 {
			entry.Tags = append(entry.Tags, tag)
		}
	}
	currency := Currencies[g.random.IntN(len(Currencies))]
	other := domain.AccountTypes[g.random.IntN(len(domain.AccountTypes))]
	from := g.pick(domain.Asset, currency)
	if g.random.IntN(4) == 0 {
		from = g.pick(domain.Liability, currency)
	}
	if g.random.IntN(8) == 0 && currency != Currencies[0] {
		return g.conversion(entry, currency)
	}
	amount := g.amount()
	split := g.random.IntN(3) == 0
	if split {
		part := amount.Div(decimal.NewFromInt(3)).Round(2)
		entry.Postings = append(entry.Postings,
			domain.Posting{AccountID: g.pick(other, currency).ID, Amount: part, Currency: currency},
			domain.Posting{AccountID: g.pick(domain.Expense, currency).ID, Amount: amount.Sub(part), Currency: currency})
	} else {
		entry.Postings = append(entry.Postings,
			domain.Posting{AccountID: g.pick(other, currency).ID, Amount: amount, Currency: currency})
	}
	entry.Postings = append(entry.Postings, domain.Posting{AccountID: from.ID, Amount: amount.Neg(), Currency: currency})
	return entry
}

// conversion moves money from an account in currency into one in the base
// currency at a price, so that the books carry prices of their own.
func (g *generator) conversion(entry domain.Entry, currency string) domain.Entry {
	base := Currencies[0]
	amount, rate := g.amount(), g.rate()
	entry.Postings = []domain.Posting{
		{AccountID: g.pick(domain.Asset, currency).ID, Amount: amount.Neg(), Currency: currency,
			Price: &domain.Price{Amount: rate, Currency: base}},
		{AccountID: g.pick(domain.Asset, base).ID, Amount: amount.Mul(rate), Currency: base},
	}
	return entry
}
