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

// reportTotals keeps the pre-aggregated tables that reports read beside the
// core monthly_totals: totals per day, and totals per tag and per payee by
// month and by day.
var reportTotals = Extension{
	Projection: Projection{Name: "report_totals", Version: 2, Tables: []string{
		"report_entries", "daily_totals", "dimension_monthly_totals", "dimension_daily_totals"}},
	Columns: map[string][]string{
		"report_entries": reportEntryColumns,
		"daily_totals":   {"user_id", "account_id", "currency", "day", "amount"},
		"dimension_monthly_totals": {"user_id", "dimension", "value", "account_id", "currency",
			"month", "amount"},
		"dimension_daily_totals": {"user_id", "dimension", "value", "account_id", "currency",
			"day", "amount"},
	},
	Apply: applyReportTotals,
	Rows:  reportTotalsRows,
}

func init() { RegisterExtension(reportTotals) }

var reportEntryColumns = []string{"user_id", "transaction_id", "date", "payee", "tags", "account_ids",
	"currencies", "amounts"}

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

// totalsKey names one row of a totals table. The daily_totals rows have no
// dimension; day is a month's first day in dimension_monthly_totals.
type totalsKey struct {
	dimension string
	value     string
	accountID uuid.UUID
	currency  string
	day       domain.Date
}

// reportSums gathers signed amounts per row of each totals table.
type reportSums struct {
	daily   map[totalsKey]decimal.Decimal
	monthly map[totalsKey]decimal.Decimal // dimension_monthly_totals
	byDay   map[totalsKey]decimal.Decimal // dimension_daily_totals
}

func newReportSums() *reportSums {
	return &reportSums{daily: map[totalsKey]decimal.Decimal{}, monthly: map[totalsKey]decimal.Decimal{},
		byDay: map[totalsKey]decimal.Decimal{}}
}

func (s *reportSums) add(entry reportEntry, subtract bool) {
	month := entry.date.FirstOfMonth()
	for _, posting := range entry.postings {
		amount := posting.Amount
		if subtract {
			amount = amount.Neg()
		}
		key := totalsKey{accountID: posting.AccountID, currency: posting.Currency, day: entry.date}
		s.daily[key] = s.daily[key].Add(amount)
		s.addDimension(DimensionPayee, entry.payee, key, month, amount)
		for _, tag := range entry.tags {
			s.addDimension(DimensionTag, tag, key, month, amount)
			s.addDimension(DimensionTagPayee, tag+tagPayeeSeparator+entry.payee, key, month, amount)
		}
	}
}

func (s *reportSums) addDimension(dimension, value string, key totalsKey, month domain.Date, amount decimal.Decimal) {
	key.dimension, key.value = dimension, value
	s.byDay[key] = s.byDay[key].Add(amount)
	key.day = month
	s.monthly[key] = s.monthly[key].Add(amount)
}

// reportTotalsRows derives the extension's rows from a fold of the events.
func reportTotalsRows(userID uuid.UUID, books *domain.Books) map[string][][]any {
	sums := newReportSums()
	var entries [][]any
	for _, txn := range books.Transactions() {
		if txn.Voided {
			continue
		}
		entry := reportEntryOf(txn.Entry)
		sums.add(entry, false)
		entries = append(entries, reportEntryValues(userID, txn.ID, entry))
	}
	return map[string][][]any{
		"report_entries":           entries,
		"daily_totals":             totalsValues(userID, sums.daily, false),
		"dimension_monthly_totals": totalsValues(userID, sums.monthly, true),
		"dimension_daily_totals":   totalsValues(userID, sums.byDay, true),
	}
}

func reportEntryValues(userID, transactionID uuid.UUID, entry reportEntry) []any {
	accounts := make([]pgtype.UUID, len(entry.postings))
	currencies := make([]string, len(entry.postings))
	amounts := make([]pgtype.Numeric, len(entry.postings))
	for i, posting := range entry.postings {
		accounts[i], currencies[i], amounts[i] = pgUUID(posting.AccountID), posting.Currency, numeric(posting.Amount)
	}
	tags := append([]string{}, entry.tags...)
	return []any{pgUUID(userID), pgUUID(transactionID), entry.date.Time(), entry.payee, tags, accounts,
		currencies, amounts}
}

