package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// write stores the delta: account changes and replaced journal rows in one
// round trip, new rows by COPY, and balance and monthly deltas as two
// set-based upserts.
func (d *delta) write(ctx context.Context, tx pgx.Tx, s schema) error {
	if err := d.writeChanges(ctx, tx, s); err != nil {
		return err
	}
	if err := d.copyRows(ctx, tx, s); err != nil {
		return err
	}
	if err := d.upsertBalances(ctx, tx, s); err != nil {
		return err
	}
	return d.upsertMonthly(ctx, tx, s)
}

func (d *delta) writeChanges(ctx context.Context, tx pgx.Tx, s schema) error {
	batch := &pgx.Batch{}
	for _, change := range d.accountChanges {
		if change.name != nil {
			batch.Queue(`UPDATE `+s.table("accounts")+` SET name = $3 WHERE user_id = $1 AND account_id = $2`,
				d.userID, change.accountID, *change.name)
		}
		if change.closed != nil {
			batch.Queue(`UPDATE `+s.table("accounts")+` SET closed = $3 WHERE user_id = $1 AND account_id = $2`,
				d.userID, change.accountID, *change.closed)
		}
	}
	if replaced := d.replacedTransactions(); len(replaced) > 0 {
		batch.Queue(`DELETE FROM `+s.table("journal_postings")+` WHERE user_id = $1 AND transaction_id = ANY($2)`,
			d.userID, pgUUIDs(replaced))
		batch.Queue(`DELETE FROM `+s.table("journal")+` WHERE user_id = $1 AND transaction_id = ANY($2)`,
			d.userID, pgUUIDs(replaced))
	}
	if batch.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("update read models: %w", err)
	}
	return nil
}

func (d *delta) replacedTransactions() []uuid.UUID {
	var ids []uuid.UUID
	for _, id := range d.txnOrder {
		if d.txns[id].inTable {
			ids = append(ids, id)
		}
	}
	return ids
}

func (d *delta) copyRows(ctx context.Context, tx pgx.Tx, s schema) error {
	model := Model{Accounts: d.newAccounts}
	for _, id := range d.txnOrder {
		state := d.txns[id]
		model.Journal = append(model.Journal, state.row)
		model.Postings = append(model.Postings, state.postings...)
	}
	only := map[string]bool{"accounts": true, "journal": true, "journal_postings": true}
	return copyModel(ctx, tx, s, d.userID, model, only)
}

func (d *delta) upsertBalances(ctx context.Context, tx pgx.Tx, s schema) error {
	var accounts []pgtype.UUID
	var currencies []string
	var amounts []pgtype.Numeric
	for key, amount := range d.balances {
		if amount.IsZero() {
			continue
		}
		accounts = append(accounts, pgUUID(key.accountID))
		currencies = append(currencies, key.currency)
		amounts = append(amounts, numeric(amount))
	}
	if len(accounts) == 0 {
		return nil
	}
	table := s.table("account_balances")
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` (user_id, account_id, currency, amount)
		SELECT $1, a, c, m FROM unnest($2::uuid[], $3::text[], $4::numeric[]) AS t(a, c, m)
		ON CONFLICT (user_id, account_id, currency) DO UPDATE SET amount = `+table+`.amount + EXCLUDED.amount`,
		d.userID, accounts, currencies, amounts)
	if err != nil {
		return fmt.Errorf("update balances: %w", err)
	}
	return nil
}

func (d *delta) upsertMonthly(ctx context.Context, tx pgx.Tx, s schema) error {
	var accounts []pgtype.UUID
	var currencies []string
	var months []pgtype.Date
	var amounts []pgtype.Numeric
	for key, amount := range d.monthly {
		if amount.IsZero() {
			continue
		}
		accounts = append(accounts, pgUUID(key.accountID))
		currencies = append(currencies, key.currency)
		months = append(months, pgtype.Date{Time: key.month.Time(), Valid: true})
		amounts = append(amounts, numeric(amount))
	}
	if len(accounts) == 0 {
		return nil
	}
	table := s.table("monthly_totals")
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` (user_id, account_id, currency, month, amount)
		SELECT $1, a, c, mo, m FROM unnest($2::uuid[], $3::text[], $4::date[], $5::numeric[]) AS t(a, c, mo, m)
		ON CONFLICT (user_id, account_id, currency, month) DO UPDATE SET amount = `+table+`.amount + EXCLUDED.amount`,
		d.userID, accounts, currencies, months, amounts)
	if err != nil {
		return fmt.Errorf("update monthly totals: %w", err)
	}
	return nil
}
