package domain

import (
	"fmt"
	"sort"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// EnteredPrice is an exchange rate a user typed in: on Date, one unit of
// Commodity was worth Amount of Currency. Reports that convert amounts into
// the base currency use these beside the conversions recorded in postings.
type EnteredPrice struct {
	ID        uuid.UUID
	Date      Date
	Commodity string
	Amount    decimal.Decimal
	Currency  string
	// RecordedVersion is the stream version of the event that recorded it;
	// of two prices on the same date, the later recorded one wins.
	RecordedVersion int64
}

// PriceRecorded adds an exchange rate to the books.
type PriceRecorded struct {
	PriceID   uuid.UUID       `json:"price_id"`
	Date      Date            `json:"date"`
	Commodity string          `json:"commodity"`
	Amount    decimal.Decimal `json:"amount"`
	Currency  string          `json:"currency"`
}

// PriceRemoved takes an exchange rate out of the books.
type PriceRemoved struct {
	PriceID uuid.UUID `json:"price_id"`
}

func (PriceRecorded) EventType() string { return "PriceRecorded" }
func (PriceRemoved) EventType() string  { return "PriceRemoved" }

func init() {
	registerEvent[PriceRecorded](1)
	registerEvent[PriceRemoved](1)
}

// RecordPrice records that on Date one Commodity was worth Amount Currency.
type RecordPrice struct {
	Date      Date
	Commodity string
	Amount    decimal.Decimal
	Currency  string
}

// RemovePrice removes an entered exchange rate.
type RemovePrice struct {
	PriceID uuid.UUID
}

func (RecordPrice) commandName() string { return "RecordPrice" }
func (RemovePrice) commandName() string { return "RemovePrice" }

// priceList holds the entered prices of a user's books. Its zero value is
// an empty list.
type priceList struct {
	byID map[uuid.UUID]*EnteredPrice
}

// EnteredPrices returns the prices the user entered, by date, currencies and
// the order they were recorded in.
func (b *Books) EnteredPrices() []EnteredPrice {
	prices := make([]EnteredPrice, 0, len(b.prices.byID))
	for _, price := range b.prices.byID {
		prices = append(prices, *price)
	}
	sort.Slice(prices, func(i, j int) bool {
		a, c := prices[i], prices[j]
		if a.Date != c.Date {
			return a.Date.Before(c.Date)
		}
		if a.Commodity != c.Commodity {
			return a.Commodity < c.Commodity
		}
		if a.Currency != c.Currency {
			return a.Currency < c.Currency
		}
		return a.RecordedVersion < c.RecordedVersion
	})
	return prices
}

// EnteredPrice returns one entered price, or false.
func (b *Books) EnteredPrice(id uuid.UUID) (EnteredPrice, bool) {
	price, ok := b.prices.byID[id]
	if !ok {
		return EnteredPrice{}, false
	}
	return *price, true
}

func (c RecordPrice) decide(b *Books, newID func() uuid.UUID) ([]Event, error) {
	if c.Date.IsZero() {
		return nil, Invalid("date", "enter the date of the rate")
	}
	if err := b.checkUnlocked("date", c.Date); err != nil {
		return nil, err
	}
	commodity, err := NormalizeCurrency("commodity", c.Commodity)
	if err != nil {
		return nil, err
	}
	currency, err := NormalizeCurrency("currency", c.Currency)
	if err != nil {
		return nil, err
	}
	if commodity == currency {
		return nil, Invalid("currency", "a rate converts %s into another currency", commodity)
	}
	if err := CheckAmount("amount", c.Amount); err != nil {
		return nil, err
	}
	if !c.Amount.IsPositive() {
		return nil, Invalid("amount", "a rate must be more than zero")
	}
	return []Event{PriceRecorded{PriceID: newID(), Date: c.Date, Commodity: commodity,
		Amount: c.Amount, Currency: currency}}, nil
}

func (c RemovePrice) decide(b *Books, _ func() uuid.UUID) ([]Event, error) {
	price, ok := b.prices.byID[c.PriceID]
	if !ok {
		return nil, NotFound("there is no such rate")
	}
	if err := b.checkUnlocked("date", price.Date); err != nil {
		return nil, &Error{Code: CodeConflict, Field: "date",
			Message: fmt.Sprintf("this rate is dated %s, inside the locked period up to %s", price.Date, b.Settings.LockDate)}
	}
	return []Event{PriceRemoved(c)}, nil
}

func (e PriceRecorded) applyTo(b *Books) error {
	if b.prices.byID == nil {
		b.prices.byID = map[uuid.UUID]*EnteredPrice{}
	}
	if _, exists := b.prices.byID[e.PriceID]; exists {
		return fmt.Errorf("price %s recorded twice", e.PriceID)
	}
	if e.Commodity == e.Currency || !e.Amount.IsPositive() {
		return fmt.Errorf("price %s converts %s %s into %s", e.PriceID, e.Amount, e.Commodity, e.Currency)
	}
	b.prices.byID[e.PriceID] = &EnteredPrice{ID: e.PriceID, Date: e.Date, Commodity: e.Commodity,
		Amount: e.Amount, Currency: e.Currency, RecordedVersion: b.Version + 1}
	return nil
}

func (e PriceRemoved) applyTo(b *Books) error {
	if _, exists := b.prices.byID[e.PriceID]; !exists {
		return fmt.Errorf("removal of unknown price %s", e.PriceID)
	}
	delete(b.prices.byID, e.PriceID)
	return nil
}