// totalsValues turns sums into table rows, leaving out zero totals.
func totalsValues(userID uuid.UUID, sums map[totalsKey]decimal.Decimal, withDimension bool) [][]any {
	rows := make([][]any, 0, len(sums))
	for key, amount := range sums {
		if amount.IsZero() {
			continue
		}
		row := []any{pgUUID(userID)}
		if withDimension {
			row = append(row, key.dimension, key.value)
		}
		rows = append(rows, append(row, pgUUID(key.accountID), key.currency, key.day.Time(), numeric(amount)))
	}
	return rows
}

// applyReportTotals applies one append's events: it takes the old share of
// amended and voided transactions out, adds the new ones, and rewrites the
// changed report entries.
func applyReportTotals(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
	changed, earlier := changedTransactions(events)
	if len(changed) == 0 {
		return nil
	}
	userID := events[0].UserID
	current, err := loadReportEntries(ctx, tx, tables, userID, earlier)
	if err != nil {
		return err
	}
	sums := newReportSums()
	for _, e := range events {
		switch event := e.Event.(type) {
		case domain.TransactionRecorded:
			current[event.TransactionID] = reportEntryOf(event.Entry)
			sums.add(current[event.TransactionID], false)
		case domain.TransactionAmended:
			old, ok := current[event.TransactionID]
			if !ok {
				return fmt.Errorf("report totals: amendment of unknown or voided transaction %s", event.TransactionID)
			}
			sums.add(old, true)
			current[event.TransactionID] = reportEntryOf(event.Entry)
			sums.add(current[event.TransactionID], false)
		case domain.TransactionVoided:
			old, ok := current[event.TransactionID]
			if !ok {
				return fmt.Errorf("report totals: void of unknown or voided transaction %s", event.TransactionID)
			}
			sums.add(old, true)
			delete(current, event.TransactionID)
		}
	}
	return writeReportTotals(ctx, tx, tables, userID, changed, earlier, current, sums)
}

