package web_test

// ASVS V6 (authentication): passwords, two-factor sign-in, recovery codes, password reset
// and the rule that every way in is as strong as the login form.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"folio/app/users"
)

// ASVS V6.2.1, V6.2.8, V6.2.9, V6.2.12: long passwords work, and the password is checked
// exactly as typed: not truncated, not case-folded, not trimmed. Short and common passwords
// are refused (TestRegisterRejectsShortPassword covers the length).
func TestSecurityV6PasswordsVerifiedExactly(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	long := strings.Repeat("Long passphrase ", 8) // 128 characters
	ss.secret(long)
	browser := ss.client()
	browser.get("/register")
	wantStatus(t, browser.post("/register", url.Values{"email": {"ada@example.org"},
		"password": {long}}), http.StatusSeeOther)

	wantStatus(t, ss.client().login("ada@example.org", long), http.StatusSeeOther)
	for name, wrong := range map[string]string{
		"truncated to 64":   long[:64],
		"truncated by one":  long[:len(long)-1],
		"upper-cased":       strings.ToUpper(long),
		"trimmed":           strings.TrimSpace(long),
		"with a space more": long + " ",
	} {
		if got := ss.client().login("ada@example.org", wrong); got.status !=
			http.StatusUnprocessableEntity {
			t.Errorf("the password %s: status %d, want 422", name, got.status)
		}
	}

	for _, common := range []string{"password1234", "Password1234", "qwerty123456"} {
		cl := ss.client()
		cl.get("/register")
		got := cl.post("/register", url.Values{"email": {"bob@example.org"},
			"password": {common}})
		wantStatus(t, got, http.StatusUnprocessableEntity)
		wantBodyContains(t, got, "too common")
	}
}

// ASVS V6.3.2: a fresh installation has no account at all, so no default one.
func TestSecurityV6NoDefaultAccounts(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)

	if n := ss.count(`SELECT count(*) FROM users`); n != 0 {
		t.Fatalf("a fresh database holds %d users", n)
	}
	for _, credentials := range [][2]string{{"admin", "admin"}, {"admin@localhost", "admin"},
		{"root", "root"}, {"admin@example.org", "password"}} {
		wantStatus(t, ss.client().login(credentials[0], credentials[1]),
			http.StatusUnprocessableEntity)
	}
}

