package domain

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Decide checks cmd against the books and returns the events that carry it
// out, or an *Error that says why it was rejected. newID supplies the ids of
// anything the command creates; Decide itself has no source of randomness.
func Decide(b *Books, cmd Command, newID func() uuid.UUID) ([]Event, error) {
	if _, opening := cmd.(OpenBooks); !opening && !b.Opened {
		return nil, Conflict("these books have not been opened yet")
	}
	switch c := cmd.(type) {
	case OpenBooks:
		return decideOpenBooks(b, c, newID)
	case OpenAccount:
		return decideOpenAccount(b, c, newID)
	case RenameAccount:
		return decideRenameAccount(b, c)
	case CloseAccount:
		return decideCloseAccount(b, c)
	case ReopenAccount:
		return decideReopenAccount(b, c)
	case RecordTransaction:
		return decideRecordTransaction(b, c, newID)
	case AmendTransaction:
		return decideAmendTransaction(b, c)
	case VoidTransaction:
		return decideVoidTransaction(b, c)
	case ChangeSettings:
		return decideChangeSettings(c)
	case SetLockDate:
		return []Event{LockDateSet(c)}, nil
	case selfDeciding:
		return c.decide(b, newID)
	}
	return nil, fmt.Errorf("decide: unknown command %T", cmd)
}

// selfDeciding is a command that carries its own rules. Features other than
// the core ledger define their commands this way, each in its own file.
type selfDeciding interface {
	Command
	decide(b *Books, newID func() uuid.UUID) ([]Event, error)
}

func decideOpenBooks(b *Books, c OpenBooks, newID func() uuid.UUID) ([]Event, error) {
	if b.Opened {
		return nil, Conflict("these books are already open")
	}
	settings, err := decideChangeSettings(ChangeSettings{
		BaseCurrency: c.BaseCurrency, FiscalYearStartMonth: c.FiscalYearStartMonth,
	})
	if err != nil {
		return nil, err
	}
	changed := settings[0].(SettingsChanged)
	events := []Event{BooksOpened(changed)}
	if c.StarterChart {
		for _, account := range StarterChart(changed.BaseCurrency) {
			account.AccountID = newID()
			events = append(events, account)
		}
	}
	return events, nil
}

func decideChangeSettings(c ChangeSettings) ([]Event, error) {
	currency, err := NormalizeCurrency("base_currency", c.BaseCurrency)
	if err != nil {
		return nil, err
	}
	if c.FiscalYearStartMonth < 1 || c.FiscalYearStartMonth > 12 {
		return nil, Invalid("fiscal_year_start_month", "choose a month from 1 (January) to 12 (December)")
	}
	return []Event{SettingsChanged{BaseCurrency: currency, FiscalYearStartMonth: c.FiscalYearStartMonth}}, nil
}

func decideOpenAccount(b *Books, c OpenAccount, newID func() uuid.UUID) ([]Event, error) {
	name, err := NormalizeAccountName("name", c.Name)
	if err != nil {
		return nil, err
	}
	if _, taken := b.AccountByName(name); taken {
		return nil, &Error{Code: CodeConflict, Field: "name", Message: fmt.Sprintf("an account named %q already exists", name)}
	}
	accountType, err := ParseAccountType("type", string(c.Type))
	if err != nil {
		return nil, err
	}
	currency := ""
	if strings.TrimSpace(c.Currency) != "" {
		if currency, err = NormalizeCurrency("currency", c.Currency); err != nil {
			return nil, err
		}
	}
	return []Event{AccountOpened{AccountID: newID(), Name: name, Type: accountType, Currency: currency}}, nil
}

func decideRenameAccount(b *Books, c RenameAccount) ([]Event, error) {
	account, err := findAccount(b, c.AccountID)
	if err != nil {
		return nil, err
	}
	name, err := NormalizeAccountName("name", c.Name)
	if err != nil {
		return nil, err
	}
	if other, taken := b.AccountByName(name); taken && other.ID != account.ID {
		return nil, &Error{Code: CodeConflict, Field: "name", Message: fmt.Sprintf("an account named %q already exists", name)}
	}
	if name == account.Name {
		return nil, nil
	}
	return []Event{AccountRenamed{AccountID: account.ID, Name: name}}, nil
}

