package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// madeUpID belongs to nobody.
const madeUpID = "0b7e4f7a-95c2-4d3e-8f61-2a9c4e5d7b13"

// apiUser is a registered user with an API token, calling the API as a script would.
type apiUser struct {
	t       *testing.T
	ts      *testServer
	email   string
	browser *client
	token   string
}

func newAPIUser(t *testing.T, ts *testServer, email string) *apiUser {
	t.Helper()
	browser := ts.client()
	browser.register(email)
	_, token := apiToken(t, browser, "script")
	return &apiUser{t: t, ts: ts, email: email, browser: browser, token: token}
}

// call sends a request with the user's bearer token and no cookies. A string body is sent
// as it is, as JSON; other bodies are encoded.
func (u *apiUser) call(method, path string, body any) response {
	u.t.Helper()
	if text, ok := body.(string); ok {
		return u.ts.client().do(withBearer(u.token, method, path, "application/json", text))
	}
	return u.ts.client().api(method, path, body, bearer(u.token))
}

// withBearer builds a request with a token and a body of the given content type.
func withBearer(token, method, path, contentType, body string) *http.Request {
	request := httptest.NewRequest(method, path, strings.NewReader(body))
	request.Header.Set("Content-Type", contentType)
	request.Header.Set("Authorization", "Bearer "+token)
	return request
}

// object calls the API, wants status and decodes the body as a JSON object.
func (u *apiUser) object(method, path string, body any, status int) map[string]any {
	u.t.Helper()
	got := u.call(method, path, body)
	wantStatus(u.t, got, status)
	var object map[string]any
	decode(u.t, got, &object)
	return object
}

// accountID returns the id of the user's account name.
func (u *apiUser) accountID(name string) string {
	u.t.Helper()
	accounts := u.object(http.MethodGet, "/api/v1/accounts", nil, http.StatusOK)["accounts"]
	for _, account := range accounts.([]any) {
		fields := account.(map[string]any)
		if fields["name"] == name {
			return fields["id"].(string)
		}
	}
	u.t.Fatalf("%s has no account %q", u.email, name)
	return ""
}

// record records a transaction from checking to groceries and returns its id.
func (u *apiUser) record(date, description, amount string) string {
	u.t.Helper()
	body := map[string]any{
		"date": date, "description": description,
		"postings": []map[string]any{
			{"account": "Groceries", "amount": amount, "currency": "EUR"},
			{"account": "Checking", "amount": "-" + amount, "currency": "EUR"},
		},
	}
	return u.object(http.MethodPost, "/api/v1/transactions", body, http.StatusCreated)["id"].(string)
}

// events counts the user's stored events.
func (u *apiUser) events() int {
	u.t.Helper()
	return u.ts.count(`SELECT count(*) FROM events WHERE user_id = $1`, u.ts.userID(u.email))
}
