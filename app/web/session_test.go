package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"
)

const sessionCookie = "folio_session"

func TestSessionRotatedAtLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")
	browser := ts.client()

	browser.get("/login")
	before := browser.cookies[sessionCookie]
	if before == "" {
		t.Fatal("the login page started no session")
	}
	wantStatus(t, browser.post("/login", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}}), http.StatusSeeOther)
	after := browser.cookies[sessionCookie]

	if after == "" || after == before {
		t.Fatalf("session id after login: got %q, want a new one (before %q)", after, before)
	}
	// The pre-login id, which an attacker might have planted or seen, signs nobody in.
	stale := ts.client()
	stale.cookies[sessionCookie] = before
	wantStatus(t, stale.get("/"), http.StatusSeeOther)

	wantStatus(t, browser.get("/"), http.StatusOK)
	wantStatus(t, browser.post("/logout", nil), http.StatusSeeOther)
	replay := ts.client()
	replay.cookies[sessionCookie] = after
	got := replay.get("/")
	wantStatus(t, got, http.StatusSeeOther)
	if n := ts.count(`SELECT count(*) FROM web_sessions WHERE k = $1`, after); n != 0 {
		t.Errorf("the logged-out session is still stored")
	}
}

func TestSessionIDShape(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()

	got := browser.get("/login")

	id := browser.cookies[sessionCookie]
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(id) {
		t.Errorf("session id: got %q, want 43 base64url characters (256 bits)", id)
	}
	for _, cookie := range got.header.Values("Set-Cookie") {
		if !regexp.MustCompile(`(?i)httponly`).MatchString(cookie) ||
			!regexp.MustCompile(`(?i)samesite=lax`).MatchString(cookie) ||
			!regexp.MustCompile(`(?i)path=/`).MatchString(cookie) {
			t.Errorf("cookie lacks HttpOnly, SameSite=Lax or Path=/: %s", cookie)
		}
	}
}

func TestPlantedSessionIDIgnored(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")
	browser := ts.client()
	browser.cookies[sessionCookie] = "attacker-chosen-session-id-aaaaaaaaaaaaaaaaaa"

	browser.login("ada@example.org", testPassword)

	if got := browser.cookies[sessionCookie]; got == "attacker-chosen-session-id-aaaaaaaaaaaaaaaaaa" {
		t.Fatal("the planted session id survived the login")
	}
	wantStatus(t, browser.get("/"), http.StatusOK)
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")

	ts.clock.Advance(11 * time.Hour)
	wantStatus(t, browser.get("/"), http.StatusOK)
	ts.clock.Advance(2 * time.Hour)

	got := browser.get("/")
	wantStatus(t, got, http.StatusSeeOther)
	if got.location() != "/login?next=%2F" {
		t.Errorf("expired session redirects to %q, want the login page", got.location())
	}
	// The page it lands on still works: its form's token is valid.
	wantStatus(t, browser.login("ada@example.org", testPassword), http.StatusSeeOther)
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")

	// Storage expiry is in real Unix seconds; pretend the session has been idle too long.
	_, err := ts.pool.Exec(context.Background(),
		`UPDATE web_sessions SET e = extract(epoch FROM now())::bigint - 1 WHERE k = $1`,
		browser.cookies[sessionCookie])
	if err != nil {
		t.Fatalf("age session: %v", err)
	}

	wantStatus(t, browser.get("/"), http.StatusSeeOther)
}

func TestSessionExtendedByUse(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	expiry := func() int64 {
		var e int64
		err := ts.pool.QueryRow(context.Background(), `SELECT e FROM web_sessions WHERE k = $1`,
			browser.cookies[sessionCookie]).Scan(&e)
		if err != nil {
			t.Fatalf("select session expiry: %v", err)
		}
		return e
	}
	_, err := ts.pool.Exec(context.Background(),
		`UPDATE web_sessions SET e = extract(epoch FROM now())::bigint + 60 WHERE k = $1`,
		browser.cookies[sessionCookie])
	if err != nil {
		t.Fatalf("shorten session: %v", err)
	}

	wantStatus(t, browser.get("/"), http.StatusOK)

	if left := expiry() - time.Now().Unix(); left < int64(time.Hour.Seconds()) {
		t.Errorf("session expiry after a request: %ds away, want the idle timeout", left)
	}
}

