package domain

import "github.com/google/uuid"

// Command is a request to change a user's books. Decide accepts or rejects it.
type Command interface {
	commandName() string
}

// OpenBooks starts a user's books, optionally with the starter chart of accounts.
type OpenBooks struct {
	BaseCurrency         string
	FiscalYearStartMonth int
	StarterChart         bool
}

// OpenAccount adds an account. Currency "" lets it hold any currency.
type OpenAccount struct {
	Name     string
	Type     AccountType
	Currency string
}

// RenameAccount gives an account a new, still unique name.
type RenameAccount struct {
	AccountID uuid.UUID
	Name      string
}

// CloseAccount closes an account whose balance is zero in every currency.
type CloseAccount struct {
	AccountID uuid.UUID
}

// ReopenAccount reopens a closed account.
type ReopenAccount struct {
	AccountID uuid.UUID
}

// RecordTransaction adds a transaction.
type RecordTransaction struct {
	Entry Entry
}

// AmendTransaction replaces a transaction's whole content.
type AmendTransaction struct {
	TransactionID uuid.UUID
	Entry         Entry
}

// VoidTransaction takes a transaction out of the books.
type VoidTransaction struct {
	TransactionID uuid.UUID
	Reason        string
}

// ChangeSettings sets the base currency and the first month of the fiscal year.
type ChangeSettings struct {
	BaseCurrency         string
	FiscalYearStartMonth int
}

// SetLockDate closes all dates on or before LockDate; the zero Date reopens them.
type SetLockDate struct {
	LockDate Date
}

func (OpenBooks) commandName() string         { return "OpenBooks" }
func (OpenAccount) commandName() string       { return "OpenAccount" }
func (RenameAccount) commandName() string     { return "RenameAccount" }
func (CloseAccount) commandName() string      { return "CloseAccount" }
func (ReopenAccount) commandName() string     { return "ReopenAccount" }
func (RecordTransaction) commandName() string { return "RecordTransaction" }
func (AmendTransaction) commandName() string  { return "AmendTransaction" }
func (VoidTransaction) commandName() string   { return "VoidTransaction" }
func (ChangeSettings) commandName() string    { return "ChangeSettings" }
func (SetLockDate) commandName() string       { return "SetLockDate" }

// CommandName returns a command's name, for logs and metadata.
func CommandName(cmd Command) string { return cmd.commandName() }
