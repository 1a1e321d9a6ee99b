package domain

// starterAccounts is the chart of accounts a new user starts with: enough to
// record everyday spending at once, short enough to read in one glance.
var starterAccounts = []struct {
	name        string
	accountType AccountType
	inBase      bool // restricted to the base currency
}{
	{"Checking", Asset, true},
	{"Savings", Asset, true},
	{"Cash", Asset, true},
	{"Credit Card", Liability, true},
	{"Opening Balances", Equity, false},
	{"Salary", Income, false},
	{"Interest", Income, false},
	{"Other Income", Income, false},
	{"Groceries", Expense, false},
	{"Rent", Expense, false},
	{"Utilities", Expense, false},
	{"Transport", Expense, false},
	{"Eating Out", Expense, false},
	{"Bank Fees", Expense, false},
	{"Uncategorized", Expense, false},
}

// StarterChart returns the starter accounts as events without ids.
func StarterChart(baseCurrency string) []AccountOpened {
	accounts := make([]AccountOpened, 0, len(starterAccounts))
	for _, starter := range starterAccounts {
		account := AccountOpened{Name: starter.name, Type: starter.accountType}
		if starter.inBase {
			account.Currency = baseCurrency
		}
		accounts = append(accounts, account)
	}
	return accounts
}
