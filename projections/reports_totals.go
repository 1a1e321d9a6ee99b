package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// Dimensions of the dimension totals tables. DimensionTagPayee totals per
// tag and payee together, so that a breakdown by payee can filter by tag; its
// value is the tag, tagPayeeSeparator and the payee. Neither part can hold
// the separator: tags are letters, digits, - and _, payees reject control
// characters.
const (
	DimensionTag      = "tag"
	DimensionPayee    = "payee"
	DimensionTagPayee = "tag_payee"
	tagPayeeSeparator = "\x1f"
)

// reportTotals keeps the totals per tag and per payee by month that
// reports read beside the core monthly_totals. The days of a month that a
// period cuts are summed from the journal, which the inline projection
// would otherwise have to repeat in daily tables on every append.
var reportTotals = Extension{
	Projection: Projection{Name: "report_totals", Version: 3, Tables: []string{"dimension_monthly_totals"}},
	Columns: map[string][]string{
		"dimension_monthly_totals": {"user_id", "dimension", "value", "account_id", "currency",
			"month", "amount"},
	},
	Apply: applyReportTotals,
	Rows:  reportTotalsRows,
}

func init() { RegisterExtension(reportTotals) }

// reportEntry is what one counted transaction adds to the report totals.
type reportEntry struct {
	date     domain.Date
	payee    string
	tags     []string
	postings []domain.Posting // account, currency and amount only
}

func reportEntryOf(entry domain.Entry) reportEntry {
	return reportEntry{date: entry.Date, payee: entry.Payee, tags: entry.Tags, postings: entry.Postings}
}

// totalsKey names one row of dimension_monthly_totals.
type totalsKey struct {
	dimension string
	value     string
	accountID uuid.UUID
	currency  string
	month     domain.Date
}

// reportSums gathers signed amounts per row of dimension_monthly_totals.
type reportSums map[totalsKey]decimal.Decimal

// add adds an entry's postings to the tag totals, and those of income and
// expense accounts to the payee totals: the breakdown by payee, which alone
// reads them, shows only income and expenses.
func (s reportSums) add(entry reportEntry, subtract bool, types accountTypes) {
	month := entry.date.FirstOfMonth()
	for _, posting := range entry.postings {
		amount := posting.Amount
		if subtract {
			amount = amount.Neg()
		}
		key := totalsKey{accountID: posting.AccountID, currency: posting.Currency, month: month}
		flow := types.isFlow(posting.AccountID)
		if flow {
			s.addDimension(DimensionPayee, entry.payee, key, amount)
		}
		for _, tag := range entry.tags {
			s.addDimension(DimensionTag, tag, key, amount)
			if flow {
				s.addDimension(DimensionTagPayee, tag+tagPayeeSeparator+entry.payee, key, amount)
			}
		}
	}
}

// accountTypes knows the types of the accounts an append's postings use.
type accountTypes map[uuid.UUID]domain.AccountType

// isFlow reports whether an account is an income or an expense account.
func (types accountTypes) isFlow(accountID uuid.UUID) bool {
	accountType := types[accountID]
	return accountType == domain.Income || accountType == domain.Expense
}

func (s reportSums) addDimension(dimension, value string, key totalsKey, amount decimal.Decimal) {
	key.dimension, key.value = dimension, value
	s[key] = s[key].Add(amount)
}

// reportTotalsRows derives the extension's rows from a fold of the events.
func reportTotalsRows(userID uuid.UUID, books *domain.Books) map[string][][]any {
	sums, types := reportSums{}, accountTypes{}
	for _, account := range books.Accounts() {
		types[account.ID] = account.Type
	}
	for _, txn := range books.Transactions() {
		if !txn.Voided {
			sums.add(reportEntryOf(txn.Entry), false, types)
		}
	}
	return map[string][][]any{"dimension_monthly_totals": totalsValues(userID, sums)}
}

// totalsValues turns sums into table rows, leaving out zero totals.
func totalsValues(userID uuid.UUID, sums reportSums) [][]any {
	rows := make([][]any, 0, len(sums))
	user := any(userID)
	for key, amount := range sums {
		if !amount.IsZero() {
			rows = append(rows, []any{user, key.dimension, key.value, key.accountID,
				key.currency, copyDate(key.month), copyAmount(amount)})
		}
	}
	return rows
}

// applyReportTotals applies one append's events: it takes the old share of
// amended and voided transactions out and adds the new ones. It runs before
// the core projection, so the journal still holds the old versions.
func applyReportTotals(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
	earlier := earlierTransactions(events)
	userID := events[0].UserID
	current, err := loadReportEntries(ctx, tx, tables, userID, earlier)
	if err != nil {
		return err
	}
	types, err := loadAccountTypes(ctx, tx, tables, userID, events)
	if err != nil {
		return err
	}
	sums, subtracted := reportSums{}, false
	for _, e := range events {
		switch event := e.Event.(type) {
		case domain.TransactionRecorded:
			current[event.TransactionID] = reportEntryOf(event.Entry)
			sums.add(current[event.TransactionID], false, types)
		case domain.TransactionAmended:
			old, ok := current[event.TransactionID]
			if !ok {
				return fmt.Errorf("report totals: amendment of unknown or voided transaction %s", event.TransactionID)
			}
			sums.add(old, true, types)
			current[event.TransactionID] = reportEntryOf(event.Entry)
			sums.add(current[event.TransactionID], false, types)
			subtracted = true
		case domain.TransactionVoided:
			old, ok := current[event.TransactionID]
			if !ok {
				return fmt.Errorf("report totals: void of unknown or voided transaction %s", event.TransactionID)
			}
			sums.add(old, true, types)
			delete(current, event.TransactionID)
			subtracted = true
		}
	}
	return writeReportTotals(ctx, tx, tables, userID, sums, subtracted)
}

