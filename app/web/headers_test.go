package web_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	page := browser.get("/login")
	asset := regexp.MustCompile(`/static/[0-9a-f]{12}/app\.css`).FindString(page.body)
	if asset == "" {
		t.Fatal("the login page links no versioned style sheet")
	}

	requests := []struct {
		name    string
		request *http.Request
	}{
		{"a page", httptest.NewRequest(http.MethodGet, "/login", nil)},
		{"a redirect", httptest.NewRequest(http.MethodGet, "/settings", nil)},
		{"a 404", httptest.NewRequest(http.MethodGet, "/no/such/page", nil)},
		{"an API 404", httptest.NewRequest(http.MethodGet, "/api/v1/nothing", nil)},
		{"an API 401", httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)},
		{"a CSRF 403", httptest.NewRequest(http.MethodPost, "/login", nil)},
		{"a static file", httptest.NewRequest(http.MethodGet, asset, nil)},
		{"a missing static file", httptest.NewRequest(http.MethodGet, "/static/0/none.js", nil)},
		{"healthz", httptest.NewRequest(http.MethodGet, "/healthz", nil)},
		{"a refused TRACE", httptest.NewRequest(http.MethodTrace, "/", nil)},
		{"a wrong method", httptest.NewRequest(http.MethodPut, "/login", nil)},
	}
	for _, test := range requests {
		t.Run(test.name, func(t *testing.T) {
			got := ts.client().do(test.request)

			want := map[string]string{
				"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; " +
					"form-action 'self'; base-uri 'none'; object-src 'none'",
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "same-origin",
			}
			for name, value := range want {
				if got.header.Get(name) != value {
					t.Errorf("%s: got %q, want %q", name, got.header.Get(name), value)
				}
			}
			if csp := got.header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe") {
				t.Errorf("CSP allows unsafe sources: %s", csp)
			}
			if got.header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS sent although cookies are not secure")
			}
			if len(got.header.Get("X-Request-ID")) != 32 {
				t.Errorf("X-Request-ID: got %q, want 32 hex characters", got.header.Get("X-Request-ID"))
			}
		})
	}
}

func TestSecureCookiesAndHSTS(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withSecureCookies)
	browser := ts.client()

	got := browser.get("/login")

	hsts := got.header.Get("Strict-Transport-Security")
	if !strings.Contains(hsts, "max-age=63072000") || !strings.Contains(hsts, "includeSubDomains") {
		t.Errorf("Strict-Transport-Security: got %q", hsts)
	}
	cookies := got.header.Values("Set-Cookie")
	if len(cookies) != 2 {
		t.Fatalf("cookies: got %q, want the session and CSRF cookies", cookies)
	}
	for _, cookie := range cookies {
		lower := strings.ToLower(cookie)
		if !strings.HasPrefix(cookie, "__Host-folio_") || !strings.Contains(lower, "; secure") ||
			!strings.Contains(lower, "; httponly") || !strings.Contains(lower, "samesite=lax") ||
			!strings.Contains(lower, "path=/") || strings.Contains(lower, "domain=") {
			t.Errorf("cookie: got %q, want __Host- prefixed, Secure, HttpOnly, SameSite=Lax, "+
				"Path=/ and no Domain", cookie)
		}
	}
}

func TestCacheControl(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")

	page := browser.get("/settings")
	if got := page.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control of a signed-in page: got %q, want no-store", got)
	}
	asset := regexp.MustCompile(`/static/[0-9a-f]{12}/htmx\.min\.js`).FindString(page.body)
	script := browser.get(asset)
	wantStatus(t, script, http.StatusOK)
	if got := script.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control of %s: got %q", asset, got)
	}
	if got := script.header.Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("Content-Type of %s: got %q", asset, got)
	}
	outdated := strings.Replace(asset, "/static/", "/static/0", 1)
	wantStatus(t, browser.get(outdated), http.StatusNotFound)
}

func TestNoInlineScriptsOrStyles(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	pages := []response{browser.get("/login"), browser.get("/register")}
	browser.register("ada@example.org")
	pages = append(pages, browser.get("/"), browser.get("/settings"), browser.get("/nowhere"))

	inline := regexp.MustCompile(`(?i)<script(\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	for _, page := range pages {
		if match := inline.FindString(page.body); match != "" {
			t.Errorf("inline script or style %q in:\n%s", match, page.body)
		}
		wantBodyContains(t, page, `<meta name="htmx-config"`, `"allowEval":false`,
			`"selfRequestsOnly":true`, `"includeIndicatorStyles":false`)
	}
}

func TestTraceRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	got := ts.client().do(httptest.NewRequest(http.MethodTrace, "/login", nil))

	wantStatus(t, got, http.StatusMethodNotAllowed)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()

	wantStatus(t, browser.get("/healthz"), http.StatusOK)
	wantStatus(t, browser.get("/readyz"), http.StatusOK)

	ts.pool.Close()

	wantStatus(t, browser.get("/healthz"), http.StatusOK)
	wantStatus(t, browser.get("/readyz"), http.StatusServiceUnavailable)
}

func TestErrorPageShowsRequestIDAndNoInternals(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.server.App().Get("/test/panic", func(_ *fiberCtx) error {
		panic("pq: secret internals at /home/folio/main.go")
	})
	ts.server.App().Get("/test/fail", func(_ *fiberCtx) error {
		return errDatabase
	})

	for _, path := range []string{"/test/panic", "/test/fail"} {
		got := ts.client().get(path)

		wantStatus(t, got, http.StatusInternalServerError)
		id := got.header.Get("X-Request-ID")
		wantBodyContains(t, got, "Something went wrong", id)
		for _, leak := range []string{"pq:", "secret internals", "goroutine", "main.go", "relation"} {
			if strings.Contains(got.body, leak) {
				t.Errorf("%s: the page shows %q", path, leak)
			}
		}
		if !strings.Contains(ts.logs.String(), "request_id="+id) {
			t.Errorf("%s: no log line carries request id %s", path, id)
		}
	}
	if !strings.Contains(ts.logs.String(), "secret internals") {
		t.Error("the panic was not logged")
	}
}
