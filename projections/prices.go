package projections

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtypes"
)

// pricesProjection keeps every exchange rate the books know: the price of
// each converting posting of a counted transaction, and each entered rate.
var pricesProjection = Extension{
	Projection: Projection{Name: "prices", Version: 1, Tables: []string{"prices"}},
	Columns:    map[string][]string{"prices": priceColumns},
	Apply:      applyPrices,
	Rows:       priceRows,
}

var priceColumns = []string{"user_id", "source_id", "line", "date", "commodity", "currency", "rate",
	"entered", "recorded_version"}

func init() { RegisterExtension(pricesProjection) }

// PriceRow is one exchange rate: on Date one Commodity was worth Rate Currency.
type PriceRow struct {
	SourceID        uuid.UUID // the converting transaction, or the entered price
	Line            int       // the posting's line; 0 for an entered price
	Date            domain.Date
	Commodity       string
	Currency        string
	Rate            decimal.Decimal
	Entered         bool
	RecordedVersion int64
}

func (p PriceRow) values(userID uuid.UUID) []any {
	return []any{pgUUID(userID), pgUUID(p.SourceID), p.Line, p.Date.Time(), p.Commodity, p.Currency,
		numeric(p.Rate), p.Entered, p.RecordedVersion}
}

// conversionPrices returns the prices of an entry's converting postings.
func conversionPrices(transactionID uuid.UUID, entry domain.Entry, version int64) []PriceRow {
	var prices []PriceRow
	for i, posting := range entry.Postings {
		if posting.Price == nil {
			continue
		}
		prices = append(prices, PriceRow{SourceID: transactionID, Line: i + 1, Date: entry.Date,
			Commodity: posting.Currency, Currency: posting.Price.Currency, Rate: posting.Price.Amount,
			RecordedVersion: version})
	}
	return prices
}

func enteredPrice(price domain.EnteredPrice) PriceRow {
	return PriceRow{SourceID: price.ID, Date: price.Date, Commodity: price.Commodity, Currency: price.Currency,
		Rate: price.Amount, Entered: true, RecordedVersion: price.RecordedVersion}
}

func priceRows(userID uuid.UUID, books *domain.Books) map[string][][]any {
	var rows [][]any
	for _, txn := range books.Transactions() {
		if txn.Voided {
			continue
		}
		for _, price := range conversionPrices(txn.ID, txn.Entry, txn.ChangedVersion) {
			rows = append(rows, price.values(userID))
		}
	}
	for _, price := range books.EnteredPrices() {
		rows = append(rows, enteredPrice(price).values(userID))
	}
	return map[string][][]any{"prices": rows}
}

// applyPrices replaces the rows of every source the events touch: a
// transaction recorded, amended or voided, a rate entered or removed.
func applyPrices(ctx context.Context, tx pgx.Tx, tables Tables, events []eventstore.RecordedEvent) error {
	current := map[uuid.UUID][]PriceRow{}
	var touched []uuid.UUID
	touch := func(id uuid.UUID, rows []PriceRow) {
		if _, seen := current[id]; !seen {
			touched = append(touched, id)
		}
		current[id] = rows
	}
	for _, e := range events {
		switch event := e.Event.(type) {
		case domain.TransactionRecorded:
			touch(event.TransactionID, conversionPrices(event.TransactionID, event.Entry, e.Version))
		case domain.TransactionAmended:
			touch(event.TransactionID, conversionPrices(event.TransactionID, event.Entry, e.Version))
		case domain.TransactionVoided:
			touch(event.TransactionID, nil)
		case domain.PriceRecorded:
			touch(event.PriceID, []PriceRow{enteredPrice(domain.EnteredPrice{ID: event.PriceID, Date: event.Date,
				Commodity: event.Commodity, Amount: event.Amount, Currency: event.Currency, RecordedVersion: e.Version})})
		case domain.PriceRemoved:
			touch(event.PriceID, nil)
		}
	}
	if len(touched) == 0 {
		return nil
	}
	userID := events[0].UserID
	_, err := tx.Exec(ctx, `DELETE FROM `+tables.Name("prices")+` WHERE user_id = $1 AND source_id = ANY($2)`,
		userID, touched)
	if err != nil {
		return fmt.Errorf("update prices: %w", err)
	}
	var rows [][]any
	for _, id := range touched {
		for _, price := range current[id] {
			rows = append(rows, price.values(userID))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := pgtypes.CopyFrom(ctx, tx.Conn(), pgx.Identifier{string(tables.schema), "prices"}, priceColumns, rows); err != nil {
		return fmt.Errorf("write prices: %w", err)
	}
	return nil
}

// Prices lists the exchange rates of the user's books, newest first, at
// most limit of them.
func Prices(ctx context.Context, q eventstore.Querier, userID uuid.UUID, limit int) ([]PriceRow, error) {
	rows, err := q.Query(ctx, `SELECT source_id, line, date, commodity, currency, rate, entered, recorded_version
		FROM prices WHERE user_id = $1 ORDER BY date DESC, recorded_version DESC, line LIMIT $2`, userID, ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read prices: %w", err)
	}
	return pgx.CollectRows(rows, scanPriceRow)
}

func scanPriceRow(row pgx.CollectableRow) (PriceRow, error) {
	var p PriceRow
	var date pgDate
	err := row.Scan(&p.SourceID, &p.Line, &date, &p.Commodity, &p.Currency, &p.Rate, &p.Entered, &p.RecordedVersion)
	p.Date = date.Date
	return p, err
}
