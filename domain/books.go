package domain

import (
	"fmt"
	"sort"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Settings are the user's choices that shape their books.
type Settings struct {
	BaseCurrency         string
	FiscalYearStartMonth int  // 1 = January
	LockDate             Date // zero: no date is locked
}

// Books is the state of one user's books: a fold over their events. The
// zero value is books that were never opened. Books is not safe for
// concurrent use.
type Books struct {
	// Version is the number of events applied, which equals the stream
	// version of the last one.
	Version  int64
	Opened   bool
	Settings Settings

	accounts      map[uuid.UUID]*Account
	accountOrder  []uuid.UUID
	accountByName map[string]uuid.UUID
	transactions  map[uuid.UUID]*Transaction
	txnOrder      []uuid.UUID
	balances      map[uuid.UUID]map[string]decimal.Decimal
	imports       *importState // see imports.go; nil until first used
	prices        priceList    // see prices.go; exchange rates the user entered
	documents     documentShelf
}

// NewBooks returns empty, unopened books.
func NewBooks() *Books {
	return &Books{
		accounts:      map[uuid.UUID]*Account{},
		accountByName: map[string]uuid.UUID{},
		transactions:  map[uuid.UUID]*Transaction{},
		balances:      map[uuid.UUID]map[string]decimal.Decimal{},
	}
}

// Account returns the account with id, or false.
func (b *Books) Account(id uuid.UUID) (*Account, bool) {
	account, ok := b.accounts[id]
	return account, ok
}

// AccountByName finds an account by name, ignoring case.
func (b *Books) AccountByName(name string) (*Account, bool) {
	id, ok := b.accountByName[nameKey(name)]
	if !ok {
		return nil, false
	}
	return b.accounts[id], true
}

// Accounts returns every account in the order they were opened.
func (b *Books) Accounts() []*Account {
	accounts := make([]*Account, 0, len(b.accountOrder))
	for _, id := range b.accountOrder {
		accounts = append(accounts, b.accounts[id])
	}
	return accounts
}

// Transaction returns the current version of a transaction, or false.
func (b *Books) Transaction(id uuid.UUID) (*Transaction, bool) {
	txn, ok := b.transactions[id]
	return txn, ok
}

// Transactions returns every transaction, voided ones included, in the order
// they were recorded.
func (b *Books) Transactions() []*Transaction {
	txns := make([]*Transaction, 0, len(b.txnOrder))
	for _, id := range b.txnOrder {
		txns = append(txns, b.transactions[id])
	}
	return txns
}

// Balance returns an account's balances per currency over every date,
// leaving out voided transactions and zero balances.
func (b *Books) Balance(accountID uuid.UUID) map[string]decimal.Decimal {
	result := map[string]decimal.Decimal{}
	for currency, amount := range b.balances[accountID] {
		if !amount.IsZero() {
			result[currency] = amount
		}
	}
	return result
}

// Apply folds one event into the books. An event that breaks an invariant
// (a posting to an unknown account, an unbalanced entry, an unknown
// transaction) means the log or the code is wrong: Apply returns an error
// and the caller must stop, never repair.
func (b *Books) Apply(event Event) error {
	if b.accounts == nil {
		*b = *NewBooks()
	}
	if err := b.apply(event); err != nil {
		return fmt.Errorf("apply event %d (%s): %w", b.Version+1, event.EventType(), err)
	}
	b.Version++
	return nil
}

func (b *Books) apply(event Event) error {
	switch e := event.(type) {
	case BooksOpened:
		return b.applyBooksOpened(e)
	case AccountOpened:
		return b.applyAccountOpened(e)
	case AccountRenamed:
		return b.applyAccountRenamed(e)
	case AccountClosed:
		return b.setClosed(e.AccountID, true)
	case AccountReopened:
		return b.setClosed(e.AccountID, false)
	case TransactionRecorded:
		return b.applyTransactionRecorded(e)
	case TransactionAmended:
		return b.applyTransactionAmended(e)
	case TransactionVoided:
		return b.applyTransactionVoided(e)
	case SettingsChanged:
		b.Settings.BaseCurrency = e.BaseCurrency
		b.Settings.FiscalYearStartMonth = e.FiscalYearStartMonth
		return nil
	case LockDateSet:
		b.Settings.LockDate = e.LockDate
		return nil
	case selfApplying:
		return e.applyTo(b)
	}
	return fmt.Errorf("unknown event type %T", event)
}

// selfApplying is an event that folds itself into the books. Features
// other than the core ledger (imports, documents, prices) define their
// events this way, each in its own file.
type selfApplying interface {
	Event
	applyTo(b *Books) error
}

func (b *Books) applyBooksOpened(e BooksOpened) error {
	if b.Opened {
		return fmt.Errorf("books opened twice")
	}
	b.Opened = true
	b.Settings.BaseCurrency = e.BaseCurrency
	b.Settings.FiscalYearStartMonth = e.FiscalYearStartMonth
	return nil
}

func (b *Books) applyAccountOpened(e AccountOpened) error {
	if _, exists := b.accounts[e.AccountID]; exists {
		return fmt.Errorf("account %s opened twice", e.AccountID)
	}
	if _, taken := b.accountByName[nameKey(e.Name)]; taken {
		return fmt.Errorf("account name %q used twice", e.Name)
	}
	b.accounts[e.AccountID] = &Account{ID: e.AccountID, Name: e.Name, Type: e.Type,
		Currency: e.Currency, OpenedVersion: b.Version + 1}
	b.accountOrder = append(b.accountOrder, e.AccountID)
	b.accountByName[nameKey(e.Name)] = e.AccountID
	return nil
}

func (b *Books) applyAccountRenamed(e AccountRenamed) error {
	account, ok := b.accounts[e.AccountID]
	if !ok {
		return fmt.Errorf("rename of unknown account %s", e.AccountID)
	}
	if other, taken := b.accountByName[nameKey(e.Name)]; taken && other != e.AccountID {
		return fmt.Errorf("account name %q used twice", e.Name)
	}
	delete(b.accountByName, nameKey(account.Name))
	account.Name = e.Name
	b.accountByName[nameKey(e.Name)] = e.AccountID
	return nil
}

func (b *Books) setClosed(id uuid.UUID, closed bool) error {
	account, ok := b.accounts[id]
	if !ok {
		return fmt.Errorf("unknown account %s", id)
	}
	account.Closed = closed
	return nil
}

func (b *Books) applyTransactionRecorded(e TransactionRecorded) error {
	if _, exists := b.transactions[e.TransactionID]; exists {
		return fmt.Errorf("transaction %s recorded twice", e.TransactionID)
	}
	if err := b.checkEntry(e.Entry); err != nil {
		return err
	}
	b.transactions[e.TransactionID] = &Transaction{ID: e.TransactionID, Entry: e.Entry, Revision: 1,
		RecordedVersion: b.Version + 1, ChangedVersion: b.Version + 1}
	b.txnOrder = append(b.txnOrder, e.TransactionID)
	b.addToBalances(e.Postings, false)
	return nil
}

func (b *Books) applyTransactionAmended(e TransactionAmended) error {
	txn, ok := b.transactions[e.TransactionID]
	if !ok || txn.Voided {
		return fmt.Errorf("amendment of unknown or voided transaction %s", e.TransactionID)
	}
	if err := b.checkEntry(e.Entry); err != nil {
		return err
	}
	b.addToBalances(txn.Postings, true)
	txn.Entry = e.Entry
	txn.Revision++
	txn.ChangedVersion = b.Version + 1
	b.addToBalances(txn.Postings, false)
	return nil
}

func (b *Books) applyTransactionVoided(e TransactionVoided) error {
	txn, ok := b.transactions[e.TransactionID]
	if !ok || txn.Voided {
		return fmt.Errorf("void of unknown or voided transaction %s", e.TransactionID)
	}
	b.addToBalances(txn.Postings, true)
	txn.Voided = true
	txn.ChangedVersion = b.Version + 1
	return nil
}

// checkEntry asserts what Decide already guaranteed for a stored entry.
func (b *Books) checkEntry(entry Entry) error {
	for _, posting := range entry.Postings {
		if _, ok := b.accounts[posting.AccountID]; !ok {
			return fmt.Errorf("posting to unknown account %s", posting.AccountID)
		}
	}
	return checkBalanced(entry.Postings)
}

func (b *Books) addToBalances(postings []Posting, subtract bool) {
	for _, posting := range postings {
		amount := posting.Amount
		if subtract {
			amount = amount.Neg()
		}
		perCurrency := b.balances[posting.AccountID]
		if perCurrency == nil {
			perCurrency = map[string]decimal.Decimal{}
			b.balances[posting.AccountID] = perCurrency
		}
		perCurrency[posting.Currency] = perCurrency[posting.Currency].Add(amount)
	}
}

// sortedCurrencies returns the keys of amounts in alphabetical order.
func sortedCurrencies(amounts map[string]decimal.Decimal) []string {
	currencies := make([]string, 0, len(amounts))
	for currency := range amounts {
		currencies = append(currencies, currency)
	}
	sort.Strings(currencies)
	return currencies
}
