package web_test

// ASVS V16 (logging) and V4.1.3/V15.3.4 (the client address). Every security test greps
// its own log for the secrets it saw (securityServer); the test below walks through every
// flow that handles one. TestLogsHoldNoSecrets, TestLoginRateLimitPerClient and
// TestTrustedProxyForwardsClientAddress prove the rest.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// ASVS V16.2.5, V16.3.1, V16.3.2, V16.3.3: across sign-up, sign-in (failed, with a code,
// with a recovery code), API tokens, two-factor setup, password reset, forged requests and
// requests for another user's ids, the log names who did what from where, and holds no
// password, token, code, secret or session id.
func TestSecurityV16SecurityEventsLoggedWithoutSecrets(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := ss.signedIn("ada@example.org")
	ss.signedIn("bob@example.org") // bob exists, for the password reset below
	_, token := apiToken(t, ada, "script")
	ss.secret(token)
	wantStatus(t, ss.client().api(http.MethodGet, "/api/v1/me", nil, bearer(token)),
		http.StatusOK)
	wantStatus(t, ss.client().api(http.MethodGet, "/api/v1/me", nil,
		bearer("folio_"+strings.Repeat("B", 43))), http.StatusUnauthorized)
	created := ada.post("/settings/tokens", url.Values{"name": {"form"}})
	ss.secret(apiTokenRegex.FindString(created.body))
	secret, codes := ss.enableTwoFactor(ada)

	wantStatus(t, ss.client().login("ada@example.org", "a wrong password guess"),
		http.StatusUnprocessableEntity)
	ss.secret("a wrong password guess")
	withCode := ss.client()
	wantStatus(t, withCode.login("ada@example.org", testPassword), http.StatusSeeOther)
	withCode.get("/login/two-factor")
	wantStatus(t, withCode.post("/login/two-factor", url.Values{"code": {"999999"}}),
		http.StatusUnprocessableEntity)
	wantStatus(t, withCode.post("/login/two-factor", url.Values{"code": {ss.totpCode(secret)}}),
		http.StatusSeeOther)
	withRecovery := ss.client()
	wantStatus(t, withRecovery.login("ada@example.org", testPassword), http.StatusSeeOther)
	withRecovery.get("/login/two-factor")
	wantStatus(t, withRecovery.post("/login/two-factor", url.Values{"code": {codes[0]}}),
		http.StatusSeeOther)

	resetToken := ss.resetToken("bob@example.org")
	resetter := ss.client()
	resetter.get(passwordResetLinkPath(resetToken))
	wantStatus(t, resetter.post("/password-reset/confirm", url.Values{"token": {resetToken},
		"new_password": {"bob's brand new passphrase"}}), http.StatusOK)
	ss.secret("bob's brand new passphrase")

	bob := ss.client()
	wantStatus(t, bob.login("bob@example.org", "bob's brand new passphrase"),
		http.StatusSeeOther)
	bob.get("/settings")
	wantStatus(t, bob.postRaw("/settings/tokens", url.Values{"name": {"forged"}}),
		http.StatusForbidden)
	var adaToken string
	err := ss.pool.QueryRow(context.Background(), `SELECT id::text FROM api_tokens
		WHERE user_id = $1 LIMIT 1`, ss.userID("ada@example.org")).Scan(&adaToken)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, bob.post("/settings/tokens/"+adaToken+"/revoke", nil), http.StatusNotFound)
	withCode.get("/settings")
	wantStatus(t, withCode.post("/logout", nil), http.StatusSeeOther)

	logs := ss.logs.String()
	events := []string{
		`msg="login failed" request_id=[0-9a-f]{32} email=ada@example.org ip=0.0.0.0 ` +
			`reason=wrong_credentials`,
		`msg="login succeeded" request_id=[0-9a-f]{32} user_id=[0-9a-f-]{36} ip=0.0.0.0 ` +
			`second_factor=totp`,
		`second_factor=recovery_code`,
		`msg="second factor rejected" request_id=[0-9a-f]{32} user_id=[0-9a-f-]{36} ` +
			`ip=0.0.0.0 reason=wrong_code`,
		`msg="recovery code used"`,
		`msg="two-factor sign-in turned on" request_id=[0-9a-f]{32} user_id=`,
		`msg="api token rejected" request_id=[0-9a-f]{32} reason=.* ip=0.0.0.0`,
		`msg="password reset mailed" request_id=[0-9a-f]{32} user_id=[0-9a-f-]{36} ip=0.0.0.0`,
		`msg="password reset" request_id=[0-9a-f]{32} user_id=[0-9a-f-]{36} ip=0.0.0.0`,
		`msg="csrf token rejected" request_id=[0-9a-f]{32} reason=.* method=POST ` +
			`path=/settings/tokens ip=0.0.0.0`,
		`msg=request request_id=[0-9a-f]{32} method=POST route=/settings/tokens/:id/revoke ` +
			`path=/settings/tokens/[0-9a-f-]{36}/revoke status=404 duration_ms=[0-9.]+ ` +
			`ip=0.0.0.0 user_id=`,
		`msg=logout request_id=[0-9a-f]{32} user_id=`,
	}
	for _, event := range events {
		if !regexp.MustCompile(event).MatchString(logs) {
			t.Errorf("the log lacks %s", event)
		}
	}
}

