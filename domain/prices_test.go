package domain_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"folio/domain"
)

func TestRecordPriceAndRemoveIt(t *testing.T) {
	f := newFixture(t)
	events := run(t, f.books, f.newID, domain.RecordPrice{Date: domain.MustDate("2026-02-01"),
		Commodity: "usd", Amount: amount("0.92"), Currency: "eur"})
	recorded := events[0].(domain.PriceRecorded)
	if recorded.Commodity != "USD" || recorded.Currency != "EUR" {
		t.Fatalf("got %s→%s, want USD→EUR", recorded.Commodity, recorded.Currency)
	}
	run(t, f.books, f.newID, domain.RecordPrice{Date: domain.MustDate("2026-01-01"),
		Commodity: "CHF", Amount: amount("1.05"), Currency: "EUR"})

	prices := f.books.EnteredPrices()
	if len(prices) != 2 || prices[0].Commodity != "CHF" || prices[1].ID != recorded.PriceID {
		t.Fatalf("got %+v, want CHF first (earlier date), then USD", prices)
	}
	if prices[1].RecordedVersion != f.books.Version-1 {
		t.Errorf("recorded version: got %d, want %d", prices[1].RecordedVersion, f.books.Version-1)
	}

	run(t, f.books, f.newID, domain.RemovePrice{PriceID: recorded.PriceID})
	if _, ok := f.books.EnteredPrice(recorded.PriceID); ok {
		t.Fatal("removed price is still there")
	}
}

func TestRecordPriceRejectsWithReadableReasons(t *testing.T) {
	f := newFixture(t)
	run(t, f.books, f.newID, domain.SetLockDate{LockDate: domain.MustDate("2025-12-31")})
	valid := domain.RecordPrice{Date: domain.MustDate("2026-02-01"), Commodity: "USD",
		Amount: amount("0.92"), Currency: "EUR"}
	with := func(change func(*domain.RecordPrice)) domain.RecordPrice {
		cmd := valid
		change(&cmd)
		return cmd
	}
	tests := []struct {
		name    string
		cmd     domain.Command
		code    domain.Code
		message string
	}{
		{"no date", with(func(c *domain.RecordPrice) { c.Date = domain.Date{} }), domain.CodeInvalid, "enter the date"},
		{"locked date", with(func(c *domain.RecordPrice) { c.Date = domain.MustDate("2025-06-01") }),
			domain.CodeInvalid, "locked"},
		{"same currency", with(func(c *domain.RecordPrice) { c.Currency = "usd" }), domain.CodeInvalid,
			"into another currency"},
		{"bad currency", with(func(c *domain.RecordPrice) { c.Commodity = "dollars" }), domain.CodeInvalid,
			"not a currency code"},
		{"zero rate", with(func(c *domain.RecordPrice) { c.Amount = amount("0") }), domain.CodeInvalid,
			"more than zero"},
		{"too precise", with(func(c *domain.RecordPrice) { c.Amount = amount("0.123456789") }),
			domain.CodeInvalid, "more than 8 decimals"},
		{"remove unknown", domain.RemovePrice{PriceID: uuid.New()}, domain.CodeNotFound, "no such rate"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := domain.Decide(f.books, test.cmd, f.newID)
			if domain.ErrorCode(err) != test.code || err == nil || !strings.Contains(err.Error(), test.message) {
				t.Fatalf("got %v, want %s containing %q", err, test.code, test.message)
			}
		})
	}
}

func TestPriceEventsRoundTrip(t *testing.T) {
	event := domain.PriceRecorded{PriceID: uuid.New(), Date: domain.MustDate("2026-02-01"),
		Commodity: "USD", Amount: amount("0.9215"), Currency: "EUR"}
	eventType, version, payload, err := domain.EncodeEvent(event)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := domain.DecodeEvent(eventType, version, payload)
	if err != nil {
		t.Fatal(err)
	}
	got := decoded.(domain.PriceRecorded)
	if got.PriceID != event.PriceID || got.Date != event.Date || !got.Amount.Equal(event.Amount) {
		t.Fatalf("got %+v, want %+v", got, event)
	}
}
