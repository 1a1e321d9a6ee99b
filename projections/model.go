package projections

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
)

// AccountRow is a row of the accounts table.
type AccountRow struct {
	AccountID     uuid.UUID
	Name          string
	Type          domain.AccountType
	Currency      string
	Closed        bool
	OpenedVersion int64
}

// BalanceRow is a row of account_balances.
type BalanceRow struct {
	AccountID uuid.UUID
	Currency  string
	Amount    decimal.Decimal
}

// JournalRow is a row of journal: the current version of a transaction.
type JournalRow struct {
	TransactionID   uuid.UUID
	Date            domain.Date
	Description     string
	Payee           string
	Tags            []string
	Revision        int
	Voided          bool
	RecordedVersion int64
	ChangedVersion  int64
}

// PostingRow is a row of journal_postings.
type PostingRow struct {
	TransactionID   uuid.UUID
	Line            int
	AccountID       uuid.UUID
	Amount          decimal.Decimal
	Currency        string
	Price           *domain.Price
	Date            domain.Date
	RecordedVersion int64
	Voided          bool
}

// MonthlyRow is a row of monthly_totals.
type MonthlyRow struct {
	AccountID uuid.UUID
	Currency  string
	Month     domain.Date
	Amount    decimal.Decimal
}

// Model is every read-model row of one user, each slice in its canonical
// order, so that two models compare row by row.
type Model struct {
	Accounts []AccountRow
	Balances []BalanceRow
	Journal  []JournalRow
	Postings []PostingRow
	Monthly  []MonthlyRow
}

// Derive computes a user's read models from a fold of their events, in
// canonical order. Zero balances and zero monthly totals are left out.
func Derive(books *domain.Books) Model {
	model := derive(books)
	model.sort()
	return model
}

// derive is Derive without the sorting, which a rebuild does not need.
func derive(books *domain.Books) Model {
	var model Model
	for _, account := range books.Accounts() {
		model.Accounts = append(model.Accounts, AccountRow{
			AccountID: account.ID, Name: account.Name, Type: account.Type,
			Currency: account.Currency, Closed: account.Closed, OpenedVersion: account.OpenedVersion,
		})
		for currency, amount := range books.Balance(account.ID) {
			model.Balances = append(model.Balances, BalanceRow{AccountID: account.ID, Currency: currency, Amount: amount})
		}
	}
	monthly := map[monthKey]decimal.Decimal{}
	txns := inDateOrder(books.Transactions())
	// Sized up front: a user's journal runs to hundreds of thousands of
	// rows, which growing by appends would copy over and over.
	model.Journal = make([]JournalRow, 0, len(txns))
	for i := len(txns) - 1; i >= 0; i-- {
		model.Journal = append(model.Journal, journalRowOf(txns[i]))
	}
	model.Postings = postingsByAccount(books.Accounts(), txns)
	for _, txn := range txns {
		if !txn.Voided {
			addMonthly(monthly, txn.Entry, false)
		}
	}
	model.Monthly = monthlyRows(monthly)
	return model
}

// A rebuild copies rows in the order of the indexes it builds afterwards
// (the users come in id order): the journal by date and version, newest
// first, as journal_date_idx has it, and postings by account, date and
// version, as journal_postings_account_idx has it. PostgreSQL's sort checks
// for input already in order first, so those two builds, a third of the
// index work, take one pass instead of a sort; and an account's register
// lies together on disk.

// inDateOrder returns txns by date and then recorded version, oldest first.
func inDateOrder(txns []*domain.Transaction) []*domain.Transaction {
	type keyed struct {
		day, version int64
		txn          *domain.Transaction
	}
	keys := make([]keyed, len(txns))
	for i, txn := range txns {
		keys[i] = keyed{txn.Date.Time().Unix() / 86400, txn.RecordedVersion, txn}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		if a.day != b.day {
			return cmp.Compare(a.day, b.day)
		}
		return cmp.Compare(a.version, b.version)
	})
	ordered := make([]*domain.Transaction, len(txns))
	for i, key := range keys {
		ordered[i] = key.txn
	}
	return ordered
}