// changedTransactions lists the transactions the events record, amend or
// void, and among them those recorded by earlier appends.
func changedTransactions(events []eventstore.RecordedEvent) (changed, earlier []uuid.UUID) {
	seen := map[uuid.UUID]bool{}
	for _, e := range events {
		var id uuid.UUID
		recorded := false
		switch event := e.Event.(type) {
		case domain.TransactionRecorded:
			id, recorded = event.TransactionID, true
		case domain.TransactionAmended:
			id = event.TransactionID
		case domain.TransactionVoided:
			id = event.TransactionID
		default:
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		changed = append(changed, id)
		if !recorded {
			earlier = append(earlier, id)
		}
	}
	return changed, earlier
}

func loadReportEntries(ctx context.Context, tx pgx.Tx, tables Tables, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]reportEntry, error) {
	entries := map[uuid.UUID]reportEntry{}
	if len(ids) == 0 {
		return entries, nil
	}
	rows, err := tx.Query(ctx, `SELECT transaction_id, date, payee, tags, account_ids, currencies, amounts::text[]
		FROM `+tables.Name("report_entries")+` WHERE user_id = $1 AND transaction_id = ANY($2)`, userID, ids)
	if err != nil {
		return nil, fmt.Errorf("load report entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var date time.Time
		var entry reportEntry
		var accounts []uuid.UUID
		var currencies, amounts []string
		if err := rows.Scan(&id, &date, &entry.payee, &entry.tags, &accounts, &currencies, &amounts); err != nil {
			return nil, fmt.Errorf("load report entries: %w", err)
		}
		entry.date = domain.DateOf(date)
		for i := range accounts {
			amount, err := decimal.NewFromString(amounts[i])
			if err != nil {
				return nil, fmt.Errorf("load report entries: amount %q: %w", amounts[i], err)
			}
			entry.postings = append(entry.postings, domain.Posting{AccountID: accounts[i], Currency: currencies[i], Amount: amount})
		}
		entries[id] = entry
	}
	return entries, rows.Err()
}

// totalsTable names a totals table and how its rows are keyed.
type totalsTable struct {
	name          string
	dayColumn     string // "day", or "month" for monthly totals
	withDimension bool
}

var (
	dailyTotalsTable      = totalsTable{"daily_totals", "day", false}
	dimensionMonthlyTable = totalsTable{"dimension_monthly_totals", "month", true}
	dimensionDailyTable   = totalsTable{"dimension_daily_totals", "day", true}
)

// writeReportTotals replaces the changed report entries and adds the sums to
// the totals. The upserts return the rows they brought to zero, which are
// then deleted, as a rebuild would not write them.
func writeReportTotals(ctx context.Context, tx pgx.Tx, tables Tables, userID uuid.UUID, changed, earlier []uuid.UUID,
	current map[uuid.UUID]reportEntry, sums *reportSums) error {
	batch := &pgx.Batch{}
	if len(earlier) > 0 {
		batch.Queue(`DELETE FROM `+tables.Name("report_entries")+` WHERE user_id = $1 AND transaction_id = ANY($2)`,
			userID, earlier)
	}
	var zeros []totalsZero
	for _, table := range []struct {
		table totalsTable
		sums  map[totalsKey]decimal.Decimal
	}{{dailyTotalsTable, sums.daily}, {dimensionMonthlyTable, sums.monthly}, {dimensionDailyTable, sums.byDay}} {
		queueTotals(batch, tables, table.table, userID, table.sums, &zeros)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("update report totals: %w", err)
	}
	if err := deleteZeroTotals(ctx, tx, tables, userID, zeros); err != nil {
		return err
	}
	var rows [][]any
	for _, id := range changed {
		if entry, ok := current[id]; ok {
			rows = append(rows, reportEntryValues(userID, id, entry))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{string(tables.schema), "report_entries"}, reportEntryColumns, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("write report entries: %w", err)
	}
	return nil
}

// totalsZero is a totals row that an upsert brought to zero.
type totalsZero struct {
	table totalsTable
	key   totalsKey
}

// deleteZeroTotals deletes the rows that came to zero, each by its key.
func deleteZeroTotals(ctx context.Context, tx pgx.Tx, tables Tables, userID uuid.UUID, zeros []totalsZero) error {
	if len(zeros) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, zero := range zeros {
		table, key := zero.table, zero.key
		if table.withDimension {
			batch.Queue(`DELETE FROM `+tables.Name(table.name)+` WHERE user_id = $1 AND dimension = $2 AND value = $3
				AND account_id = $4 AND currency = $5 AND `+table.dayColumn+` = $6 AND amount = 0`,
				userID, key.dimension, key.value, key.accountID, key.currency, key.day.Time())
			continue
		}
		batch.Queue(`DELETE FROM `+tables.Name(table.name)+` WHERE user_id = $1 AND account_id = $2 AND currency = $3
			AND `+table.dayColumn+` = $4 AND amount = 0`, userID, key.accountID, key.currency, key.day.Time())
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("delete zero report totals: %w", err)
	}
	return nil
}

// queueTotals adds sums to a totals table. The rows it brings to zero are
// appended to zeros once the batch has run.
func queueTotals(batch *pgx.Batch, tables Tables, table totalsTable, userID uuid.UUID, sums map[totalsKey]decimal.Decimal,
	zeros *[]totalsZero) {
	var dimensions, values, currencies, days, amounts []string
	var accounts []uuid.UUID
	for key, amount := range sums {
		if amount.IsZero() {
			continue
		}
		dimensions = append(dimensions, key.dimension)
		values = append(values, key.value)
		accounts = append(accounts, key.accountID)
		currencies = append(currencies, key.currency)
		days = append(days, key.day.String())
		amounts = append(amounts, amount.String())
	}
	if len(accounts) == 0 {
		return
	}
	name, day := tables.Name(table.name), table.dayColumn
	var queued *pgx.QueuedQuery
	if table.withDimension {
		queued = batch.Queue(`INSERT INTO `+name+` (user_id, dimension, value, account_id, currency, `+day+`, amount)
			SELECT $1, k, v, a, c, d::date, m::numeric
			FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[]) AS t(k, v, a, c, d, m)
			ON CONFLICT (user_id, dimension, value, account_id, currency, `+day+`)
			DO UPDATE SET amount = `+name+`.amount + EXCLUDED.amount
			RETURNING dimension, value, account_id, currency, `+day+`, amount = 0`,
			userID, dimensions, values, accounts, currencies, days, amounts)
	} else {
		queued = batch.Queue(`INSERT INTO `+name+` (user_id, account_id, currency, `+day+`, amount)
			SELECT $1, a, c, d::date, m::numeric FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS t(a, c, d, m)
			ON CONFLICT (user_id, account_id, currency, `+day+`)
			DO UPDATE SET amount = `+name+`.amount + EXCLUDED.amount
			RETURNING '', '', account_id, currency, `+day+`, amount = 0`,
			userID, accounts, currencies, days, amounts)
	}
	queued.Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var key totalsKey
			var day time.Time
			var zero bool
			if err := rows.Scan(&key.dimension, &key.value, &key.accountID, &key.currency, &day, &zero); err != nil {
				return err
			}
			if zero {
				key.day = domain.DateOf(day)
				*zeros = append(*zeros, totalsZero{table: table, key: key})
			}
		}
		return rows.Err()
	})
}