func TestSessionNotWrittenByOrdinaryRequests(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/") // the first page after the sign-in gives the session its CSRF token
	row := func() string {
		var version string
		err := ts.pool.QueryRow(context.Background(),
			`SELECT xmin::text || ' ' || e::text || ' ' || md5(v) FROM web_sessions
			WHERE k = $1`, browser.cookies[sessionCookie]).Scan(&version)
		if err != nil {
			t.Fatalf("select session: %v", err)
		}
		return version
	}
	before, token := row(), browser.csrf

	wantStatus(t, browser.get("/"), http.StatusOK)
	wantStatus(t, browser.get("/transactions"), http.StatusOK)
	browser.header.Set("HX-Request", "true")
	browser.header.Set("HX-Target", "journal")
	got := browser.get("/transactions")
	wantStatus(t, got, http.StatusOK)
	browser.header = http.Header{}
	wantStatus(t, browser.api(http.MethodGet, "/api/v1/me", nil, nil), http.StatusOK)

	if after := row(); after != before {
		t.Errorf("session row after reading pages: got %s, want it unchanged (%s)", after, before)
	}
	for _, cookie := range got.header.Values("Set-Cookie") {
		t.Errorf("a fragment of a settled session set a cookie: %s", cookie)
	}
	if browser.csrf != token {
		t.Errorf("CSRF token: got %q, want the session's %q", browser.csrf, token)
	}
	wantStatus(t, browser.post("/settings/tokens", url.Values{"name": {"script"}}), http.StatusOK)
}

func TestSessionOfAnotherFormatSignsNobodyIn(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	old := browser.cookies[sessionCookie]
	_, err := ts.pool.Exec(context.Background(),
		`UPDATE web_sessions SET v = '\x0eff81040102ff820001'::bytea WHERE k = $1`, old)
	if err != nil {
		t.Fatalf("rewrite session: %v", err)
	}

	got := browser.get("/")

	wantStatus(t, got, http.StatusSeeOther)
	if browser.cookies[sessionCookie] == old {
		t.Error("the unreadable session's id was kept")
	}
	wantStatus(t, browser.login("ada@example.org", testPassword), http.StatusSeeOther)
	wantStatus(t, browser.get("/"), http.StatusOK)
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	laptop := ts.client()
	wantStatus(t, laptop.login("ada@example.org", testPassword), http.StatusSeeOther)
	browser.get("/settings")

	wrong := browser.post("/settings/password", url.Values{
		"current_password": {"not my password"}, "new_password": {"a brand new passphrase"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantBodyContains(t, wrong, "is not your current password")
	short := browser.post("/settings/password", url.Values{
		"current_password": {testPassword}, "new_password": {"short"}})
	wantStatus(t, short, http.StatusUnprocessableEntity)
	wantBodyContains(t, short, "must be at least 12 characters")

	before := browser.cookies[sessionCookie]
	changed := browser.post("/settings/password", url.Values{
		"current_password": {testPassword}, "new_password": {"a brand new passphrase"}})
	wantStatus(t, changed, http.StatusSeeOther)

	if browser.cookies[sessionCookie] == before {
		t.Error("the session id was not renewed at the password change")
	}
	wantBodyContains(t, browser.get(changed.location()), "Your password was changed")
	wantStatus(t, laptop.get("/"), http.StatusSeeOther)
	wantStatus(t, ts.client().login("ada@example.org", testPassword),
		http.StatusUnprocessableEntity)
	wantStatus(t, ts.client().login("ada@example.org", "a brand new passphrase"),
		http.StatusSeeOther)
}

func TestDisabledUserLosesSession(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")

	err := ts.users.Disable(context.Background(), ts.userID("ada@example.org"))
	if err != nil {
		t.Fatalf("Disable: %v", err)
	}

	wantStatus(t, browser.get("/"), http.StatusSeeOther)
	login := ts.client().login("ada@example.org", testPassword)
	wantStatus(t, login, http.StatusUnprocessableEntity)
	wantBodyContains(t, login, "This account is disabled.")
}

func TestHTMXRequestWithoutSessionGetsRedirectHeader(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.header.Set("HX-Request", "true")

	got := browser.get("/settings")

	wantStatus(t, got, http.StatusUnauthorized)
	if got.header.Get("HX-Redirect") != "/login" {
		t.Errorf("HX-Redirect: got %q, want /login", got.header.Get("HX-Redirect"))
	}
}