// postingsByAccount returns the postings of txns (in date order) grouped by
// account in id order, keeping date order within each account.
func postingsByAccount(accounts []*domain.Account, txns []*domain.Transaction) []PostingRow {
	ids := make([]uuid.UUID, 0, len(accounts))
	for _, account := range accounts {
		ids = append(ids, account.ID)
	}
	slices.SortFunc(ids, compareIDs)
	rank := make(map[uuid.UUID]int, len(ids))
	for i, id := range ids {
		rank[id] = i
	}
	// A counting sort: the postings per account give each account's start.
	starts := make([]int, len(ids)+1)
	for _, txn := range txns {
		for _, posting := range txn.Postings {
			starts[rank[posting.AccountID]+1]++
		}
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	rows := make([]PostingRow, starts[len(ids)])
	next := starts[:len(ids)]
	for _, txn := range txns {
		for i, posting := range txn.Postings {
			r := rank[posting.AccountID]
			rows[next[r]] = postingRowOf(txn, i)
			next[r]++
		}
	}
	return rows
}

func journalRowOf(txn *domain.Transaction) JournalRow {
	return JournalRow{
		TransactionID: txn.ID, Date: txn.Date, Description: txn.Description, Payee: txn.Payee,
		Tags: txn.Tags, Revision: txn.Revision, Voided: txn.Voided,
		RecordedVersion: txn.RecordedVersion, ChangedVersion: txn.ChangedVersion,
	}
}

func postingRowsOf(txn *domain.Transaction) []PostingRow {
	return appendPostingRows(make([]PostingRow, 0, len(txn.Postings)), txn)
}

func appendPostingRows(rows []PostingRow, txn *domain.Transaction) []PostingRow {
	for i := range txn.Postings {
		rows = append(rows, postingRowOf(txn, i))
	}
	return rows
}

func postingRowOf(txn *domain.Transaction, i int) PostingRow {
	posting := txn.Postings[i]
	return PostingRow{
		TransactionID: txn.ID, Line: i + 1, AccountID: posting.AccountID,
		Amount: posting.Amount, Currency: posting.Currency, Price: posting.Price,
		Date: txn.Date, RecordedVersion: txn.RecordedVersion, Voided: txn.Voided,
	}
}

type monthKey struct {
	accountID uuid.UUID
	currency  string
	month     domain.Date
}

type balanceKey struct {
	accountID uuid.UUID
	currency  string
}

func addMonthly(totals map[monthKey]decimal.Decimal, entry domain.Entry, subtract bool) {
	month := entry.Date.FirstOfMonth()
	for _, posting := range entry.Postings {
		key := monthKey{posting.AccountID, posting.Currency, month}
		amount := posting.Amount
		if subtract {
			amount = amount.Neg()
		}
		totals[key] = totals[key].Add(amount)
	}
}

func monthlyRows(totals map[monthKey]decimal.Decimal) []MonthlyRow {
	rows := make([]MonthlyRow, 0, len(totals))
	for key, amount := range totals {
		if !amount.IsZero() {
			rows = append(rows, MonthlyRow{AccountID: key.accountID, Currency: key.currency, Month: key.month, Amount: amount})
		}
	}
	return rows
}

// sort puts every slice in canonical order: by id, then line, currency or month.
func (m *Model) sort() {
	slices.SortFunc(m.Accounts, func(a, b AccountRow) int { return compareIDs(a.AccountID, b.AccountID) })
	slices.SortFunc(m.Balances, func(a, b BalanceRow) int {
		if c := compareIDs(a.AccountID, b.AccountID); c != 0 {
			return c
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	slices.SortFunc(m.Journal, func(a, b JournalRow) int { return compareIDs(a.TransactionID, b.TransactionID) })
	slices.SortFunc(m.Postings, func(a, b PostingRow) int {
		if c := compareIDs(a.TransactionID, b.TransactionID); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	slices.SortFunc(m.Monthly, func(a, b MonthlyRow) int {
		if c := compareIDs(a.AccountID, b.AccountID); c != 0 {
			return c
		}
		if c := strings.Compare(a.Currency, b.Currency); c != 0 {
			return c
		}
		return a.Month.Time().Compare(b.Month.Time())
	})
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
