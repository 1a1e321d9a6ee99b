package projections

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/domain"
	"folio/eventstore"
)

// Journal returns one page of the user's transactions, newest first,
// filtered and paginated in SQL with a keyset cursor, so that a page costs
// the same on the first page and the thousandth.
func Journal(ctx context.Context, q eventstore.Querier, userID uuid.UUID, filter JournalFilter) (JournalPage, error) {
	limit := ClampLimit(filter.Limit)
	where, args := journalConditions(userID, filter)
	args = append(args, limit+1)
	rows, err := q.Query(ctx, `SELECT j.transaction_id, j.date, j.description, j.payee, j.tags, j.revision, j.voided,
		j.recorded_version, j.changed_version FROM journal j WHERE `+strings.Join(where, " AND ")+`
		ORDER BY j.date DESC, j.recorded_version DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return JournalPage{}, fmt.Errorf("read journal: %w", err)
	}
	journal, err := pgx.CollectRows(rows, scanJournalRow)
	if err != nil {
		return JournalPage{}, fmt.Errorf("read journal: %w", err)
	}
	var page JournalPage
	if len(journal) > limit {
		journal = journal[:limit]
		last := journal[limit-1]
		page.Next = &JournalCursor{Date: last.Date, RecordedVersion: last.RecordedVersion}
	}
	page.Entries, err = withPostings(ctx, q, userID, journal)
	return page, err
}

func journalConditions(userID uuid.UUID, filter JournalFilter) ([]string, []any) {
	where := []string{"j.user_id = $1"}
	args := []any{userID}
	add := func(condition string, value any) {
		args = append(args, value)
		where = append(where, strings.ReplaceAll(condition, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if !filter.IncludeVoided {
		where = append(where, "NOT j.voided")
	}
	if text := strings.TrimSpace(filter.Text); text != "" {
		add(`(j.description ILIKE $? ESCAPE '\' OR j.payee ILIKE $? ESCAPE '\')`, "%"+escapeLike(text)+"%")
	}
	if filter.AccountID != uuid.Nil {
		add(`EXISTS (SELECT 1 FROM journal_postings p WHERE p.user_id = j.user_id
			AND p.transaction_id = j.transaction_id AND p.account_id = $?)`, filter.AccountID)
	}
	if !filter.From.IsZero() {
		add("j.date >= $?", filter.From.Time())
	}
	if !filter.To.IsZero() {
		add("j.date <= $?", filter.To.Time())
	}
	if filter.Amount != nil {
		add(`EXISTS (SELECT 1 FROM journal_postings p WHERE p.user_id = j.user_id
			AND p.transaction_id = j.transaction_id AND abs(p.amount) = abs($?::numeric))`, filter.Amount.String())
	}
	if filter.After != nil {
		args = append(args, filter.After.Date.Time(), filter.After.RecordedVersion)
		where = append(where, fmt.Sprintf("(j.date, j.recorded_version) < ($%d, $%d)", len(args)-1, len(args)))
	}
	return where, args
}

// escapeLike makes user text match literally inside a LIKE pattern.
func escapeLike(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// withPostings loads the postings of the given transactions in one query.
func withPostings(ctx context.Context, q eventstore.Querier, userID uuid.UUID, journal []JournalRow) ([]JournalEntry, error) {
	entries := make([]JournalEntry, len(journal))
	index := make(map[uuid.UUID]int, len(journal))
	ids := make([]uuid.UUID, len(journal))
	for i, row := range journal {
		entries[i].JournalRow = row
		index[row.TransactionID] = i
		ids[i] = row.TransactionID
	}
	if len(ids) == 0 {
		return entries, nil
	}
	names, err := accountNames(ctx, q, userID)
	if err != nil {
		return nil, err
	}
	// Postings are read by their primary key alone, and account names come
	// from the small accounts table separately: joined, the planner may
	// drive the query through an account's postings when its statistics are
	// stale (right after a rebuild), reading thousands of rows for fifty.
	rows, err := q.Query(ctx, `SELECT p.transaction_id, p.line, p.account_id, p.amount, p.currency, p.price_amount,
		p.price_currency, p.date, p.recorded_version, p.voided
		FROM journal_postings p
		WHERE p.user_id = $1 AND p.transaction_id = ANY($2) ORDER BY p.transaction_id, p.line`, userID, ids)
	if err != nil {
		return nil, fmt.Errorf("read postings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var posting JournalPosting
		var priceAmount, priceCurrency *string
		var date pgDate
		err := rows.Scan(&posting.TransactionID, &posting.Line, &posting.AccountID, &posting.Amount, &posting.Currency,
			&priceAmount, &priceCurrency, &date, &posting.RecordedVersion, &posting.Voided)
		if err != nil {
			return nil, fmt.Errorf("read postings: %w", err)
		}
		account := names[posting.AccountID]
		posting.AccountName, posting.AccountType = account.Name, account.Type
		posting.Date = date.Date
		if priceAmount != nil && priceCurrency != nil {
			amount, err := domain.ParseAmount("price", *priceAmount)
			if err != nil {
				return nil, fmt.Errorf("read postings: price %q: %w", *priceAmount, err)
			}
			posting.Price = &domain.Price{Amount: amount, Currency: *priceCurrency}
		}
		entry := &entries[index[posting.TransactionID]]
		entry.Postings = append(entry.Postings, posting)
	}
	return entries, rows.Err()
}

// accountNames maps the user's account ids to their names and types.
func accountNames(ctx context.Context, q eventstore.Querier, userID uuid.UUID) (map[uuid.UUID]AccountRow, error) {
	rows, err := q.Query(ctx, `SELECT account_id, name, type FROM accounts WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("read account names: %w", err)
	}
	accounts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AccountRow, error) {
		var a AccountRow
		return a, row.Scan(&a.AccountID, &a.Name, &a.Type)
	})
	if err != nil {
		return nil, fmt.Errorf("read account names: %w", err)
	}
	names := make(map[uuid.UUID]AccountRow, len(accounts))
	for _, account := range accounts {
		names[account.AccountID] = account
	}
	return names, nil
}

// Transaction returns one of the user's transactions, voided or not.
// Another user's transaction is not found, exactly like a made-up id.
func Transaction(ctx context.Context, q eventstore.Querier, userID, txnID uuid.UUID) (JournalEntry, error) {
	rows, err := q.Query(ctx, `SELECT transaction_id, date, description, payee, tags, revision, voided,
		recorded_version, changed_version FROM journal WHERE user_id = $1 AND transaction_id = $2`, userID, txnID)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("read transaction: %w", err)
	}
	journal, err := pgx.CollectRows(rows, scanJournalRow)
	if err != nil {
		return JournalEntry{}, fmt.Errorf("read transaction: %w", err)
	}
	if len(journal) == 0 {
		return JournalEntry{}, domain.NotFound("there is no such transaction")
	}
	entries, err := withPostings(ctx, q, userID, journal)
	if err != nil {
		return JournalEntry{}, err
	}
	return entries[0], nil
}
