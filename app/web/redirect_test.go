package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")

	tests := []struct{ next, want string }{
		{"/settings", "/settings"},
		{"/settings?tab=tokens", "/settings?tab=tokens"},
		{"", "/"},
		{"//evil.com", "/"},
		{"//evil.com/settings", "/"},
		{`/\evil.com`, "/"},
		{"https://evil.com/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.com", "/"},
		{"/\t/evil.com", "/"},
		{"/login", "/"},
	}
	for _, test := range tests {
		t.Run(test.next, func(t *testing.T) {
			browser := ts.client()
			browser.get("/login?next=" + url.QueryEscape(test.next))

			got := browser.post("/login", url.Values{"email": {"ada@example.org"},
				"password": {testPassword}, "next": {test.next}})

			wantStatus(t, got, http.StatusSeeOther)
			if got.location() != test.want {
				t.Errorf("Location: got %q, want %q", got.location(), test.want)
			}
		})
	}
}

func TestLoginPageKeepsNext(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	safe := ts.client().get("/login?next=%2Fsettings")
	evil := ts.client().get("/login?next=%2F%2Fevil.com")

	wantBodyContains(t, safe, `name="next" value="/settings"`)
	wantBodyContains(t, evil, `name="next" value="/"`)
}
