package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// copyModel writes a user's derived rows into the tables of the chosen
// projections in schema s with COPY.
func copyModel(ctx context.Context, tx pgx.Tx, s schema, userID uuid.UUID, model Model, only map[string]bool) error {
	for _, table := range tableRows(userID, model) {
		if !only[table.name] || len(table.rows) == 0 {
			continue
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{string(s), table.name}, table.columns, pgx.CopyFromRows(table.rows))
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

func tableRows(userID uuid.UUID, model Model) []tableData {
	tables := []tableData{
		{name: "accounts", columns: accountColumns},
		{name: "account_balances", columns: balanceColumns},
		{name: "journal", columns: journalColumns},
		{name: "journal_postings", columns: postingColumns},
		{name: "monthly_totals", columns: monthlyColumns},
	}
	for _, a := range model.Accounts {
		tables[0].rows = append(tables[0].rows, []any{pgUUID(userID), pgUUID(a.AccountID), a.Name, string(a.Type), a.Currency, a.Closed, a.OpenedVersion})
	}
	for _, b := range model.Balances {
		tables[1].rows = append(tables[1].rows, []any{pgUUID(userID), pgUUID(b.AccountID), b.Currency, numeric(b.Amount)})
	}
	for _, j := range model.Journal {
		tables[2].rows = append(tables[2].rows, journalValues(userID, j))
	}
	for _, p := range model.Postings {
		tables[3].rows = append(tables[3].rows, postingValues(userID, p))
	}
	for _, m := range model.Monthly {
		tables[4].rows = append(tables[4].rows, []any{pgUUID(userID), pgUUID(m.AccountID), m.Currency, m.Month.Time(), numeric(m.Amount)})
	}
	return tables
}

func journalValues(userID uuid.UUID, j JournalRow) []any {
	tags := j.Tags
	if tags == nil {
		tags = []string{}
	}
	return []any{pgUUID(userID), pgUUID(j.TransactionID), j.Date.Time(), j.Description, j.Payee, tags,
		j.Revision, j.Voided, j.RecordedVersion, j.ChangedVersion}
}

func postingValues(userID uuid.UUID, p PostingRow) []any {
	var priceAmount, priceCurrency any
	if p.Price != nil {
		priceAmount, priceCurrency = numeric(p.Price.Amount), p.Price.Currency
	}
	return []any{pgUUID(userID), pgUUID(p.TransactionID), p.Line, pgUUID(p.AccountID), numeric(p.Amount), p.Currency,
		priceAmount, priceCurrency, p.Date.Time(), p.RecordedVersion, p.Voided}
}
