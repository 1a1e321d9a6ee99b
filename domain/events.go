package domain

import (
	"encoding/json"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/google/uuid"
)

// Event is a fact about a user's books, in the past tense. Events are never
// changed once stored; a correction is a new event.
type Event interface {
	EventType() string
}

// BooksOpened starts a user's books.
type BooksOpened struct {
	BaseCurrency         string `json:"base_currency"`
	FiscalYearStartMonth int    `json:"fiscal_year_start_month"`
}

// AccountOpened adds an account to the chart of accounts.
type AccountOpened struct {
	AccountID uuid.UUID   `json:"account_id"`
	Name      string      `json:"name"`
	Type      AccountType `json:"type"`
	Currency  string      `json:"currency,omitempty"`
}

// AccountRenamed gives an account a new name.
type AccountRenamed struct {
	AccountID uuid.UUID `json:"account_id"`
	Name      string    `json:"name"`
}

// AccountClosed stops an account from taking new postings.
type AccountClosed struct {
	AccountID uuid.UUID `json:"account_id"`
}

// AccountReopened lets a closed account take postings again.
type AccountReopened struct {
	AccountID uuid.UUID `json:"account_id"`
}

// TransactionRecorded adds a transaction to the books.
type TransactionRecorded struct {
	TransactionID uuid.UUID `json:"transaction_id"`
	Entry
}

// TransactionAmended replaces the whole content of a transaction, date
// included. The previous version stays in the event history.
type TransactionAmended struct {
	TransactionID uuid.UUID `json:"transaction_id"`
	Entry
}

// TransactionVoided takes a transaction out of the books at every date.
type TransactionVoided struct {
	TransactionID uuid.UUID `json:"transaction_id"`
	Reason        string    `json:"reason,omitempty"`
}

// SettingsChanged records new book settings.
type SettingsChanged struct {
	BaseCurrency         string `json:"base_currency"`
	FiscalYearStartMonth int    `json:"fiscal_year_start_month"`
}

// LockDateSet closes every date on or before LockDate to changes. A zero
// LockDate opens all dates again.
type LockDateSet struct {
	LockDate Date `json:"lock_date"`
}

func (BooksOpened) EventType() string         { return "BooksOpened" }
func (AccountOpened) EventType() string       { return "AccountOpened" }
func (AccountRenamed) EventType() string      { return "AccountRenamed" }
func (AccountClosed) EventType() string       { return "AccountClosed" }
func (AccountReopened) EventType() string     { return "AccountReopened" }
func (TransactionRecorded) EventType() string { return "TransactionRecorded" }
func (TransactionAmended) EventType() string  { return "TransactionAmended" }
func (TransactionVoided) EventType() string   { return "TransactionVoided" }
func (SettingsChanged) EventType() string     { return "SettingsChanged" }
func (LockDateSet) EventType() string         { return "LockDateSet" }

// An eventKind knows how to decode one event type, including payloads written
// under older schema versions.
type eventKind struct {
	schemaVersion int
	decode        func([]byte) (Event, error)
	// upgrades[v] turns a payload of schema version v into version v+1.
	upgrades map[int]func([]byte) ([]byte, error)
}

var eventKinds = map[string]*eventKind{}

func init() {
	registerEvent[BooksOpened](1)
	registerEvent[AccountOpened](1)
	registerEvent[AccountRenamed](1)
	registerEvent[AccountClosed](1)
	registerEvent[AccountReopened](1)
	registerEvent[TransactionRecorded](1)
	registerEvent[TransactionAmended](1)
	registerEvent[TransactionVoided](1)
	registerEvent[SettingsChanged](1)
	registerEvent[LockDateSet](1)
}

// registerEvent makes event type T decodable at the given current schema version.
func registerEvent[T Event](schemaVersion int) *eventKind {
	var zero T
	kind := &eventKind{
		schemaVersion: schemaVersion,
		upgrades:      map[int]func([]byte) ([]byte, error){},
		decode: func(data []byte) (Event, error) {
			var event T
			// Every fold decodes every event, so decoding uses the faster
			// json v2 implementation. Payloads are hashed as stored and never
			// re-encoded, so the two encoders need not agree byte for byte.
			if err := jsonv2.Unmarshal(data, &event); err != nil {
				return nil, err
			}
			return event, nil
		},
	}
	eventKinds[zero.EventType()] = kind
	return kind
}

// EncodeEvent returns the event's type, current schema version and payload.
// The payload is what gets stored and hashed, byte for byte.
func EncodeEvent(event Event) (eventType string, schemaVersion int, payload []byte, err error) {
	eventType = event.EventType()
	kind, ok := eventKinds[eventType]
	if !ok {
		return "", 0, nil, fmt.Errorf("encode event: unknown type %q", eventType)
	}
	payload, err = json.Marshal(event)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %s: %w", eventType, err)
	}
	return eventType, kind.schemaVersion, payload, nil
}

// DecodeEvent turns a stored payload back into an event, first upgrading a
// payload written under an older schema version step by step.
func DecodeEvent(eventType string, schemaVersion int, payload []byte) (Event, error) {
	kind, ok := eventKinds[eventType]
	if !ok {
		return nil, fmt.Errorf("decode event: unknown type %q", eventType)
	}
	if schemaVersion > kind.schemaVersion {
		return nil, fmt.Errorf("decode %s: schema version %d is newer than this program's %d",
			eventType, schemaVersion, kind.schemaVersion)
	}
	for version := schemaVersion; version < kind.schemaVersion; version++ {
		upgrade, ok := kind.upgrades[version]
		if !ok {
			return nil, fmt.Errorf("decode %s: no upgrade from schema version %d", eventType, version)
		}
		var err error
		if payload, err = upgrade(payload); err != nil {
			return nil, fmt.Errorf("decode %s: upgrade from schema version %d: %w", eventType, version, err)
		}
	}
	event, err := kind.decode(payload)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return event, nil
}
