package web_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// apiEvent is an event as GET /api/v1/events shows it.
type apiEvent struct {
	Version       int64           `json:"version"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	RecordedAt    string          `json:"recorded_at"`
	ActorID       string          `json:"actor_id"`
	CommandID     string          `json:"command_id"`
	RequestID     string          `json:"request_id"`
	Data          json.RawMessage `json:"data"`
	Hash          string          `json:"hash"`
}

type apiEventsPage struct {
	Events    []apiEvent `json:"events"`
	NextAfter int64      `json:"next_after"`
}

func (u *apiUser) eventsPage(query string) apiEventsPage {
	u.t.Helper()
	got := u.call(http.MethodGet, "/api/v1/events?"+query, nil)
	wantStatus(u.t, got, http.StatusOK)
	var page apiEventsPage
	decode(u.t, got, &page)
	var fields map[string]json.RawMessage
	decode(u.t, got, &fields)
	if len(fields) != 2 {
		u.t.Errorf("events page fields: got %s, want events and next_after", got.body)
	}
	return page
}

func TestAPIEvents(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")
	commandID := "7d3c9a1e-2b4f-4e6a-8c0d-1f2e3a4b5c6d"
	recorded := ada.call(http.MethodPost, "/api/v1/transactions", map[string]any{
		"date": "2026-01-31", "description": "<Market> & co", "command_id": commandID,
		"postings": []map[string]any{
			{"account": "Groceries", "amount": "12.50", "currency": "EUR"},
			{"account": "Checking", "amount": "-12.50", "currency": "EUR"}}})
	wantStatus(t, recorded, http.StatusCreated)
	bob.record("2026-01-31", "Bob's shop", "3")
	total := ada.events()

	all := ada.eventsPage("")

	if len(all.Events) != total || all.NextAfter != int64(total) {
		t.Fatalf("got %d events up to %d, want %d", len(all.Events), all.NextAfter, total)
	}
	adaID := ts.userID("ada@example.org").String()
	for i, event := range all.Events {
		var payload []byte
		var hash []byte
		var recordedAt time.Time
		err := ts.pool.QueryRow(context.Background(), `SELECT payload, hash, recorded_at
			FROM events WHERE user_id = $1 AND version = $2`, adaID, event.Version).
			Scan(&payload, &hash, &recordedAt)
		if err != nil {
			t.Fatalf("select event %d: %v", event.Version, err)
		}
		when, err := time.Parse(time.RFC3339, event.RecordedAt)
		switch {
		case event.Version != int64(i+1):
			t.Errorf("event %d has version %d", i, event.Version)
		case !bytes.Equal(event.Data, payload):
			t.Errorf("event %d data: got %s, want the stored %s", i, event.Data, payload)
		case event.Hash != hex.EncodeToString(hash) || len(event.Hash) != 64:
			t.Errorf("event %d hash: got %q, want %x", i, event.Hash, hash)
		case err != nil || !when.Equal(recordedAt):
			t.Errorf("event %d recorded_at: got %q, want %v", i, event.RecordedAt, recordedAt)
		case event.ActorID != adaID || event.SchemaVersion != 1:
			t.Errorf("event %d: actor %s, schema version %d", i, event.ActorID, event.SchemaVersion)
		}
	}
	if all.Events[0].Type != "BooksOpened" || all.Events[1].Type != "AccountOpened" {
		t.Errorf("first events: got %s, %s", all.Events[0].Type, all.Events[1].Type)
	}
	last := all.Events[total-1]
	if last.Type != "TransactionRecorded" || last.CommandID != commandID ||
		last.RequestID != recorded.header.Get("X-Request-ID") {
		t.Errorf("last event: got %+v, want the transaction recorded by command %s in request %s",
			last, commandID, recorded.header.Get("X-Request-ID"))
	}
	if strings.Contains(string(all.Data()), "Bob") {
		t.Error("ada's events show bob's")
	}
	if n := len(bob.eventsPage("").Events); n != bob.events() {
		t.Errorf("bob's events: got %d, want his own %d", n, bob.events())
	}

	// Pages of five, from after=0 to the end and past it.
	var versions []int64
	after := int64(0)
	for pages := 0; pages <= total/5+1; pages++ {
		page := ada.eventsPage("limit=5&after=" + strconv.FormatInt(after, 10))
		for _, event := range page.Events {
			versions = append(versions, event.Version)
		}
		if len(page.Events) > 5 {
			t.Fatalf("a page of %d events, want at most 5", len(page.Events))
		}
		if len(page.Events) == 0 && page.NextAfter != after {
			t.Errorf("next_after of an empty page: got %d, want %d", page.NextAfter, after)
		}
		after = page.NextAfter
	}
	var want []int64
	for version := int64(1); version <= int64(total); version++ {
		want = append(want, version)
	}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("paged versions (-want +got):\n%s", diff)
	}
	if page := ada.eventsPage("after=" + strconv.Itoa(total)); len(page.Events) != 0 {
		t.Errorf("events after the last: got %d", len(page.Events))
	}
}

func (p apiEventsPage) Data() []byte {
	var all []byte
	for _, event := range p.Events {
		all = append(all, event.Data...)
	}
	return all
}

func TestAPIEventsLimits(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	for i := 0; i < 90; i++ {
		ada.object(http.MethodPost, "/api/v1/accounts", map[string]any{
			"name": "Account " + strconv.Itoa(i), "type": "expense"}, http.StatusCreated)
	}

	if n := len(ada.eventsPage("").Events); n != 100 {
		t.Errorf("default page: got %d events, want 100", n)
	}
	if n := len(ada.eventsPage("limit=1000").Events); n != ada.events() {
		t.Errorf("page of 1000: got %d events, want all %d", n, ada.events())
	}
	for _, query := range []string{"limit=0", "limit=1001", "limit=x", "after=-1", "after=1.5",
		"after=99999999999999999999"} {
		got := ada.call(http.MethodGet, "/api/v1/events?"+query, nil)
		wantAPIError(t, got, http.StatusBadRequest, "bad_request")
	}
}
