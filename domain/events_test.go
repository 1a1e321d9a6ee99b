package domain_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"folio/domain"
)

func TestEventsRoundTripByteForByte(t *testing.T) {
	f := newFixture(t)
	entry := f.spend("2026-01-10", "12.50")
	entry.Tags = []string{"food"}
	entry.Postings[0].Price = &domain.Price{Amount: amount("1.0800"), Currency: "USD"}
	events := []domain.Event{
		domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1},
		domain.AccountOpened{AccountID: uuid.New(), Name: "Bank", Type: domain.Asset, Currency: "EUR"},
		domain.TransactionRecorded{TransactionID: uuid.New(), Entry: entry},
		domain.TransactionVoided{TransactionID: uuid.New(), Reason: "typo"},
		domain.LockDateSet{LockDate: domain.MustDate("2026-01-31")},
		domain.LockDateSet{},
	}
	for _, event := range events {
		eventType, schemaVersion, payload, err := domain.EncodeEvent(event)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := domain.DecodeEvent(eventType, schemaVersion, payload)
		if err != nil {
			t.Fatalf("decode %s: %v", eventType, err)
		}
		_, _, again, _ := domain.EncodeEvent(decoded)
		if !bytes.Equal(payload, again) {
			t.Errorf("%s re-encodes differently:\n%s\n%s", eventType, payload, again)
		}
		if reflect.TypeOf(decoded) != reflect.TypeOf(event) {
			t.Errorf("got %T, want %T", decoded, event)
		}
	}
}

func TestDecodeRejectsUnknownAndFutureEvents(t *testing.T) {
	if _, err := domain.DecodeEvent("Nonsense", 1, []byte(`{}`)); err == nil {
		t.Error("decoded an unknown type")
	}
	if _, err := domain.DecodeEvent("BooksOpened", 99, []byte(`{}`)); err == nil {
		t.Error("decoded a schema version from the future")
	}
}
