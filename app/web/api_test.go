package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// apiToken creates an API token for the signed-in browser through the settings API.
func apiToken(t *testing.T, browser *client, name string) (id, token string) {
	t.Helper()
	browser.get("/settings")
	got := browser.api(http.MethodPost, "/api/v1/tokens", map[string]string{"name": name},
		map[string]string{"X-CSRF-Token": browser.csrf})
	wantStatus(t, got, http.StatusCreated)

	var created map[string]string
	decode(t, got, &created)
	if created["name"] != name || created["id"] == "" ||
		!strings.HasPrefix(created["token"], "folio_") {
		t.Fatalf("created token: got %v", created)
	}
	return created["id"], created["token"]
}

func decode(t *testing.T, got response, into any) {
	t.Helper()
	if !strings.HasPrefix(got.header.Get("Content-Type"), "application/json") {
		t.Fatalf("Content-Type: got %q, want JSON", got.header.Get("Content-Type"))
	}
	err := json.Unmarshal([]byte(got.body), into)
	if err != nil {
		t.Fatalf("decode %s: %v", got.body, err)
	}
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func wantAPIError(t *testing.T, got response, status int, code string) {
	t.Helper()
	wantStatus(t, got, status)
	var body map[string]map[string]string
	decode(t, got, &body)
	if body["error"]["code"] != code || body["error"]["message"] == "" || len(body) != 1 {
		t.Errorf("error body: got %s, want code %q and a message", got.body, code)
	}
}

func TestAPIMe(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	_, token := apiToken(t, browser, "script")
	script := ts.client()

	got := script.api(http.MethodGet, "/api/v1/me", nil, bearer(token))

	wantStatus(t, got, http.StatusOK)
	var me map[string]any
	decode(t, got, &me)
	want := map[string]any{"id": ts.userID("ada@example.org").String(),
		"email": "ada@example.org", "admin": false, "books": []any{}}
	if diff := cmp.Diff(want, me); diff != "" {
		t.Errorf("/api/v1/me (-want +got):\n%s", diff)
	}
	if len(script.cookies) != 0 {
		t.Errorf("a bearer request got cookies: %v", script.cookies)
	}
	wantStatus(t, browser.api(http.MethodGet, "/api/v1/me", nil, nil), http.StatusOK)
}

func TestAPIUnauthenticated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	_, token := apiToken(t, browser, "script")

	tests := []struct {
		name   string
		header map[string]string
	}{
		{"no credentials", nil},
		{"a made-up token", bearer("folio_" + strings.Repeat("A", 43))},
		{"a truncated token", bearer(token[:len(token)-1])},
		{"another scheme", map[string]string{"Authorization": "Basic " + token}},
		{"a bare token", map[string]string{"Authorization": token}},
		{"a forged session", map[string]string{"Cookie": "folio_session=forged"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := ts.client().api(http.MethodGet, "/api/v1/me", nil, test.header)
			wantAPIError(t, got, http.StatusUnauthorized, "unauthorized")
		})
	}

	// A bad Authorization header is not rescued by a good session cookie.
	got := browser.api(http.MethodGet, "/api/v1/me", nil, bearer("folio_nope"))
	wantAPIError(t, got, http.StatusUnauthorized, "unauthorized")
}

func TestAPITokenInQueryStringRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	_, token := apiToken(t, browser, "script")

	for _, query := range []string{"?token=" + token, "?access_token=" + token, "?x=" + token} {
		got := ts.client().api(http.MethodGet, "/api/v1/me"+query, nil, bearer(token))
		wantAPIError(t, got, http.StatusBadRequest, "token_in_query")
	}
	if strings.Contains(ts.logs.String(), token) {
		t.Error("the log holds the token")
	}
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.client()
	ada.register("ada@example.org")
	bob := ts.client()
	bob.register("bob@example.org")
	adaID, adaToken := apiToken(t, ada, "ada's script")
	_, bobToken := apiToken(t, bob, "bob's script")
	script := ts.client()
	ts.clock.Advance(time.Second)

	created := script.api(http.MethodPost, "/api/v1/tokens",
		map[string]any{"name": "made by a token", "user_id": ts.userID("bob@example.org"),
			"token": "folio_chosen"}, bearer(adaToken))
	wantStatus(t, created, http.StatusCreated)
	var createdBody map[string]string
	decode(t, created, &createdBody)

	listed := script.api(http.MethodGet, "/api/v1/tokens", nil, bearer(adaToken))
	wantStatus(t, listed, http.StatusOK)
	var list struct {
		Tokens []struct {
			ID         string  `json:"id"`
			Name       string  `json:"name"`
			CreatedAt  string  `json:"created_at"`
			LastUsedAt *string `json:"last_used_at"`
		} `json:"tokens"`
	}
	decode(t, listed, &list)
	var names []string
	for _, token := range list.Tokens {
		names = append(names, token.Name)
	}
	if diff := cmp.Diff([]string{"made by a token", "ada's script"}, names); diff != "" {
		t.Errorf("ada's tokens (-want +got):\n%s", diff)
	}
	if strings.Contains(listed.body, adaToken) || strings.Contains(listed.body, createdBody["token"]) {
		t.Error("the list shows token secrets")
	}

	// Bob's view of ada's token: exactly the answer for a made-up id, and nothing changes.
	foreign := bob.api(http.MethodDelete, "/api/v1/tokens/"+adaID, nil, bearer(bobToken))
	madeUp := bob.api(http.MethodDelete, "/api/v1/tokens/6f1c1d52-3a0e-4c55-9a61-0d4cdbf0a111",
		nil, bearer(bobToken))
	malformed := bob.api(http.MethodDelete, "/api/v1/tokens/not-a-uuid", nil, bearer(bobToken))
	wantAPIError(t, foreign, http.StatusNotFound, "not_found")
	if foreign.body != madeUp.body || foreign.body != malformed.body {
		t.Errorf("answers differ: foreign %s, made-up %s, malformed %s", foreign.body, madeUp.body,
			malformed.body)
	}
	wantStatus(t, script.api(http.MethodGet, "/api/v1/me", nil, bearer(adaToken)), http.StatusOK)

	revoked := script.api(http.MethodDelete, "/api/v1/tokens/"+adaID, nil,
		bearer(createdBody["token"]))
	wantStatus(t, revoked, http.StatusNoContent)
	got := script.api(http.MethodGet, "/api/v1/me", nil, bearer(adaToken))
	wantAPIError(t, got, http.StatusUnauthorized, "unauthorized")
}

func TestAPIRejectsBadBodies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	_, token := apiToken(t, browser, "script")

	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
	}{
		{"a form body", "application/x-www-form-urlencoded", "name=x", 415, "unsupported_media_type"},
		{"no content type", "", `{"name":"x"}`, 415, "unsupported_media_type"},
		{"malformed JSON", "application/json", `{"name":`, 400, "bad_json"},
		{"a wrong type", "application/json", `{"name":42}`, 400, "bad_json"},
		{"two values", "application/json", `{"name":"a"}{"name":"b"}`, 400, "bad_json"},
		{"an empty name", "application/json; charset=utf-8", `{"name":" "}`, 422, "invalid"},
		{"a large body", "application/json",
			`{"name":"x","pad":"` + strings.Repeat("x", 300<<10) + `"}`, 413, "too_large"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			request := httptest.NewRequest(http.MethodPost, "/api/v1/tokens",
				strings.NewReader(test.body))
			if test.contentType != "" {
				request.Header.Set("Content-Type", test.contentType)
			}
			request.Header.Set("Authorization", "Bearer "+token)

			got := ts.client().do(request)

			wantAPIError(t, got, test.status, test.code)
			if strings.Contains(got.body, "goroutine") || strings.Contains(got.body, "SQLSTATE") {
				t.Errorf("the error shows internals: %s", got.body)
			}
		})
	}
}
