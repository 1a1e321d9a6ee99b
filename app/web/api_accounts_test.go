package web_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAPIAccounts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	ada.record("2026-01-31", "Market", "12.5")

	got := ada.object(http.MethodGet, "/api/v1/accounts", nil, http.StatusOK)

	accounts := got["accounts"].([]any)
	if len(accounts) != 15 || len(got) != 1 {
		t.Fatalf("got %d accounts in %v, want the 15 of the starter chart", len(accounts), got)
	}
	byName := map[string]any{}
	for _, account := range accounts {
		byName[account.(map[string]any)["name"].(string)] = account
	}
	want := map[string]any{
		"Checking": map[string]any{"id": ada.accountID("Checking"), "name": "Checking",
			"type": "asset", "currency": "EUR", "closed": false,
			"balances": map[string]any{"EUR": "-12.50"}},
		"Groceries": map[string]any{"id": ada.accountID("Groceries"), "name": "Groceries",
			"type": "expense", "currency": nil, "closed": false,
			"balances": map[string]any{"EUR": "12.50"}},
		"Rent": map[string]any{"id": ada.accountID("Rent"), "name": "Rent",
			"type": "expense", "currency": nil, "closed": false, "balances": map[string]any{}},
	}
	for name, account := range want {
		if diff := cmp.Diff(account, byName[name]); diff != "" {
			t.Errorf("account %s (-want +got):\n%s", name, diff)
		}
	}
	if first := accounts[0].(map[string]any)["type"]; first != "asset" {
		t.Errorf("first account type: got %v, want asset (statement order)", first)
	}
}

func TestAPIOpenAccount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")

	// Fields that are not part of the request are ignored, never applied.
	body := map[string]any{"name": " Broker ", "type": "Asset", "currency": "usd",
		"id": madeUpID, "closed": true, "balances": map[string]string{"USD": "1000.00"},
		"user_id": madeUpID}
	got := ada.call(http.MethodPost, "/api/v1/accounts", body)

	wantStatus(t, got, http.StatusCreated)
	var account map[string]any
	decode(t, got, &account)
	id, _ := account["id"].(string)
	want := map[string]any{"id": id, "name": "Broker", "type": "asset", "currency": "USD",
		"closed": false, "balances": map[string]any{}}
	if diff := cmp.Diff(want, account); diff != "" {
		t.Errorf("opened account (-want +got):\n%s", diff)
	}
	if id == madeUpID || id != ada.accountID("Broker") {
		t.Errorf("id: got %q, want a new id listed under Broker", id)
	}

	anyCurrency := ada.object(http.MethodPost, "/api/v1/accounts",
		map[string]any{"name": "Travel", "type": "expense", "currency": nil}, http.StatusCreated)
	if anyCurrency["currency"] != nil {
		t.Errorf("currency of an account without one: got %v, want null", anyCurrency["currency"])
	}
}

func TestAPIOpenAccountRejects(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	before := ada.events()

	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"a taken name", `{"name":"checking","type":"asset"}`, 409, "conflict"},
		{"an unknown type", `{"name":"Broker","type":"stocks"}`, 422, "invalid"},
		{"no name", `{"type":"asset"}`, 422, "invalid"},
		{"a bad currency", `{"name":"Broker","type":"asset","currency":"euro"}`, 422, "invalid"},
		{"a bad command id", `{"name":"Broker","type":"asset","command_id":"x"}`, 422, "invalid"},
		{"a number for a name", `{"name":7,"type":"asset"}`, 400, "bad_json"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := ada.call(http.MethodPost, "/api/v1/accounts", test.body)
			wantAPIError(t, got, test.status, test.code)
		})
	}
	if after := ada.events(); after != before {
		t.Errorf("events: got %d, want %d (nothing stored)", after, before)
	}
}
