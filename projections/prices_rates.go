package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
)

// convertedDecimals is how many decimals a converted amount keeps.
const convertedDecimals = 2

// Rate is the exchange rate a report used to convert Currency into Base on
// AsOf: the latest price on or before that date, either of Currency in Base
// or, Inverted, of Base in Currency.
type Rate struct {
	Currency  string
	Base      string
	AsOf      domain.Date // the date the report valued at
	Date      domain.Date // the date of the price
	Price     decimal.Decimal
	Inverted  bool // Price is one Base in Currency, so one Currency is 1/Price Base
	Entered   bool // the user entered it; otherwise a posting converted at it
	Found     bool
	SourceID  uuid.UUID
	SourceRow int
}

// PerUnit returns what one unit of Currency is worth in Base, rounded to
// eight decimals for display when the rate is an inverse.
func (r Rate) PerUnit() decimal.Decimal {
	if r.Inverted {
		return decimal.NewFromInt(1).DivRound(r.Price, 8)
	}
	return r.Price
}

// Convert returns amount in Base, rounded to cents.
func (r Rate) Convert(amount decimal.Decimal) decimal.Decimal {
	if r.Inverted {
		return amount.DivRound(r.Price, convertedDecimals)
	}
	return amount.Mul(r.Price).Round(convertedDecimals)
}

// Conversion says how a report converted into Base: the rates it used and
// the ones it could not find. Amounts in a currency without a rate stay in
// that currency, and the report shows them apart from the converted totals.
type Conversion struct {
	Base    string
	Used    []Rate
	Missing []Rate
}

// Complete reports whether every amount could be converted.
func (c *Conversion) Complete() bool { return c == nil || len(c.Missing) == 0 }

type rateKey struct {
	currency string
	date     domain.Date
}

// converter converts amounts into a base currency with rates loaded up front.
type converter struct {
	base  string
	rates map[rateKey]Rate
	used  map[rateKey]bool
}

// newConverter loads the rate of every currency other than base on every
// date of needs, in one query.
func newConverter(ctx context.Context, q eventstore.Querier, userID uuid.UUID, base string, needs []rateKey) (*converter, error) {
	c := &converter{base: base, rates: map[rateKey]Rate{}, used: map[rateKey]bool{}}
	var currencies []string
	var dates []domain.Date
	for _, need := range needs {
		if need.currency == base {
			continue
		}
		if !slices.Contains(currencies, need.currency) {
			currencies = append(currencies, need.currency)
		}
		if !slices.Contains(dates, need.date) {
			dates = append(dates, need.date)
		}
	}
	if len(currencies) == 0 {
		return c, nil
	}
	rates, err := LatestRates(ctx, q, userID, base, currencies, dates)
	if err != nil {
		return nil, err
	}
	for _, rate := range rates {
		c.rates[rateKey{rate.Currency, rate.AsOf}] = rate
	}
	return c, nil
}

// convert returns amount in the base currency and true, or amount unchanged
// and false when no rate is known on or before date. Zero needs no rate.
func (c *converter) convert(currency string, date domain.Date, amount decimal.Decimal) (string, decimal.Decimal, bool) {
	if currency == c.base || amount.IsZero() {
		return c.base, amount, true
	}
	key := rateKey{currency, date}
	c.used[key] = true
	rate, ok := c.rates[key]
	if !ok || !rate.Found {
		return currency, amount, false
	}
	return c.base, rate.Convert(amount), true
}

// conversion describes the rates convert was asked for.
func (c *converter) conversion() *Conversion {
	conversion := &Conversion{Base: c.base}
	for key := range c.used {
		rate, ok := c.rates[key]
		if !ok {
			rate = Rate{Currency: key.currency, Base: c.base, AsOf: key.date}
		}
		if rate.Found {
			conversion.Used = append(conversion.Used, rate)
		} else {
			conversion.Missing = append(conversion.Missing, rate)
		}
	}
	byCurrencyAndDate := func(a, b Rate) int {
		if c := strings.Compare(a.Currency, b.Currency); c != 0 {
			return c
		}
		return a.AsOf.Time().Compare(b.AsOf.Time())
	}
	slices.SortFunc(conversion.Used, byCurrencyAndDate)
	slices.SortFunc(conversion.Missing, byCurrencyAndDate)
	return conversion
}

// LatestRates returns, for every currency and date asked, the latest price
// on or before the date that converts the currency into base, directly or
// as the inverse of a price of base in the currency. Of prices on the same
// date, the one recorded last wins. A pair without any price comes back
// with Found false.
func LatestRates(ctx context.Context, q eventstore.Querier, userID uuid.UUID, base string, currencies []string,
	dates []domain.Date) ([]Rate, error) {
	days := make([]string, len(dates))
	for i, date := range dates {
		days[i] = date.String()
	}
	rows, err := q.Query(ctx, `SELECT c.currency, d.day, p.date, p.rate, p.inverted, p.entered, p.source_id, p.line
		FROM unnest($2::text[]) AS c(currency) CROSS JOIN unnest($3::date[]) AS d(day)
		LEFT JOIN LATERAL (
			SELECT * FROM (
				(SELECT date, rate, false AS inverted, entered, recorded_version, source_id, line FROM prices
				 WHERE user_id = $1 AND commodity = c.currency AND currency = $4 AND date <= d.day
				 ORDER BY date DESC, recorded_version DESC, line DESC LIMIT 1)
				UNION ALL
				(SELECT date, rate, true, entered, recorded_version, source_id, line FROM prices
				 WHERE user_id = $1 AND commodity = $4 AND currency = c.currency AND date <= d.day
				 ORDER BY date DESC, recorded_version DESC, line DESC LIMIT 1)
			) candidates ORDER BY date DESC, recorded_version DESC, inverted LIMIT 1
		) p ON true`, userID, currencies, days, base)
	if err != nil {
		return nil, fmt.Errorf("read rates: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Rate, error) {
		rate := Rate{Base: base}
		var asOf pgDate
		var date *pgDate
		var price decimal.NullDecimal
		var inverted, entered *bool
		var sourceID *uuid.UUID
		var line *int
		if err := row.Scan(&rate.Currency, &asOf, &date, &price, &inverted, &entered, &sourceID, &line); err != nil {
			return rate, err
		}
		rate.AsOf = asOf.Date
		if date == nil {
			return rate, nil
		}
		rate.Found, rate.Date, rate.Price = true, date.Date, price.Decimal
		rate.Inverted, rate.Entered, rate.SourceID, rate.SourceRow = *inverted, *entered, *sourceID, *line
		return rate, nil
	})
}