// ASVS V16.4.1: text a user types cannot start a log line of its own or smuggle terminal
// control sequences into the log, wherever it is logged.
func TestSecurityV16UserTextCannotForgeLogLines(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	browser := ss.signedIn("ada@example.org")
	forgeries := []string{
		"x\nlevel=ERROR msg=forged",
		"x\r\nlevel=ERROR msg=forged",
		"x\rlevel=ERROR msg=forged",
		"x\u2028level=ERROR msg=forged",
		"x\x1b[2K\x1b[1Glevel=ERROR msg=forged",
		"x\" level=ERROR msg=forged",
	}

	for _, forgery := range forgeries {
		ss.client().login(forgery+"@example.org", "a wrong password guess")
		asker := ss.client()
		asker.get("/password-reset")
		asker.post("/password-reset", url.Values{"email": {forgery}})
		browser.post("/settings/tokens", url.Values{"name": {forgery}})
		browser.api(http.MethodPost, "/api/v1/accounts", map[string]string{"name": forgery,
			"type": "asset"}, map[string]string{"X-CSRF-Token": browser.csrf})
		browser.get("/transactions?q=" + url.QueryEscape(forgery))
		browser.get("/accounts/" + url.PathEscape(forgery))
		request := httptest.NewRequest(http.MethodGet, "/login", nil)
		request.Header.Set("User-Agent", forgery)
		request.Header.Set("Referer", forgery)
		ss.client().do(request)
	}
	ss.secret("a wrong password guess")

	logs := ss.logs.String()
	if strings.ContainsAny(logs, "\r\x1b\u2028") {
		t.Error("the log holds a raw CR, ESC or line separator")
	}
	line := regexp.MustCompile(`^time=\S+ level=(DEBUG|INFO|WARN|ERROR) msg=`)
	quoted := regexp.MustCompile(`"(\\.|[^"\\])*"`)
	for _, entry := range strings.Split(strings.TrimSuffix(logs, "\n"), "\n") {
		if !line.MatchString(entry) {
			t.Errorf("a log line not written by the logger: %q", entry)
		}
		if strings.Contains(quoted.ReplaceAllString(entry, `""`), "forged") {
			t.Errorf("forged text outside a quoted value: %q", entry)
		}
	}
}

// ASVS V4.1.3, V15.3.4: from a peer that is not a trusted proxy, no header changes the
// address the log and the throttles use: X-Forwarded-For, X-Real-IP, Forwarded,
// True-Client-IP, CF-Connecting-IP are all ignored. (TestLoginRateLimitPerClient shows the
// throttle keeps counting; TestTrustedProxyForwardsClientAddress the trusted case.)
func TestSecurityV4ForwardedHeadersFromUntrustedPeersIgnored(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	attacker := ss.client()
	for _, header := range []string{"X-Forwarded-For", "X-Real-IP", "True-Client-IP",
		"CF-Connecting-IP", "X-Client-IP"} {
		attacker.header.Set(header, "203.0.113.77")
	}
	attacker.header.Set("Forwarded", "for=203.0.113.77")

	for range 3 {
		attacker.login("ada@example.org", "a wrong password guess")
	}
	ss.secret("a wrong password guess")

	logs := ss.logs.String()
	if strings.Contains(logs, "203.0.113.77") {
		t.Error("a client-chosen address reached the log")
	}
	if !strings.Contains(logs, `msg="login failed"`) || !strings.Contains(logs, "ip=0.0.0.0") {
		t.Error("the failed logins are not logged with the peer's address")
	}
}

// ASVS V15.3.4: the client address comes from one place, clientIP, which knows the trusted
// proxies. No other code of the package asks Fiber (whose c.IP() and c.IPs() believe any
// X-Forwarded-For once proxy headers are on) or reads a forwarding header itself.
func TestSecurityV15ClientAddressHasOneSource(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := regexp.MustCompile(`\.IPs?\(\)|X-Real-IP|X-Forwarded-For|HeaderXForwardedFor|` +
		`ProxyHeader|"Forwarded"`)
	for _, entry := range entries {
		name := entry.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") ||
			name == "client_ip.go" {
			continue
		}
		source, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(source), "\n") {
			if match := forbidden.FindString(line); match != "" {
				t.Errorf("%s:%d: %s; use s.clientIP(c)", name, i+1, match)
			}
		}
	}
}