// earlierTransactions lists the transactions the events amend or void that
// earlier appends recorded.
func earlierTransactions(events []eventstore.RecordedEvent) []uuid.UUID {
	recordedHere, seen := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	var earlier []uuid.UUID
	for _, e := range events {
		var id uuid.UUID
		switch event := e.Event.(type) {
		case domain.TransactionRecorded:
			recordedHere[event.TransactionID] = true
			continue
		case domain.TransactionAmended:
			id = event.TransactionID
		case domain.TransactionVoided:
			id = event.TransactionID
		default:
			continue
		}
		if !recordedHere[id] && !seen[id] {
			seen[id] = true
			earlier = append(earlier, id)
		}
	}
	return earlier
}

// loadAccountTypes returns the types of the user's accounts: those in the
// table and those the events open.
func loadAccountTypes(ctx context.Context, tx pgx.Tx, tables Tables, userID uuid.UUID,
	events []eventstore.RecordedEvent) (accountTypes, error) {
	types := accountTypes{}
	rows, err := tx.Query(ctx, `SELECT account_id, type FROM `+tables.Name("accounts")+` WHERE user_id = $1`,
		pgUUID(userID))
	if err != nil {
		return nil, fmt.Errorf("load account types: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var accountType domain.AccountType
		if err := rows.Scan(&id, &accountType); err != nil {
			return nil, fmt.Errorf("load account types: %w", err)
		}
		types[id] = accountType
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load account types: %w", err)
	}
	for _, e := range events {
		if opened, ok := e.Event.(domain.AccountOpened); ok {
			types[opened.AccountID] = opened.Type
		}
	}
	return types, nil
}

// loadReportEntries reads the counted transactions among ids from the
// journal as it stands before this append.
func loadReportEntries(ctx context.Context, tx pgx.Tx, tables Tables, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]reportEntry, error) {
	entries := map[uuid.UUID]reportEntry{}
	if len(ids) == 0 {
		return entries, nil
	}
	rows, err := tx.Query(ctx, `SELECT j.transaction_id, j.date, j.payee, j.tags, p.account_id, p.currency, p.amount
		FROM `+tables.Name("journal")+` j JOIN `+tables.Name("journal_postings")+` p
		  ON p.user_id = j.user_id AND p.transaction_id = j.transaction_id
		WHERE j.user_id = $1 AND j.transaction_id = ANY($2) AND NOT j.voided
		ORDER BY j.transaction_id, p.line`, userID, pgUUIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("load report entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var date time.Time
		var entry reportEntry
		var posting domain.Posting
		if err := rows.Scan(&id, &date, &entry.payee, &entry.tags, &posting.AccountID, &posting.Currency, &posting.Amount); err != nil {
			return nil, fmt.Errorf("load report entries: %w", err)
		}
		if known, ok := entries[id]; ok {
			entry = known
		}
		entry.date = domain.DateOf(date)
		entry.postings = append(entry.postings, posting)
		entries[id] = entry
	}
	return entries, rows.Err()
}

// writeReportTotals adds the sums to dimension_monthly_totals in one upsert.
// When the append took amounts out, the rows it brought to zero are then
// deleted, as a rebuild would not write them.
func writeReportTotals(ctx context.Context, tx pgx.Tx, tables Tables, userID uuid.UUID, sums reportSums, subtracted bool) error {
	var dimensions, values, currencies []string
	var accounts []pgtype.UUID
	var months []pgtype.Date
	var amounts []pgtype.Numeric
	for key, amount := range sums {
		if amount.IsZero() {
			continue
		}
		dimensions = append(dimensions, key.dimension)
		values = append(values, key.value)
		accounts = append(accounts, pgUUID(key.accountID))
		currencies = append(currencies, key.currency)
		months = append(months, pgtype.Date{Time: key.month.Time(), Valid: true})
		amounts = append(amounts, numeric(amount))
	}
	if len(accounts) == 0 {
		return nil
	}
	name := tables.Name("dimension_monthly_totals")
	batch := &pgx.Batch{}
	batch.Queue(`INSERT INTO `+name+` (user_id, dimension, value, account_id, currency, month, amount)
		SELECT $1, k, v, a, c, m, n
		FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::date[], $7::numeric[]) AS t(k, v, a, c, m, n)
		ON CONFLICT (user_id, dimension, month, value, account_id, currency)
		DO UPDATE SET amount = `+name+`.amount + EXCLUDED.amount`,
		pgUUID(userID), dimensions, values, accounts, currencies, months, amounts)
	if subtracted {
		batch.Queue(`DELETE FROM `+name+` WHERE user_id = $1 AND amount = 0
			AND (dimension, value, account_id, currency, month) IN (
				SELECT * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::date[]))`,
			pgUUID(userID), dimensions, values, accounts, currencies, months)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("update report totals: %w", err)
	}
	return nil
}
