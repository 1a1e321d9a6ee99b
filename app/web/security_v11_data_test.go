package web_test

// ASVS V11 (cryptography at rest), V13.3.1, V15.3.1 and V2.2.1 (one-line fields): how the
// secrets Folio keeps are stored, and that none of them comes back out. TOTP secrets are
// covered by app/users (TestTOTPSecretSealed), the sealing itself by app/secrets.

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// ASVS V11.4.2: passwords are stored as argon2id hashes with the configured parameters.
func TestSecurityV11PasswordHashesAreArgon2id(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ss.signedIn("ada@example.org")

	var hash string
	err := ss.pool.QueryRow(context.Background(), `SELECT password_hash FROM users`).Scan(&hash)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") ||
		strings.Contains(hash, testPassword) {
		t.Errorf("password hash: got %.40q…, want argon2id", hash)
	}
}

// ASVS V11.3.2, V11.3.3, V13.3.1, V15.3.1, V16.2.5: a Wise API token is stored sealed (the
// same token of two users gives two different ciphertexts, neither holding the token), and
// no page, fragment, API answer or log line shows it once it is stored.
func TestSecurityV11WiseTokenSealedAndNeverShown(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	routes := routesOf(ss.testServer)
	if !hasRoute(routes, http.MethodPut, "/api/v1/wise/token") {
		t.Skip("no Wise token can be stored yet")
	}
	const wiseToken = "8a1f4c2e-7b3d-4e9a-b6c5-d0e1f2a3b4c5"
	ss.secret(wiseToken)
	ada := ss.signedIn("ada@example.org")
	bob := ss.signedIn("bob@example.org")
	for _, cl := range []*client{ada, bob} {
		got := cl.api(http.MethodPut, "/api/v1/wise/token", map[string]string{"token": wiseToken},
			map[string]string{"X-CSRF-Token": cl.csrf})
		wantStatus(t, got, http.StatusNoContent)
	}
	if hasRoute(routes, http.MethodPost, "/settings/wise/token") {
		ada.get("/settings/wise")
		got := ada.post("/settings/wise/token", url.Values{"token": {wiseToken}})
		if got.status >= 400 {
			t.Fatalf("the settings form: status %d", got.status)
		}
	}

	rows, err := ss.pool.Query(context.Background(), `SELECT token_sealed FROM wise_credentials`)
	if err != nil {
		t.Fatal(err)
	}
	var sealed [][]byte
	for rows.Next() {
		var value []byte
		if err := rows.Scan(&value); err != nil {
			t.Fatal(err)
		}
		sealed = append(sealed, value)
	}
	rows.Close()
	if len(sealed) != 2 || bytes.Equal(sealed[0], sealed[1]) {
		t.Errorf("sealed tokens of two users: got %d, want 2 different ones", len(sealed))
	}
	for _, value := range sealed {
		if bytes.Contains(value, []byte(wiseToken)) || bytes.Contains(value, []byte(wiseToken[:8])) {
			t.Error("the Wise token is stored in the clear")
		}
	}

	adaIDs := ss.idsOf(ss.userID("ada@example.org"))
	for _, route := range routes {
		if route.method != http.MethodGet || strings.HasPrefix(route.path, "/static/") {
			continue
		}
		for _, id := range candidateIDs(route, adaIDs) {
			for _, htmx := range []string{"", "true"} {
				ada.header.Set("HX-Request", htmx)
				if got := ada.get(route.url(id)); strings.Contains(got.body, wiseToken) {
					t.Errorf("%s shows the Wise token", route.url(id))
				}
			}
		}
	}
}

// ASVS V2.2.1 (hledger-web GHSA-vq7r-8w52-jv84): fields that are one line in the books
// refuse line breaks, so that no description, payee, tag or name can start a line of its
// own in an export; the journal export of the books holds no line the user wrote.
func TestSecurityV2OneLineFieldsRefuseLineBreaks(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := newAPIUser(t, ss.testServer, "ada@example.org")
	ss.track(ada.browser)
	ss.secret(ada.token)
	injected := "include /etc/passwd"
	entry := func(description, payee string, tags []string) map[string]any {
		return map[string]any{"date": "2026-01-31", "description": description, "payee": payee,
			"tags": tags, "postings": []map[string]any{
				{"account": "Groceries", "amount": "1.00", "currency": "EUR"},
				{"account": "Checking", "amount": "-1.00", "currency": "EUR"}}}
	}
	requests := []struct {
		name string
		path string
		body map[string]any
	}{
		{"an account name", "/api/v1/accounts",
			map[string]any{"name": "Cash\n" + injected, "type": "asset", "currency": "EUR"}},
		{"a description", "/api/v1/transactions", entry("Shop\n"+injected, "", nil)},
		{"a description with CR", "/api/v1/transactions", entry("Shop\r"+injected, "", nil)},
		{"a payee", "/api/v1/transactions", entry("Shop", "Market\n"+injected, nil)},
		{"a tag", "/api/v1/transactions", entry("Shop", "", []string{"food\n" + injected})},
	}
	for _, request := range requests {
		got := ada.call(http.MethodPost, request.path, request.body)
		if got.status != http.StatusUnprocessableEntity {
			t.Errorf("%s with a line break: status %d, want 422\n%s", request.name,
				got.status, got.body)
		}
	}

	if hasRoute(routesOf(ss.testServer), http.MethodGet, "/reports/export/journal") {
		journal := ada.browser.get("/reports/export/journal")
		for _, line := range strings.Split(journal.body, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "include") {
				t.Errorf("the journal export holds a line the user wrote: %q", line)
			}
		}
	}
}
