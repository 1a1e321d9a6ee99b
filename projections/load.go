package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// Load reads a user's rows from the live tables, in Model's canonical
// order, leaving out zero balances and totals as Derive does.
func Load(ctx context.Context, q eventstore.Querier, userID uuid.UUID) (Model, error) {
	return loadFrom(ctx, q, liveSchema, userID)
}

func loadFrom(ctx context.Context, q eventstore.Querier, s schema, userID uuid.UUID) (Model, error) {
	var model Model
	var err error
	if model.Accounts, err = loadAccounts(ctx, q, s, userID); err != nil {
		return model, err
	}
	if model.Balances, err = loadBalances(ctx, q, s, userID); err != nil {
		return model, err
	}
	if model.Journal, err = loadJournal(ctx, q, s, userID); err != nil {
		return model, err
	}
	if model.Postings, err = loadPostings(ctx, q, s, userID); err != nil {
		return model, err
	}
	if model.Monthly, err = loadMonthly(ctx, q, s, userID); err != nil {
		return model, err
	}
	model.sort()
	return model, nil
}

func loadAccounts(ctx context.Context, q eventstore.Querier, s schema, userID uuid.UUID) ([]AccountRow, error) {
	rows, err := q.Query(ctx, `SELECT account_id, name, type, currency, closed, opened_version FROM `+
		s.table("accounts")+` WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (AccountRow, error) {
		var a AccountRow
		err := row.Scan(&a.AccountID, &a.Name, &a.Type, &a.Currency, &a.Closed, &a.OpenedVersion)
		return a, err
	})
}

func loadBalances(ctx context.Context, q eventstore.Querier, s schema, userID uuid.UUID) ([]BalanceRow, error) {
	rows, err := q.Query(ctx, `SELECT account_id, currency, amount FROM `+s.table("account_balances")+
		` WHERE user_id = $1 AND amount <> 0`, userID)
	if err != nil {
		return nil, fmt.Errorf("load balances: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BalanceRow, error) {
		var b BalanceRow
		err := row.Scan(&b.AccountID, &b.Currency, &b.Amount)
		return b, err
	})
}

func loadJournal(ctx context.Context, q eventstore.Querier, s schema, userID uuid.UUID) ([]JournalRow, error) {
	rows, err := q.Query(ctx, `SELECT transaction_id, date, description, payee, tags, revision, voided,
		recorded_version, changed_version FROM `+s.table("journal")+` WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("load journal: %w", err)
	}
	return pgx.CollectRows(rows, scanJournalRow)
}

func scanJournalRow(row pgx.CollectableRow) (JournalRow, error) {
	var j JournalRow
	var date pgDate
	err := row.Scan(&j.TransactionID, &date, &j.Description, &j.Payee, &j.Tags, &j.Revision, &j.Voided,
		&j.RecordedVersion, &j.ChangedVersion)
	j.Date = date.Date
	if len(j.Tags) == 0 {
		j.Tags = nil
	}
	return j, err
}

func loadPostings(ctx context.Context, q eventstore.Querier, s schema, userID uuid.UUID) ([]PostingRow, error) {
	rows, err := q.Query(ctx, `SELECT transaction_id, line, account_id, amount, currency, price_amount,
		price_currency, date, recorded_version, voided FROM `+s.table("journal_postings")+` WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("load postings: %w", err)
	}
	return pgx.CollectRows(rows, scanPostingRow)
}

func scanPostingRow(row pgx.CollectableRow) (PostingRow, error) {
	var p PostingRow
	var priceAmount decimal.NullDecimal
	var priceCurrency *string
	var date pgDate
	err := row.Scan(&p.TransactionID, &p.Line, &p.AccountID, &p.Amount, &p.Currency, &priceAmount,
		&priceCurrency, &date, &p.RecordedVersion, &p.Voided)
	p.Date = date.Date
	if priceAmount.Valid && priceCurrency != nil {
		p.Price = &domain.Price{Amount: priceAmount.Decimal, Currency: *priceCurrency}
	}
	return p, err
}

func loadMonthly(ctx context.Context, q eventstore.Querier, s schema, userID uuid.UUID) ([]MonthlyRow, error) {
	rows, err := q.Query(ctx, `SELECT account_id, currency, month, amount FROM `+s.table("monthly_totals")+
		` WHERE user_id = $1 AND amount <> 0`, userID)
	if err != nil {
		return nil, fmt.Errorf("load monthly totals: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (MonthlyRow, error) {
		var m MonthlyRow
		var month pgDate
		err := row.Scan(&m.AccountID, &m.Currency, &month, &m.Amount)
		m.Month = month.Date
		return m, err
	})
}