// ASVS V6.3.3, V6.5.1, V7.2.4, V16.3.1: with two-factor sign-in on, the password alone
// signs nobody in; the code does, once, in a new session, and the sign-in is logged with
// the factor used.
func TestSecurityV6TwoFactorSignIn(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	secret, _ := ss.enableTwoFactor(ss.signedIn("ada@example.org"))
	browser := ss.client()
	browser.get("/login?next=%2Fsettings")
	anonymousID := browser.cookies[sessionCookie]

	password := browser.post("/login", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}, "next": {"/settings"}})
	wantStatus(t, password, http.StatusSeeOther)
	if password.location() != "/login/two-factor" {
		t.Fatalf("after the password: Location %q, want /login/two-factor", password.location())
	}
	pendingID := browser.cookies[sessionCookie]
	if pendingID == anonymousID {
		t.Error("ASVS V7.2.4: the session id did not change after the password")
	}

	// Half signed in is not signed in.
	wantStatus(t, browser.get("/"), http.StatusSeeOther)
	wantAPIError(t, browser.api(http.MethodGet, "/api/v1/me", nil, nil),
		http.StatusUnauthorized, "unauthorized")
	browser.get("/login/two-factor")
	wrong := browser.post("/login/two-factor", url.Values{"code": {"000000"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantBodyContains(t, wrong, "wrong or was already used")

	code := ss.totpCode(secret)
	done := browser.post("/login/two-factor", url.Values{"code": {code}})
	wantStatus(t, done, http.StatusSeeOther)
	if done.location() != "/settings" {
		t.Errorf("after the code: Location %q, want /settings", done.location())
	}
	if id := browser.cookies[sessionCookie]; id == pendingID || id == anonymousID {
		t.Error("ASVS V7.2.4: the session id did not change after the code")
	}
	wantStatus(t, browser.get("/settings"), http.StatusOK)

	// The same code does not sign in a second time.
	again := ss.client()
	wantStatus(t, again.login("ada@example.org", testPassword), http.StatusSeeOther)
	again.get("/login/two-factor")
	wantStatus(t, again.post("/login/two-factor", url.Values{"code": {code}}),
		http.StatusUnprocessableEntity)
	wantStatus(t, again.get("/"), http.StatusSeeOther)

	logs := ss.logs.String()
	for _, want := range []string{`msg="password accepted, second factor required"`,
		`msg="second factor rejected"`, `reason=wrong_code`, `second_factor=totp`} {
		if !strings.Contains(logs, want) {
			t.Errorf("ASVS V16.3.1: the log lacks %s", want)
		}
	}
}

// ASVS V6.5.1, V6.4.4: a recovery code stands in for the app once.
func TestSecurityV6RecoveryCodeSignsInOnce(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	_, codes := ss.enableTwoFactor(ss.signedIn("ada@example.org"))

	first := ss.client()
	wantStatus(t, first.login("ada@example.org", testPassword), http.StatusSeeOther)
	first.get("/login/two-factor")
	wantStatus(t, first.post("/login/two-factor",
		url.Values{"code": {strings.ToUpper(codes[0])}}), http.StatusSeeOther)
	wantStatus(t, first.get("/"), http.StatusOK)

	second := ss.client()
	wantStatus(t, second.login("ada@example.org", testPassword), http.StatusSeeOther)
	second.get("/login/two-factor")
	wantStatus(t, second.post("/login/two-factor", url.Values{"code": {codes[0]}}),
		http.StatusUnprocessableEntity)
	if !strings.Contains(ss.logs.String(), `msg="recovery code used"`) {
		t.Error("the use of a recovery code is not logged")
	}
}

// ASVS V6.3.1, V6.6.3, V2.4.1: codes cannot be guessed by trying: after five wrong codes
// even the right one waits.
func TestSecurityV6TwoFactorCodesThrottled(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	secret, _ := ss.enableTwoFactor(ss.signedIn("ada@example.org"))
	attacker := ss.client()
	wantStatus(t, attacker.login("ada@example.org", testPassword), http.StatusSeeOther)
	attacker.get("/login/two-factor")

	for _, guess := range []string{"111111", "222222", "333333", "444444", "555555"} {
		wantStatus(t, attacker.post("/login/two-factor", url.Values{"code": {guess}}),
			http.StatusUnprocessableEntity)
	}
	got := attacker.post("/login/two-factor", url.Values{"code": {ss.totpCode(secret)}})

	wantStatus(t, got, http.StatusTooManyRequests)
	if got.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	wantStatus(t, attacker.get("/"), http.StatusSeeOther)
}

// A half-done sign-in expires: the code form then sends the browser back to the password.
func TestSecurityV6TwoFactorPendingSignInExpires(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	secret, _ := ss.enableTwoFactor(ss.signedIn("ada@example.org"))
	browser := ss.client()
	wantStatus(t, browser.login("ada@example.org", testPassword), http.StatusSeeOther)
	browser.get("/login/two-factor")

	ss.clock.Advance(6 * time.Minute)
	got := browser.post("/login/two-factor", url.Values{"code": {ss.totpCode(secret)}})

	wantStatus(t, got, http.StatusSeeOther)
	if got.location() != "/login" {
		t.Errorf("Location: got %q, want /login", got.location())
	}
	wantStatus(t, browser.get("/"), http.StatusSeeOther)
	wantStatus(t, ss.client().get("/login/two-factor"), http.StatusSeeOther)
}

// ASVS V6.3.4, V6.4.3 (Firefly III GHSA-4gm4-c4mh-4p7w): once two-factor sign-in is on, no
// way in skips it. The password alone reaches no page and no API; an API token is issued
// only with a code, whether the request carries a session or an older token; a password
// reset needs the code too.
func TestSecurityV6NoPathSkipsTwoFactor(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	browser := ss.signedIn("ada@example.org")
	_, oldToken := apiToken(t, browser, "made before two-factor")
	ss.secret(oldToken)
	secret, codes := ss.enableTwoFactor(browser)

	// API tokens: a session (which passed two-factor) and a token both need a code.
	browser.get("/settings")
	tokens := func() int {
		return ss.count(`SELECT count(*) FROM api_tokens WHERE user_id = $1`,
			ss.userID("ada@example.org"))
	}
	before := tokens()
	withSession := browser.api(http.MethodPost, "/api/v1/tokens",
		map[string]string{"name": "no code"}, map[string]string{"X-CSRF-Token": browser.csrf})
	wantAPIError(t, withSession, http.StatusForbidden, "second_factor_required")
	withToken := ss.client().api(http.MethodPost, "/api/v1/tokens",
		map[string]string{"name": "no code"}, bearer(oldToken))
	wantAPIError(t, withToken, http.StatusForbidden, "second_factor_required")
	wrongCode := ss.client().api(http.MethodPost, "/api/v1/tokens",
		map[string]string{"name": "wrong code", "code": "123456"}, bearer(oldToken))
	wantAPIError(t, wrongCode, http.StatusForbidden, "second_factor_required")
	if n := tokens(); n != before {
		t.Fatalf("tokens issued without a code: %d", n-before)
	}
	created := ss.client().api(http.MethodPost, "/api/v1/tokens",
		map[string]string{"name": "with a code", "code": ss.totpCode(secret)}, bearer(oldToken))
	wantStatus(t, created, http.StatusCreated)
	ss.secret(apiTokenRegex.FindString(created.body))

	// The password alone: a half signed-in browser gets nothing anywhere.
	pending := ss.client()
	wantStatus(t, pending.login("ada@example.org", testPassword), http.StatusSeeOther)
	pending.get("/login/two-factor")
	for _, route := range routesOf(ss.testServer) {
		if route.public() || !route.safe() || route.method == http.MethodHead {
			continue
		}
		got := pending.send(route, route.url(madeUpID), "")
		if got.status != http.StatusSeeOther && got.status != http.StatusUnauthorized &&
			got.status != http.StatusNotFound {
			t.Errorf("%s with the password alone: status %d", route, got.status)
		}
	}
	got := pending.api(http.MethodPost, "/api/v1/tokens", map[string]string{"name": "x"},
		map[string]string{"X-CSRF-Token": pending.csrf})
	wantAPIError(t, got, http.StatusUnauthorized, "unauthorized")
	wantStatus(t, pending.post("/settings/tokens", url.Values{"name": {"x"}}),
		http.StatusSeeOther)

	// Password reset: the link alone does not change the password.
	token := ss.resetToken("ada@example.org")
	resetter := ss.client()
	form := resetter.get(passwordResetLinkPath(token))
	wantStatus(t, form, http.StatusOK)
	wantBodyContains(t, form, `name="code"`)
	noCode := resetter.post("/password-reset/confirm", url.Values{"token": {token},
		"new_password": {"an attacker's new password"}})
	wantStatus(t, noCode, http.StatusUnprocessableEntity)
	wantStatus(t, ss.client().login("ada@example.org", "an attacker's new password"),
		http.StatusUnprocessableEntity)
	withRecovery := resetter.post("/password-reset/confirm", url.Values{"token": {token},
		"new_password": {"a brand new passphrase"}, "code": {codes[1]}})
	wantStatus(t, withRecovery, http.StatusOK)
	wantBodyContains(t, withRecovery, "Your password was changed")
	ss.secret("a brand new passphrase", "an attacker's new password")

	// And the new password still needs the second factor.
	after := ss.client()
	got = after.login("ada@example.org", "a brand new passphrase")
	wantStatus(t, got, http.StatusSeeOther)
	if got.location() != "/login/two-factor" {
		t.Errorf("after a reset: Location %q, want the code form", got.location())
	}
}

func passwordResetLinkPath(token string) string {
	return "/password-reset/confirm?token=" + url.QueryEscape(token)
}

// ASVS V7.5.1, V7.4.3: turning two-factor sign-in on or off, or replacing the recovery
// codes, needs the password (and, to change it, a code); each change ends every other
// session while this one goes on.
func TestSecurityV6TwoFactorChangesNeedReauthentication(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	browser := ss.signedIn("ada@example.org")
	laptop := ss.client()
	wantStatus(t, laptop.login("ada@example.org", testPassword), http.StatusSeeOther)
	browser.get("/settings")

	setup := browser.post("/settings/two-factor/setup", nil)
	wantStatus(t, setup, http.StatusOK)
	secret := strings.ReplaceAll(setupSecret.FindStringSubmatch(setup.body)[1], " ", "")
	ss.secret(secret)
	qr := browser.get("/settings/two-factor/qr.png")
	wantStatus(t, qr, http.StatusOK)
	if qr.header.Get("Content-Type") != "image/png" || qr.header.Get("Cache-Control") != "no-store" {
		t.Errorf("QR code: Content-Type %q, Cache-Control %q", qr.header.Get("Content-Type"),
			qr.header.Get("Cache-Control"))
	}
	noPassword := browser.post("/settings/two-factor/enable",
		url.Values{"code": {ss.totpCode(secret)}})
	wantStatus(t, noPassword, http.StatusUnprocessableEntity)
	wantBodyContains(t, noPassword, "not your current password")
	wrongCode := browser.post("/settings/two-factor/enable",
		url.Values{"password": {testPassword}, "code": {"000000"}})
	wantStatus(t, wrongCode, http.StatusUnprocessableEntity)
	enabled := browser.post("/settings/two-factor/enable",
		url.Values{"password": {testPassword}, "code": {ss.totpCode(secret)}})
	wantStatus(t, enabled, http.StatusOK)
	wantBodyContains(t, enabled, "Two-factor sign-in is on")
	ss.secret(recoveryCodesOf(enabled.body)...)
	ss.clock.Advance(30 * time.Second)

	wantStatus(t, browser.get("/settings"), http.StatusOK)
	wantStatus(t, laptop.get("/settings"), http.StatusSeeOther)
	if strings.Contains(browser.get("/settings/two-factor").body, secret[:8]) {
		t.Error("ASVS V15.3.1: the secret is shown again once two-factor sign-in is on")
	}

	codesWithoutPassword := browser.post("/settings/two-factor/recovery-codes",
		url.Values{"code": {ss.totpCode(secret)}})
	wantStatus(t, codesWithoutPassword, http.StatusUnprocessableEntity)
	newCodes := browser.post("/settings/two-factor/recovery-codes",
		url.Values{"password": {testPassword}, "code": {ss.totpCode(secret)}})
	wantStatus(t, newCodes, http.StatusOK)
	ss.secret(recoveryCodesOf(newCodes.body)...)
	ss.clock.Advance(30 * time.Second)

	// A second factor session elsewhere, then turning it off.
	tablet := ss.client()
	wantStatus(t, tablet.login("ada@example.org", testPassword), http.StatusSeeOther)
	tablet.get("/login/two-factor")
	wantStatus(t, tablet.post("/login/two-factor", url.Values{"code": {ss.totpCode(secret)}}),
		http.StatusSeeOther)
	ss.clock.Advance(30 * time.Second)
	for _, form := range []url.Values{
		{"code": {ss.totpCode(secret)}},
		{"password": {"not my password"}, "code": {ss.totpCode(secret)}},
		{"password": {testPassword}, "code": {"000000"}},
	} {
		got := browser.post("/settings/two-factor/disable", form)
		wantStatus(t, got, http.StatusUnprocessableEntity)
	}
	disabled := browser.post("/settings/two-factor/disable",
		url.Values{"password": {testPassword}, "code": {ss.totpCode(secret)}})
	wantStatus(t, disabled, http.StatusOK)
	wantBodyContains(t, disabled, "Two-factor sign-in is off")
	wantStatus(t, tablet.get("/settings"), http.StatusSeeOther)
	wantStatus(t, browser.get("/settings"), http.StatusOK)
	wantStatus(t, ss.client().login("ada@example.org", testPassword), http.StatusSeeOther)
}

func recoveryCodesOf(body string) []string {
	var codes []string
	for _, match := range recoveryCodes.FindAllStringSubmatch(body, -1) {
		codes = append(codes, match[1])
	}
	return codes
}

// ASVS V6.4.3, V1.2.2 (Akaunting CVE-2021-36804): the reset link is built from PUBLIC_URL,
// whatever Host, X-Forwarded-Host or Forwarded header the request carries.
func TestSecurityV6ResetLinkIgnoresRequestHost(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t, withTrustedProxies("0.0.0.0/32"))
	ss.signedIn("ada@example.org")
	attacker := ss.client()
	attacker.get("/password-reset")

	request := httptest.NewRequest(http.MethodPost, "http://evil.example/password-reset",
		strings.NewReader(url.Values{"email": {"ada@example.org"}, "_csrf": {attacker.csrf}}.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	request.Host = "evil.example"
	request.Header.Set("X-Forwarded-Host", "evil.example")
	request.Header.Set("X-Forwarded-Proto", "http")
	request.Header.Set("Forwarded", "host=evil.example;proto=http")
	wantStatus(t, attacker.do(request), http.StatusOK)

	mailed := ss.outbox.String()
	links := resetLink.FindAllStringSubmatch(mailed, -1)
	if len(links) != 1 || links[0][1] != publicURL {
		t.Fatalf("mailed links: got %q, want one on %s\n%s", links, publicURL, mailed)
	}
	ss.secret(links[0][2])
	if strings.Contains(mailed, "evil") {
		t.Errorf("the mail names the attacker's host:\n%s", mailed)
	}
	if !strings.Contains(mailed, "To: ada@example.org") {
		t.Errorf("the mail went elsewhere:\n%s", mailed)
	}
}

// ASVS V6.4.3, V7.4.3, V14.2.1: a reset token works once and for a short while, is kept only
// as a hash, and using it ends every session; the page that carries it in its URL sends no
// Referer.
func TestSecurityV6ResetTokenSingleUseAndExpiring(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	browser := ss.signedIn("ada@example.org")
	token := ss.resetToken("ada@example.org")
	if n := ss.count(`SELECT count(*) FROM password_resets
		WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token); n != 1 {
		t.Error("the reset token's SHA-256 is not what is stored")
	}

	resetter := ss.client()
	page := resetter.get(passwordResetLinkPath(token))
	wantStatus(t, page, http.StatusOK)
	if page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy of the reset page: %q", page.header.Get("Referrer-Policy"))
	}
	short := resetter.post("/password-reset/confirm", url.Values{"token": {token},
		"new_password": {"short"}})
	wantStatus(t, short, http.StatusUnprocessableEntity)
	done := resetter.post("/password-reset/confirm", url.Values{"token": {token},
		"new_password": {"a brand new passphrase"}})
	wantStatus(t, done, http.StatusOK)
	ss.secret("a brand new passphrase")

	wantStatus(t, browser.get("/settings"), http.StatusSeeOther)
	wantStatus(t, ss.client().login("ada@example.org", testPassword),
		http.StatusUnprocessableEntity)
	wantStatus(t, ss.client().login("ada@example.org", "a brand new passphrase"),
		http.StatusSeeOther)
	again := resetter.post("/password-reset/confirm", url.Values{"token": {token},
		"new_password": {"yet another passphrase"}})
	wantStatus(t, again, http.StatusNotFound)
	wantStatus(t, ss.client().get(passwordResetLinkPath(token)), http.StatusNotFound)

	// A link expires after its lifetime.
	late := ss.resetToken("ada@example.org")
	ss.clock.Advance(users.PasswordResetLifetime + time.Minute)
	wantStatus(t, ss.client().get(passwordResetLinkPath(late)), http.StatusNotFound)
	for _, made := range []string{"", "x", strings.Repeat("A", 43)} {
		wantStatus(t, ss.client().get(passwordResetLinkPath(made)), http.StatusNotFound)
	}
}

// ASVS V6.3.8 (L3, cheap), V2.4.1: asking for a reset says the same for every address and
// mails nothing for an unknown one; asking too often for one address is throttled.
func TestSecurityV6ResetRequestRevealsNothingAndIsThrottled(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ss.signedIn("ada@example.org")
	ask := func(email string) response {
		cl := ss.client()
		cl.get("/password-reset")
		return cl.post("/password-reset", url.Values{"email": {email}})
	}

	known, unknown := ask("ada@example.org"), ask("nobody@example.org")
	wantStatus(t, known, http.StatusOK)
	wantStatus(t, unknown, http.StatusOK)
	notice := regexp.MustCompile(`(?s)<p class="notice".*?</p>`)
	if strings.ReplaceAll(notice.FindString(known.body), "ada@", "x@") !=
		strings.ReplaceAll(notice.FindString(unknown.body), "nobody@", "x@") {
		t.Errorf("answers differ:\n%s\n%s", notice.FindString(known.body),
			notice.FindString(unknown.body))
	}
	if strings.Contains(ss.outbox.String(), "nobody@") {
		t.Error("a mail went to an address without an account")
	}
	for _, link := range resetLink.FindAllStringSubmatch(ss.outbox.String(), -1) {
		ss.secret(link[2])
	}

	ask("ada@example.org")
	ask("ada@example.org")
	throttled := ask("ada@example.org")
	wantStatus(t, throttled, http.StatusTooManyRequests)
	if throttled.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if n := len(resetLink.FindAllString(ss.outbox.String(), -1)); n != 3 {
		t.Errorf("mails sent: got %d, want 3", n)
	}
	for _, link := range resetLink.FindAllStringSubmatch(ss.outbox.String(), -1) {
		ss.secret(link[2])
	}
}

// Without mail (production without SMTP), password reset says so and does nothing.
func TestSecurityV6ResetUnavailableWithoutMail(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")
	browser := ts.client()

	page := browser.get("/password-reset")
	wantStatus(t, page, http.StatusOK)
	wantBodyContains(t, page, "cannot send mail")
	got := browser.post("/password-reset", url.Values{"email": {"ada@example.org"}})
	wantStatus(t, got, http.StatusServiceUnavailable)
	if n := ts.count(`SELECT count(*) FROM password_resets`); n != 0 {
		t.Errorf("reset tokens made: %d", n)
	}
}

// ASVS V6.3.4, V7.4.2 (Firefly III CVE-2023-0298): a disabled user's API tokens stop
// working at once, and the user can neither sign in nor ask for a reset link.
func TestSecurityV6DisabledUserLosesEveryWayIn(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := newAPIUser(t, ss.testServer, "ada@example.org")
	ss.track(ada.browser)
	ss.secret(ada.token)
	wantStatus(t, ada.call(http.MethodGet, "/api/v1/me", nil), http.StatusOK)

	err := ss.users.Disable(context.Background(), ss.userID("ada@example.org"))
	if err != nil {
		t.Fatal(err)
	}

	wantAPIError(t, ada.call(http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized,
		"unauthorized")
	wantAPIError(t, ada.call(http.MethodPost, "/api/v1/tokens", map[string]string{"name": "x"}),
		http.StatusUnauthorized, "unauthorized")
	wantStatus(t, ada.browser.get("/settings"), http.StatusSeeOther)
	wantStatus(t, ss.client().login("ada@example.org", testPassword),
		http.StatusUnprocessableEntity)
	asker := ss.client()
	asker.get("/password-reset")
	wantStatus(t, asker.post("/password-reset", url.Values{"email": {"ada@example.org"}}),
		http.StatusOK)
	if strings.Contains(ss.outbox.String(), "ada@example.org") {
		t.Error("a disabled account got a reset link")
	}
}
