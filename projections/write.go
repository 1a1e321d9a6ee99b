package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/eventstore/pgtypes"
)

// copyModel writes a user's derived rows into the tables of the chosen
// projections in schema s with COPY.
func copyModel(ctx context.Context, tx pgx.Tx, s schema, userID uuid.UUID, model Model, only map[string]bool) error {
	for _, table := range tableRows(userID, model) {
		if !only[table.name] || len(table.rows) == 0 {
			continue
		}
		_, err := pgtypes.CopyFrom(ctx, tx.Conn(), pgx.Identifier{string(s), table.name}, table.columns, table.rows)
		if err != nil {
			return fmt.Errorf("copy %s: %w", table.name, err)
		}
	}
	return nil
}

type tableData struct {
	name    string
	columns []string
	rows    [][]any
}

var (
	accountColumns = []string{"user_id", "account_id", "name", "type", "currency", "closed", "opened_version"}
	balanceColumns = []string{"user_id", "account_id", "currency", "amount"}
	journalColumns = []string{"user_id", "transaction_id", "date", "description", "payee", "tags",
		"revision", "voided", "recorded_version", "changed_version"}
	postingColumns = []string{"user_id", "transaction_id", "line", "account_id", "amount", "currency",
		"price_amount", "price_currency", "date", "recorded_version", "voided"}
	monthlyColumns = []string{"user_id", "account_id", "currency", "month", "amount"}
)

// tableRows turns a user's model into rows for pgtypes.CopyFrom. The values
// are the compact ones it encodes directly, the user id is boxed once, and
// each table's rows share one backing array: a rebuild makes millions of
// these rows, and every separate allocation was garbage collector work.
func tableRows(userID uuid.UUID, model Model) []tableData {
	user := any(userID)
	tables := []tableData{
		{name: "accounts", columns: accountColumns},
		{name: "account_balances", columns: balanceColumns},
		{name: "journal", columns: journalColumns},
		{name: "journal_postings", columns: postingColumns},
		{name: "monthly_totals", columns: monthlyColumns},
	}
	accounts := rowsOf(&tables[0], len(model.Accounts))
	for i, a := range model.Accounts {
		copy(accounts(i), []any{user, a.AccountID, a.Name, string(a.Type), a.Currency, a.Closed, a.OpenedVersion})
	}
	balances := rowsOf(&tables[1], len(model.Balances))
	for i, b := range model.Balances {
		copy(balances(i), []any{user, b.AccountID, b.Currency, copyAmount(b.Amount)})
	}
	journal := rowsOf(&tables[2], len(model.Journal))
	for i, j := range model.Journal {
		journalValues(journal(i), user, j)
	}
	postings := rowsOf(&tables[3], len(model.Postings))
	for i, p := range model.Postings {
		postingValues(postings(i), user, p)
	}
	monthly := rowsOf(&tables[4], len(model.Monthly))
	for i, m := range model.Monthly {
		copy(monthly(i), []any{user, m.AccountID, m.Currency, copyDate(m.Month), copyAmount(m.Amount)})
	}
	return tables
}

// rowsOf gives the table n rows of its columns' width, all in one backing
// array, and returns a function to reach row i.
func rowsOf(table *tableData, n int) func(i int) []any {
	width := len(table.columns)
	values := make([]any, n*width)
	table.rows = make([][]any, n)
	for i := range table.rows {
		table.rows[i] = values[i*width : (i+1)*width : (i+1)*width]
	}
	return func(i int) []any { return table.rows[i] }
}

func journalValues(row []any, user any, j JournalRow) {
	tags := j.Tags
	if tags == nil {
		tags = []string{}
	}
	copy(row, []any{user, j.TransactionID, copyDate(j.Date), j.Description, j.Payee, tags,
		j.Revision, j.Voided, j.RecordedVersion, j.ChangedVersion})
}

func postingValues(row []any, user any, p PostingRow) {
	var priceAmount, priceCurrency any
	if p.Price != nil {
		priceAmount, priceCurrency = copyAmount(p.Price.Amount), p.Price.Currency
	}
	copy(row, []any{user, p.TransactionID, p.Line, p.AccountID, copyAmount(p.Amount), p.Currency,
		priceAmount, priceCurrency, copyDate(p.Date), p.RecordedVersion, p.Voided})
}
