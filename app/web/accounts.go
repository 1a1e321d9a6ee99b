package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/projections"
)

// accountLine is an account as lists show it. Amounts are signed as in the journal: debit
// balances are positive, credit balances negative.
type accountLine struct {
	ID        uuid.UUID
	Name      string
	Type      domain.AccountType
	TypeLabel string
	Currency  string // "" holds any currency
	Closed    bool
	Balances  []amount

	// On the accounts page: the account is being renamed (to RenameName, with RenameError),
	// or Alert says why an action on it was refused.
	Renaming    bool
	RenameName  string
	RenameError string
	Alert       string
}

// accountGroup is the accounts of one type, with their total per currency.
type accountGroup struct {
	Type     domain.AccountType
	Label    string
	Accounts []accountLine
	Totals   []amount
}

func newAccountLine(account projections.AccountBalance) accountLine {
	return accountLine{ID: account.AccountID, Name: account.Name, Type: account.Type,
		TypeLabel: accountTypeLabels[account.Type], Currency: account.Currency,
		Closed: account.Closed, Balances: amountsOf(account.Balances)}
}

// groupAccounts groups accounts (in statement order) by type, keeping those include
// accepts; a type without accounts has no group.
func groupAccounts(accounts []projections.AccountBalance,
	include func(projections.AccountBalance) bool) []accountGroup {
	var groups []accountGroup
	var totals map[string]decimal.Decimal
	for _, account := range accounts {
		if !include(account) {
			continue
		}
		if len(groups) == 0 || groups[len(groups)-1].Type != account.Type {
			groups = append(groups, accountGroup{Type: account.Type,
				Label: accountTypeLabels[account.Type]})
			totals = map[string]decimal.Decimal{}
		}
		group := &groups[len(groups)-1]
		group.Accounts = append(group.Accounts, newAccountLine(account))
		addAmounts(totals, account.Balances, false)
		group.Totals = amountsOf(totals)
	}
	return groups
}

// balanceSheet is the assets and liabilities that hold money, and the net worth they make.
type balanceSheet struct {
	Groups   []accountGroup
	NetWorth []amount
}

func newBalanceSheet(accounts []projections.AccountBalance) balanceSheet {
	onSheet := func(account projections.AccountBalance) bool {
		isSheetType := account.Type == domain.Asset || account.Type == domain.Liability
		return isSheetType && (!account.Closed || len(account.Balances) > 0)
	}
	netWorth := map[string]decimal.Decimal{}
	for _, account := range accounts {
		if onSheet(account) {
			addAmounts(netWorth, account.Balances, false)
		}
	}
	return balanceSheet{Groups: groupAccounts(accounts, onSheet), NetWorth: amountsOf(netWorth)}
}

// accountTypeOption is a choice of the account type select.
type accountTypeOption struct {
	Value string
	Label string
}

var accountTypeOptions = func() []accountTypeOption {
	options := make([]accountTypeOption, len(domain.AccountTypes))
	for i, accountType := range domain.AccountTypes {
		options[i] = accountTypeOption{Value: string(accountType),
			Label: accountTypeLabels[accountType]}
	}
	return options
}()

// openAccountForm is the form that opens an account, as typed.
type openAccountForm struct {
	Name     string
	Type     string
	Currency string
	Errors   map[string]string
}

// accountsView is the data of pages/accounts.html.
type accountsView struct {
	Groups []accountGroup
	Open   openAccountForm
	Types  []accountTypeOption
	Notice string
}

// line returns the line of the account id, or nil when these books have no such account.
func (v *accountsView) line(id uuid.UUID) *accountLine {
	for i := range v.Groups {
		for j := range v.Groups[i].Accounts {
			if v.Groups[i].Accounts[j].ID == id {
				return &v.Groups[i].Accounts[j]
			}
		}
	}
	return nil
}

// loadAccountsView reads the chart of accounts of the user's books.
func (s *Server) loadAccountsView(c *fiber.Ctx, userID uuid.UUID) (accountsView, error) {
	accounts, err := projections.Accounts(c.UserContext(), s.pool, userID)
	if err != nil {
		return accountsView{}, err
	}
	all := func(projections.AccountBalance) bool { return true }
	return accountsView{Groups: groupAccounts(accounts, all), Types: accountTypeOptions,
		Open: openAccountForm{Type: string(domain.Expense), Errors: map[string]string{}}}, nil
}

// accountsPage answers GET /accounts: the chart of accounts, grouped by type.
func (s *Server) accountsPage(c *fiber.Ctx) error {
	data, err := s.loadAccountsView(c, bookOf(c))
	if err != nil {
		return err
	}
	return s.renderPart(c, "accounts", "accounts_section", nil, data)
}

// accountsChanged answers a change to the chart of accounts: the plain form goes back to the
// list, htmx gets the list anew.
func (s *Server) accountsChanged(c *fiber.Ctx, notice string) error {
	if !isHTMX(c) {
		return c.Redirect("/accounts", fiber.StatusSeeOther)
	}
	data, err := s.loadAccountsView(c, currentUser(c).ID)
	if err != nil {
		return err
	}
	data.Notice = notice
	return s.render(c, "accounts", "accounts_section", data)
}

// errNoAccount is the answer for an account id that is not in the books being read,
// whether it is malformed, made up or somebody else's.
var errNoAccount = domain.NotFound("there is no such account")

// accountIDParam reads the :id of an account's URL.
func accountIDParam(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errNoAccount
	}
	return id, nil
}