func decideCloseAccount(b *Books, c CloseAccount) ([]Event, error) {
	account, err := findAccount(b, c.AccountID)
	if err != nil {
		return nil, err
	}
	if account.Closed {
		return nil, Conflict("the account %q is already closed", account.Name)
	}
	balance := b.Balance(account.ID)
	if currencies := sortedCurrencies(balance); len(currencies) > 0 {
		return nil, Conflict("the account %q still holds %s %s: move it to another account before closing",
			account.Name, balance[currencies[0]].String(), currencies[0])
	}
	return []Event{AccountClosed{AccountID: account.ID}}, nil
}

func decideReopenAccount(b *Books, c ReopenAccount) ([]Event, error) {
	account, err := findAccount(b, c.AccountID)
	if err != nil {
		return nil, err
	}
	if !account.Closed {
		return nil, Conflict("the account %q is already open", account.Name)
	}
	return []Event{AccountReopened{AccountID: account.ID}}, nil
}

func decideRecordTransaction(b *Books, c RecordTransaction, newID func() uuid.UUID) ([]Event, error) {
	entry, err := b.checkNewEntry(c.Entry)
	if err != nil {
		return nil, err
	}
	return []Event{TransactionRecorded{TransactionID: newID(), Entry: entry}}, nil
}

func decideAmendTransaction(b *Books, c AmendTransaction) ([]Event, error) {
	txn, err := findChangeableTransaction(b, c.TransactionID)
	if err != nil {
		return nil, err
	}
	entry, err := b.checkNewEntry(c.Entry)
	if err != nil {
		return nil, err
	}
	return []Event{TransactionAmended{TransactionID: txn.ID, Entry: entry}}, nil
}

func decideVoidTransaction(b *Books, c VoidTransaction) ([]Event, error) {
	txn, err := findChangeableTransaction(b, c.TransactionID)
	if err != nil {
		return nil, err
	}
	reason, err := normalizeText("reason", c.Reason, descriptionLengthMax)
	if err != nil {
		return nil, err
	}
	return []Event{TransactionVoided{TransactionID: txn.ID, Reason: reason}}, nil
}

// checkNewEntry applies every rule a new or amended entry must meet.
func (b *Books) checkNewEntry(entry Entry) (Entry, error) {
	entry, err := normalizeEntry(entry)
	if err != nil {
		return entry, err
	}
	if err := b.checkUnlocked("date", entry.Date); err != nil {
		return entry, err
	}
	for i, posting := range entry.Postings {
		if err := b.checkPostingAccount(i, posting); err != nil {
			return entry, err
		}
	}
	return entry, nil
}

func (b *Books) checkPostingAccount(index int, posting Posting) error {
	field := postingField(index) + ".account"
	account, ok := b.accounts[posting.AccountID]
	if !ok {
		return &Error{Code: CodeInvalid, Field: field, Message: "this account does not exist"}
	}
	if account.Closed {
		return Invalid(field, "the account %q is closed: reopen it or choose another", account.Name)
	}
	if !account.AcceptsCurrency(posting.Currency) {
		return Invalid(postingField(index)+".currency", "the account %q only holds %s, not %s",
			account.Name, account.Currency, posting.Currency)
	}
	return nil
}

func (b *Books) checkUnlocked(field string, date Date) error {
	lock := b.Settings.LockDate
	if !lock.IsZero() && !date.After(lock) {
		return Invalid(field, "the books are locked up to and including %s: choose a later date or move the lock date", lock)
	}
	return nil
}

func findAccount(b *Books, id uuid.UUID) (*Account, error) {
	account, ok := b.accounts[id]
	if !ok {
		return nil, NotFound("there is no such account")
	}
	return account, nil
}

// findChangeableTransaction returns a transaction that may still be amended
// or voided: it exists, is not voided and its date is not locked.
func findChangeableTransaction(b *Books, id uuid.UUID) (*Transaction, error) {
	txn, ok := b.transactions[id]
	if !ok {
		return nil, NotFound("there is no such transaction")
	}
	if txn.Voided {
		return nil, Conflict("this transaction was voided and can no longer change")
	}
	if err := b.checkUnlocked("date", txn.Date); err != nil {
		return nil, &Error{Code: CodeConflict, Field: "date",
			Message: fmt.Sprintf("this transaction is dated %s, inside the locked period up to %s", txn.Date, b.Settings.LockDate)}
	}
	return txn, nil
}
