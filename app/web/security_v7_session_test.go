package web_test

// ASVS V7 (sessions) and V3.3 (cookies). Tests elsewhere already prove part of it; see
// SECURITY_TESTS.md (TestSessionRotatedAtLogin, TestSessionIDShape, TestSessionIdleTimeout,
// TestSessionAbsoluteTimeout, TestPasswordChangeEndsOtherSessions, ...).

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var uuidShape = regexp.MustCompile(`(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)

// ASVS V7.2.3, V11.5.1: session ids and CSRF tokens are 256 random bits from the CSPRNG, in
// base64url, never UUIDs (Fiber's default), and never repeat.
func TestSecurityV7SessionIDsAreRandomNotUUIDs(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	seen := map[string]bool{}

	for range 40 {
		browser := ss.client()
		browser.get("/login")
		for name, value := range browser.cookies {
			raw, err := base64.RawURLEncoding.DecodeString(value)
			if err != nil || len(raw) != 32 {
				t.Errorf("cookie %s %q: want 32 bytes in base64url", name, value)
			}
			if uuidShape.MatchString(value) || seen[value] {
				t.Errorf("cookie %s %q: UUID-shaped or seen before", name, value)
			}
			seen[value] = true
		}
		if browser.csrf == "" || seen["token "+browser.csrf] {
			t.Errorf("CSRF token %q: empty or seen before", browser.csrf)
		}
		seen["token "+browser.csrf] = true
	}
}

// ASVS V3.3.1–V3.3.4: in secure mode every cookie any route sets is __Host- prefixed,
// Secure, HttpOnly, SameSite=Lax, with Path=/ and no Domain.
func TestSecurityV3CookiesAreHostPrefixed(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t, withSecureCookies)
	var setCookies []string
	collect := func(got response) response {
		setCookies = append(setCookies, got.header.Values("Set-Cookie")...)
		return got
	}
	browser := ss.client()
	collect(browser.get("/register"))
	collect(browser.post("/register", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}}))
	collect(browser.get("/settings"))
	secret, _ := ss.enableTwoFactor(browser)
	collect(browser.post("/logout", nil))
	collect(browser.get("/login"))
	collect(browser.post("/login", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}}))
	collect(browser.get("/login/two-factor"))
	collect(browser.post("/login/two-factor", url.Values{"code": {ss.totpCode(secret)}}))
	for _, route := range routesOf(ss.testServer) {
		if route.method == http.MethodGet {
			collect(browser.get(route.url(madeUpID)))
		}
	}

	if len(setCookies) == 0 {
		t.Fatal("no cookies set")
	}
	for _, cookie := range setCookies {
		lower := strings.ToLower(cookie)
		if !strings.HasPrefix(cookie, "__Host-") || !strings.Contains(lower, "; secure") ||
			!strings.Contains(lower, "; httponly") || !strings.Contains(lower, "samesite=lax") ||
			!strings.Contains(lower, "path=/") || strings.Contains(lower, "domain=") {
			t.Errorf("cookie %q: want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, "+
				"no Domain", cookie)
		}
	}
}

// ASVS V7.4.1, V7.4.2, V7.4.3, V7.3.1, V7.3.2 (Firefly III CVE-2023-1788): a stolen copy
// of a session cookie stops working, for pages and for the API, when the session ends:
// logout, password change, password reset, two-factor change, disabled account, idle and
// absolute timeout. API tokens are credentials of their own: they end when revoked or when
// the account is disabled (TestSecurityV6DisabledUserLosesEveryWayIn), not at logout.
func TestSecurityV7EndedSessionsStayEnded(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	endings := []struct {
		name string
		end  func(t *testing.T, email string, victim *client)
	}{
		{"logout", func(t *testing.T, _ string, victim *client) {
			wantStatus(t, victim.post("/logout", nil), http.StatusSeeOther)
		}},
		{"password change", func(t *testing.T, _ string, victim *client) {
			wantStatus(t, victim.post("/settings/password", url.Values{
				"current_password": {testPassword},
				"new_password":     {"a brand new passphrase"}}), http.StatusSeeOther)
			ss.secret("a brand new passphrase")
		}},
		{"password reset", func(t *testing.T, email string, _ *client) {
			token := ss.resetToken(email)
			resetter := ss.client()
			resetter.get(passwordResetLinkPath(token))
			wantStatus(t, resetter.post("/password-reset/confirm", url.Values{
				"token": {token}, "new_password": {"a brand new passphrase"}}), http.StatusOK)
		}},
		{"two-factor turned on", func(t *testing.T, email string, _ *client) {
			other := ss.client()
			wantStatus(t, other.login(email, testPassword), http.StatusSeeOther)
			ss.enableTwoFactor(other)
		}},
		{"account disabled", func(t *testing.T, email string, _ *client) {
			if err := ss.users.Disable(context.Background(), ss.userID(email)); err != nil {
				t.Fatal(err)
			}
		}},
		{"idle timeout", func(t *testing.T, _ string, victim *client) {
			_, err := ss.pool.Exec(context.Background(), `UPDATE web_sessions
				SET e = extract(epoch FROM now())::bigint - 1 WHERE k = $1`,
				victim.cookies[sessionCookie])
			if err != nil {
				t.Fatal(err)
			}
		}},
	}
	for i, ending := range endings {
		t.Run(ending.name, func(t *testing.T) {
			email := "user" + string(rune('a'+i)) + "@example.org"
			victim := ss.signedIn(email)
			thief := ss.client()
			for name, value := range victim.cookies {
				thief.cookies[name] = value
			}
			wantStatus(t, thief.get("/settings"), http.StatusOK)

			ending.end(t, email, victim)

			stolen := ss.client()
			stolen.cookies[sessionCookie] = thief.cookies[sessionCookie]
			wantStatus(t, stolen.get("/settings"), http.StatusSeeOther)
			wantAPIError(t, stolen.api(http.MethodGet, "/api/v1/me", nil, nil),
				http.StatusUnauthorized, "unauthorized")
		})
	}

	// The absolute timeout ends every session at once, however busy.
	t.Run("absolute timeout", func(t *testing.T) {
		victim := ss.signedIn("late@example.org")
		for range 13 {
			ss.clock.Advance(time.Hour)
			victim.get("/login")
		}
		wantStatus(t, victim.get("/settings"), http.StatusSeeOther)
		wantAPIError(t, victim.api(http.MethodGet, "/api/v1/me", nil, nil),
			http.StatusUnauthorized, "unauthorized")
	})
}

// ASVS V7.4.5: an admin can end a user's sessions by disabling the account, when the admin
// pages offer it.
func TestSecurityV7AdminEndsUserSessions(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	if !hasRoute(routesOf(ss.testServer), http.MethodPost, "/admin/users/:id/disable") {
		t.Skip("no admin page disables users yet")
	}
	admin := ss.signedInAdmin("root@example.org")
	victim := ss.signedIn("ada@example.org")

	got := admin.post("/admin/users/"+ss.userID("ada@example.org").String()+"/disable", nil)
	if got.status >= 400 {
		t.Fatalf("disable: status %d\n%s", got.status, got.body)
	}

	wantStatus(t, victim.get("/settings"), http.StatusSeeOther)
}

// ASVS V7.2.1: the session is looked up on the server: a well-formed id the server never
// issued signs nobody in, and neither does a cookie under another name.
func TestSecurityV7UnknownSessionIDsRejected(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	victim := ss.signedIn("ada@example.org")

	for _, cookie := range []string{
		"folio_session=" + strings.Repeat("A", 43),
		"folio_session=" + victim.cookies[sessionCookie] + "x",
		"session_id=" + victim.cookies[sessionCookie],
		"__Host-folio_session=" + victim.cookies[sessionCookie],
	} {
		request := httptest.NewRequest(http.MethodGet, "/settings", nil)
		request.Header.Set("Cookie", cookie)
		got := ss.testServer.client().do(request)
		if got.status != http.StatusSeeOther {
			t.Errorf("cookie %.20s…: status %d, want 303", cookie, got.status)
		}
	}
}
