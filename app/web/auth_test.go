package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRegisterLoginSettingsLogout(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()

	page := browser.get("/register")
	wantStatus(t, page, http.StatusOK)
	wantBodyContains(t, page, `<meta name="csrf-token" content="`, `name="_csrf"`)
	if browser.csrf == "" {
		t.Fatal("the register page carries no CSRF token")
	}

	browser.register("Ada@Example.org")
	dashboard := browser.get("/")
	wantStatus(t, dashboard, http.StatusOK)
	wantBodyContains(t, dashboard, "ada@example.org", "Dashboard", `action="/logout"`)

	settings := browser.get("/settings")
	wantStatus(t, settings, http.StatusOK)
	wantBodyContains(t, settings, "Change password", "API tokens")

	logout := browser.post("/logout", nil)
	wantStatus(t, logout, http.StatusSeeOther)
	if logout.location() != "/login" {
		t.Errorf("logout redirects to %q, want /login", logout.location())
	}
	after := browser.get("/settings")
	wantStatus(t, after, http.StatusSeeOther)
	if after.location() != "/login?next=%2Fsettings" {
		t.Errorf("signed-out /settings redirects to %q, want the login page", after.location())
	}

	login := browser.login("ada@example.org", testPassword)
	wantStatus(t, login, http.StatusSeeOther)
	wantStatus(t, browser.get("/settings"), http.StatusOK)
}

func TestLoginWrongPassword(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")

	wrong := ts.client().login("ada@example.org", "not the password at all")
	unknown := ts.client().login("nobody@example.org", testPassword)

	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantStatus(t, unknown, http.StatusUnprocessableEntity)
	wantBodyContains(t, wrong, "Wrong email or password.", `value="ada@example.org"`)
	wantBodyContains(t, unknown, "Wrong email or password.")
	if errorOf(wrong.body) != errorOf(unknown.body) {
		t.Errorf("answers differ: %q for a wrong password, %q for an unknown email",
			errorOf(wrong.body), errorOf(unknown.body))
	}
}

func errorOf(body string) string {
	start := strings.Index(body, `<p class="alert"`)
	if start < 0 {
		return ""
	}
	end := strings.Index(body[start:], "</p>")
	return body[start : start+end]
}

func TestRegisterRejectsShortPassword(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.get("/register")

	got := browser.post("/register", url.Values{"email": {"ada@example.org"},
		"password": {"elevenchars"}})

	wantStatus(t, got, http.StatusUnprocessableEntity)
	wantBodyContains(t, got, "must be at least 12 characters", `value="ada@example.org"`)
	if n := ts.count(`SELECT count(*) FROM users`); n != 0 {
		t.Errorf("users: got %d, want none", n)
	}
	wantStatus(t, browser.get("/"), http.StatusSeeOther)
}
