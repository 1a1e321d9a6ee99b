package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var tokenSecret = regexp.MustCompile(`folio_[A-Za-z0-9_-]{43}`)

func TestSettingsTokens(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.client()
	ada.register("ada@example.org")
	ada.get("/settings")

	created := ada.post("/settings/tokens", url.Values{"name": {"backup"}})
	wantStatus(t, created, http.StatusOK)
	secret := tokenSecret.FindString(created.body)
	if secret == "" {
		t.Fatalf("the new token is not shown:\n%s", created.body)
	}
	again := ada.get("/settings")
	if strings.Contains(again.body, secret) {
		t.Error("the token is shown a second time")
	}
	wantStatus(t, ts.client().api(http.MethodGet, "/api/v1/me", nil, bearer(secret)), http.StatusOK)

	rejected := ada.post("/settings/tokens", url.Values{"name": {"  "}})
	wantStatus(t, rejected, http.StatusUnprocessableEntity)
	wantBodyContains(t, rejected, "give the token a name")

	var tokenID string
	err := ts.pool.QueryRow(context.Background(), `SELECT id::text FROM api_tokens`).Scan(&tokenID)
	if err != nil {
		t.Fatalf("select token id: %v", err)
	}

	// Another user revoking ada's token gets the 404 of a made-up id, and nothing changes.
	bob := ts.client()
	bob.register("bob@example.org")
	bob.get("/settings")
	foreign := bob.post("/settings/tokens/"+tokenID+"/revoke", nil)
	madeUp := bob.post("/settings/tokens/6f1c1d52-3a0e-4c55-9a61-0d4cdbf0a111/revoke", nil)
	wantStatus(t, foreign, http.StatusNotFound)
	wantStatus(t, madeUp, http.StatusNotFound)
	if stripRequestID(foreign.body) != stripRequestID(madeUp.body) {
		t.Errorf("answers differ:\n%s\n---\n%s", foreign.body, madeUp.body)
	}
	wantStatus(t, ts.client().api(http.MethodGet, "/api/v1/me", nil, bearer(secret)), http.StatusOK)

	revoked := ada.post("/settings/tokens/"+tokenID+"/revoke", nil)
	wantStatus(t, revoked, http.StatusSeeOther)
	wantStatus(t, ts.client().api(http.MethodGet, "/api/v1/me", nil, bearer(secret)),
		http.StatusUnauthorized)
}

var requestIDInBody = regexp.MustCompile(`[0-9a-f]{32}|content="[^"]*"`)

func stripRequestID(body string) string {
	return requestIDInBody.ReplaceAllString(body, "")
}

func TestPayloadsAreInert(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/settings")
	payload := `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`

	created := browser.post("/settings/tokens", url.Values{"name": {payload}})
	wantStatus(t, created, http.StatusOK)
	rejected := browser.post("/settings/tokens",
		url.Values{"name": {payload + strings.Repeat("x", 100)}})
	wantStatus(t, rejected, http.StatusUnprocessableEntity)
	login := ts.client().login(payload+"@example.org", payload)

	for _, page := range []response{created, rejected, browser.get("/settings"), login} {
		if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<img src=x") {
			t.Errorf("the payload is live in:\n%s", page.body)
		}
	}
	wantBodyContains(t, browser.get("/settings"), "&lt;script&gt;alert(1)&lt;/script&gt;")
}
