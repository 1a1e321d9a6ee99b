package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

func TestLoginRateLimitPerAccount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")
	attacker := ts.client()

	for i := range 5 {
		attacker.header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		got := attacker.login("ada@example.org", fmt.Sprintf("guess number %d", i))
		wantStatus(t, got, http.StatusUnprocessableEntity)
	}
	got := attacker.login("ADA@example.org", testPassword)

	wantStatus(t, got, http.StatusTooManyRequests)
	wantBodyContains(t, got, "Too many failed attempts")
	if got.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if n := ts.count(`SELECT count(*) FROM users WHERE last_login_at IS NOT NULL`); n != 0 {
		t.Error("a throttled login signed in")
	}
	if failures := countLines(ts.logs.String(), `msg="login failed"`); failures < 6 {
		t.Errorf("failed logins logged: got %d, want 6", failures)
	}
}

func TestLoginRateLimitPerClient(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	attacker := ts.client()

	// A client-sent X-Forwarded-For changes nothing: no proxy is trusted.
	for i := range 20 {
		attacker.header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		got := attacker.login(fmt.Sprintf("user%d@example.org", i), testPassword)
		wantStatus(t, got, http.StatusUnprocessableEntity)
	}
	attacker.header.Set("X-Forwarded-For", "203.0.113.99")
	got := attacker.login("someone-else@example.org", testPassword)

	wantStatus(t, got, http.StatusTooManyRequests)
}

func TestTrustedProxyForwardsClientAddress(t *testing.T) {
	t.Parallel()
	// app.Test's requests come from 0.0.0.0, here a trusted proxy.
	ts := newTestServer(t, withTrustedProxies("0.0.0.0/32"))
	first := ts.client()
	second := ts.client()

	for i := range 20 {
		// The leftmost entry is the client's own invention; the proxy appended the truth.
		first.header.Set("X-Forwarded-For", fmt.Sprintf("10.9.9.%d, 192.0.2.10", i))
		wantStatus(t, first.login(fmt.Sprintf("u%d@example.org", i), testPassword),
			http.StatusUnprocessableEntity)
	}
	first.header.Set("X-Forwarded-For", "192.0.2.10")
	wantStatus(t, first.login("next@example.org", testPassword), http.StatusTooManyRequests)

	second.header.Set("X-Forwarded-For", "192.0.2.20")
	wantStatus(t, second.login("next@example.org", testPassword),
		http.StatusUnprocessableEntity)
	wantBodyContains(t, response{body: ts.logs.String()}, "ip=192.0.2.10", "ip=192.0.2.20")
}

func TestPasswordChangeRateLimit(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/settings")

	for i := range 5 {
		got := browser.post("/settings/password", url.Values{
			"current_password": {fmt.Sprintf("guess number %d", i)},
			"new_password":     {"a brand new passphrase"}})
		wantStatus(t, got, http.StatusUnprocessableEntity)
	}
	got := browser.post("/settings/password", url.Values{"current_password": {testPassword},
		"new_password": {"a brand new passphrase"}})

	wantStatus(t, got, http.StatusTooManyRequests)
	wantBodyContains(t, got, "Too many wrong passwords")
	wantStatus(t, ts.client().login("ada@example.org", testPassword), http.StatusTooManyRequests)
}
