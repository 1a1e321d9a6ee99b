package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// entryBody is a balanced transaction body whose second posting goes to account.
func entryBody(account string) map[string]any {
	return map[string]any{"date": "2026-01-31", "description": "Probe",
		"postings": []map[string]any{
			{"account": "Groceries", "amount": "5.00", "currency": "EUR"},
			{"account": account, "amount": "-5.00", "currency": "EUR"}}}
}

func TestAPIBookkeepingIsolation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")
	adaTransaction := ada.record("2026-01-31", "Ada's market", "12.50")
	ada.object(http.MethodPost, "/api/v1/accounts",
		map[string]any{"name": "Ada Broker", "type": "asset", "currency": "EUR"},
		http.StatusCreated)
	adaBroker := ada.accountID("Ada Broker")
	bobTransaction := bob.record("2026-01-31", "Bob's market", "3.00")

	snapshot := func() string {
		return ada.call(http.MethodGet, "/api/v1/transactions/"+adaTransaction, nil).body +
			ada.call(http.MethodGet, "/api/v1/accounts", nil).body
	}
	adaBefore, adaEvents, bobEvents := snapshot(), ada.events(), bob.events()

	// Every endpoint that takes a transaction id: ada's id answers bob exactly like a
	// made-up one and a malformed one.
	endpoints := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/transactions/%s", nil},
		{http.MethodPut, "/api/v1/transactions/%s", entryBody("Checking")},
		{http.MethodPut, "/api/v1/transactions/%s", `{"postings":[]}`},
		{http.MethodPost, "/api/v1/transactions/%s/void", `{"reason":"mine now"}`},
		{http.MethodPost, "/api/v1/transactions/%s/void", nil},
	}
	for _, endpoint := range endpoints {
		name := endpoint.method + " " + endpoint.path
		call := func(id string) response {
			return bob.call(endpoint.method, strings.Replace(endpoint.path, "%s", id, 1),
				endpoint.body)
		}
		foreign, madeUp, malformed := call(adaTransaction), call(madeUpID), call("not-a-uuid")

		wantAPIError(t, foreign, http.StatusNotFound, "not_found")
		if foreign.body != madeUp.body || foreign.body != malformed.body {
			t.Errorf("%s: foreign %s, made-up %s, malformed %s", name, foreign.body,
				madeUp.body, malformed.body)
		}
	}

	// Ada's accounts, by id or by name, are unknown accounts to bob.
	sameAnswers := func(name string, foreign, unknown response, status int, code string) {
		t.Helper()
		wantAPIError(t, foreign, status, code)
		if foreign.body != unknown.body {
			t.Errorf("%s: foreign %s, unknown %s", name, foreign.body, unknown.body)
		}
	}
	for _, pair := range [][2]string{{adaBroker, madeUpID}, {"Ada Broker", "Nobody's Broker"}} {
		sameAnswers("record with "+pair[0],
			bob.call(http.MethodPost, "/api/v1/transactions", entryBody(pair[0])),
			bob.call(http.MethodPost, "/api/v1/transactions", entryBody(pair[1])),
			http.StatusUnprocessableEntity, "invalid")
		sameAnswers("amend with "+pair[0],
			bob.call(http.MethodPut, "/api/v1/transactions/"+bobTransaction, entryBody(pair[0])),
			bob.call(http.MethodPut, "/api/v1/transactions/"+bobTransaction, entryBody(pair[1])),
			http.StatusUnprocessableEntity, "invalid")
		sameAnswers("list by "+pair[0],
			bob.call(http.MethodGet, "/api/v1/transactions?"+url.Values{"account": {pair[0]}}.
				Encode(), nil),
			bob.call(http.MethodGet, "/api/v1/transactions?"+url.Values{"account": {pair[1]}}.
				Encode(), nil),
			http.StatusBadRequest, "bad_request")
	}
	wantBodyContains(t, bob.call(http.MethodPost, "/api/v1/transactions", entryBody(adaBroker)),
		"postings[1].account")

	// Nothing of ada's shows in bob's lists.
	for _, path := range []string{"/api/v1/accounts", "/api/v1/transactions",
		"/api/v1/transactions?include_voided=true", "/api/v1/events?limit=1000"} {
		got := bob.call(http.MethodGet, path, nil)
		wantStatus(t, got, http.StatusOK)
		for _, adas := range []string{adaTransaction, adaBroker, "Ada"} {
			if strings.Contains(got.body, adas) {
				t.Errorf("bob's %s shows ada's %s", path, adas)
			}
		}
	}

	if after := snapshot(); after != adaBefore {
		t.Errorf("ada's books changed:\nbefore %s\nafter  %s", adaBefore, after)
	}
	if ada.events() != adaEvents || bob.events() != bobEvents {
		t.Errorf("events: ada %d, bob %d; want %d and %d", ada.events(), bob.events(), adaEvents,
			bobEvents)
	}
}
