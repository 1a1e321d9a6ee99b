package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

const csrfCookie = "folio_csrf"

func TestCSRF(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/settings")
	other := ts.client()
	other.register("bob@example.org")
	other.get("/settings")
	userID := ts.userID("ada@example.org")
	tokens := func() int {
		return ts.count(`SELECT count(*) FROM api_tokens WHERE user_id = $1`, userID)
	}

	refused := []struct {
		name string
		send func() response
	}{
		{"a form without a token", func() response {
			return browser.postRaw("/settings/tokens", url.Values{"name": {"script"}})
		}},
		{"a form with a made-up token", func() response {
			return browser.postRaw("/settings/tokens", url.Values{"name": {"script"},
				"_csrf": {"made-up-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}})
		}},
		{"a form with another session's token", func() response {
			return browser.postRaw("/settings/tokens", url.Values{"name": {"script"},
				"_csrf": {other.csrf}})
		}},
		{"a form with the right token but without its cookie", func() response {
			cookieless := ts.client()
			cookieless.cookies[sessionCookie] = browser.cookies[sessionCookie]
			return cookieless.postRaw("/settings/tokens", url.Values{"name": {"script"},
				"_csrf": {browser.csrf}})
		}},
		{"a made-up token in the form and a planted cookie", func() response {
			planted := ts.client()
			planted.cookies[sessionCookie] = browser.cookies[sessionCookie]
			planted.cookies[csrfCookie] = "made-up-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			return planted.postRaw("/settings/tokens", url.Values{"name": {"script"},
				"_csrf": {"made-up-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}})
		}},
		{"an htmx request without the header", func() response {
			return browser.api(http.MethodPost, "/api/v1/tokens", map[string]string{"name": "x"}, nil)
		}},
		{"an API call with another session's header", func() response {
			return browser.api(http.MethodPost, "/api/v1/tokens", map[string]string{"name": "x"},
				map[string]string{"X-CSRF-Token": other.csrf})
		}},
		{"a delete without the header", func() response {
			return browser.api(http.MethodDelete,
				"/api/v1/tokens/00000000-0000-0000-0000-000000000000", nil, nil)
		}},
	}
	for _, test := range refused {
		t.Run(test.name, func(t *testing.T) {
			got := test.send()
			wantStatus(t, got, http.StatusForbidden)
			if n := tokens(); n != 0 {
				t.Errorf("tokens: got %d, want none", n)
			}
		})
	}

	wantStatus(t, browser.post("/settings/tokens", url.Values{"name": {"script"}}), http.StatusOK)
	got := browser.api(http.MethodPost, "/api/v1/tokens", map[string]string{"name": "api"},
		map[string]string{"X-CSRF-Token": browser.csrf})
	wantStatus(t, got, http.StatusCreated)
	if n := tokens(); n != 2 {
		t.Errorf("tokens: got %d, want 2", n)
	}
}

func TestCSRFOnLogoutAndLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/")

	wantStatus(t, browser.postRaw("/logout", nil), http.StatusForbidden)
	wantStatus(t, browser.get("/"), http.StatusOK)

	stranger := ts.client()
	stranger.get("/login")
	got := stranger.postRaw("/login", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}})
	wantStatus(t, got, http.StatusForbidden)
	wantStatus(t, stranger.get("/"), http.StatusSeeOther)
}

func TestCSRFTokenHeaderWorksForForms(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/settings")
	browser.header.Set("HX-Request", "true")
	browser.header.Set("X-CSRF-Token", browser.csrf)

	got := browser.postRaw("/settings/tokens", url.Values{"name": {"from htmx"}})

	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, `id="api-tokens"`, "from htmx", "Copy it now")
	if got.header.Get("Vary") == "" {
		t.Error("fragment response lacks Vary")
	}
}
