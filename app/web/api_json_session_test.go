package web_test

import (
	"net/http"
	"testing"
)

// The bookkeeping API with the session cookie: reads need no CSRF token, changes do.
func TestAPIBookkeepingSessionNeedsCSRF(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := newAPIUser(t, ts, "ada@example.org")
	transaction := ada.record("2026-01-31", "Market", "12.50")
	browser := ada.browser
	browser.get("/settings")
	before := ada.events()

	changes := []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/api/v1/accounts", map[string]any{"name": "Broker", "type": "asset"}},
		{http.MethodPost, "/api/v1/transactions", entryBody("Checking")},
		{http.MethodPut, "/api/v1/transactions/" + transaction, entryBody("Cash")},
		{http.MethodPost, "/api/v1/transactions/" + transaction + "/void", map[string]any{}},
	}
	for _, change := range changes {
		for _, header := range []map[string]string{nil, {"X-CSRF-Token": "forged"}} {
			got := browser.api(change.method, change.path, change.body, header)
			wantAPIError(t, got, http.StatusForbidden, "csrf_failed")
		}
	}
	if after := ada.events(); after != before {
		t.Errorf("events: got %d, want %d (nothing stored)", after, before)
	}

	for _, path := range []string{"/api/v1/accounts", "/api/v1/transactions",
		"/api/v1/transactions/" + transaction, "/api/v1/events"} {
		wantStatus(t, browser.api(http.MethodGet, path, nil, nil), http.StatusOK)
	}
	withToken := map[string]string{"X-CSRF-Token": browser.csrf}
	for i, change := range changes {
		want := http.StatusOK
		if i < 2 {
			want = http.StatusCreated
		}
		wantStatus(t, browser.api(change.method, change.path, change.body, withToken), want)
	}
}
