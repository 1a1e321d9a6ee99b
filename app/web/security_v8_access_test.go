package web_test

// ASVS V8 (authorization) beyond the route crawl (security_routes_test.go): fields a client
// must not set. JSON bodies ignore unknown fields by construction (decodeJSON);
// TestAPIOpenAccount, TestAPIRecordTransaction and TestAPITokens show ids, user ids,
// revisions and token values sent by a client are not applied.

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// ASVS V8.2.3, V15.3.3 (Akaunting CVE-2021-36801, Firefly III CVE-2023-0298): privileged
// or foreign fields in forms and JSON bodies are ignored: nobody makes themselves an admin,
// enables a disabled account, or acts on another user's account or books by naming it.
func TestSecurityV8PrivilegedFieldsIgnored(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	bob := ss.signedIn("bob@example.org")
	bobID := ss.userID("bob@example.org").String()
	privileged := url.Values{"is_admin": {"true"}, "admin": {"on"}, "role": {"admin"},
		"user_id": {bobID}, "owner_id": {bobID}, "id": {bobID}, "disabled_at": {""},
		"session_generation": {"1"}, "book": {bobID}}
	with := func(form url.Values) url.Values {
		all := url.Values{}
		for name, values := range privileged {
			all[name] = values
		}
		for name, values := range form {
			all[name] = values
		}
		return all
	}

	ada := ss.client()
	ada.get("/register")
	wantStatus(t, ada.post("/register", with(url.Values{"email": {"ada@example.org"},
		"password": {testPassword}})), http.StatusSeeOther)
	adaID := ss.userID("ada@example.org")
	if adaID.String() == bobID {
		t.Fatal("the registration took bob's id")
	}
	user, err := ss.users.ByID(context.Background(), adaID)
	if err != nil || user.Admin {
		t.Fatalf("ada after registering with admin fields: admin %v, %v", user.Admin, err)
	}

	ada.get("/settings")
	wantStatus(t, ada.post("/settings/tokens", with(url.Values{"name": {"mine"}})),
		http.StatusOK)
	wantStatus(t, ada.post("/accounts", with(url.Values{"name": {"Mine"}, "type": {"asset"},
		"currency": {"EUR"}})), http.StatusSeeOther)
	ada.get("/settings")
	wantStatus(t, ada.post("/settings/password", with(url.Values{
		"current_password": {testPassword}, "new_password": {"ada's new passphrase"}})),
		http.StatusSeeOther)
	ss.secret("ada's new passphrase")

	if n := ss.count(`SELECT count(*) FROM api_tokens WHERE user_id = $1`, adaID); n != 1 {
		t.Errorf("ada's tokens: got %d, want 1", n)
	}
	if n := ss.count(`SELECT count(*) FROM api_tokens WHERE user_id = $1`, bobID); n != 0 {
		t.Errorf("bob's tokens: got %d, want none", n)
	}
	if n := ss.count(`SELECT count(*) FROM accounts WHERE user_id = $1 AND name = 'Mine'`,
		adaID); n != 1 {
		t.Errorf("ada's account Mine: got %d, want 1", n)
	}
	if n := ss.count(`SELECT count(*) FROM accounts WHERE user_id = $1 AND name = 'Mine'`,
		bobID); n != 0 {
		t.Error("the account went into bob's books")
	}
	wantStatus(t, bob.get("/settings"), http.StatusOK)
	wantStatus(t, ss.client().login("bob@example.org", testPassword), http.StatusSeeOther)

	// JSON: the API takes only the fields it documents.
	ada.get("/settings")
	header := map[string]string{"X-CSRF-Token": ada.csrf}
	got := ada.api(http.MethodPost, "/api/v1/accounts", map[string]any{"name": "Mine too",
		"type": "asset", "currency": "EUR", "user_id": bobID, "owner_id": bobID,
		"is_admin": true, "role": "admin"}, header)
	wantStatus(t, got, http.StatusCreated)
	if n := ss.count(`SELECT count(*) FROM accounts WHERE user_id = $1 AND name = 'Mine too'`,
		adaID); n != 1 {
		t.Error("the API account is not in ada's books")
	}
	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodPost} {
		got := ada.api(method, "/api/v1/me", map[string]any{"admin": true, "is_admin": true,
			"disabled": false, "email": "root@example.org"}, header)
		if got.status != http.StatusMethodNotAllowed && got.status != http.StatusNotFound {
			t.Errorf("%s /api/v1/me: status %d, want 405 or 404", method, got.status)
		}
	}
	var me map[string]any
	decode(t, ada.api(http.MethodGet, "/api/v1/me", nil, nil), &me)
	if me["admin"] != false || me["email"] != "ada@example.org" {
		t.Errorf("ada after trying to change herself: %v", me)
	}
}

// ASVS V3.7.2, V1.2.2 (Firefly III issue 11383): the page after sign-in is a local path
// also when the sign-in takes a second factor (TestLoginNextStaysOnSite covers the rest).
func TestSecurityV3RedirectAfterTwoFactorStaysLocal(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	secret, _ := ss.enableTwoFactor(ss.signedIn("ada@example.org"))

	for next, want := range map[string]string{"/settings": "/settings", "//evil.com": "/",
		`/\evil.com`: "/", "javascript:alert(1)": "/", "https://evil.com/": "/"} {
		browser := ss.client()
		browser.get("/login?next=" + url.QueryEscape(next))
		wantStatus(t, browser.post("/login", url.Values{"email": {"ada@example.org"},
			"password": {testPassword}, "next": {next}}), http.StatusSeeOther)
		browser.get("/login/two-factor")
		got := browser.post("/login/two-factor", url.Values{"code": {ss.totpCode(secret)}})
		ss.clock.Advance(30 * time.Second)

		wantStatus(t, got, http.StatusSeeOther)
		if got.location() != want {
			t.Errorf("next %q: Location %q, want %q", next, got.location(), want)
		}
	}
}
