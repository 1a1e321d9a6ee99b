package web_test

// ASVS V3 (web front end), V13 (configuration), V14 (data protection) and V1.2.10 (CSV):
// what a browser is told about every response. Headers on every response, the CSP and the
// htmx configuration are proven by TestSecurityHeadersOnEveryResponse,
// TestSecureCookiesAndHSTS and TestNoInlineScriptsOrStyles.

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// ASVS V3.4.2: no response grants another origin anything, not even to a preflight.
func TestSecurityV3NoCrossOriginAccess(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := newAPIUser(t, ss.testServer, "ada@example.org")
	ss.track(ada.browser)
	ss.secret(ada.token)

	for _, route := range routesOf(ss.testServer) {
		preflight := httptest.NewRequest(http.MethodOptions, route.url(madeUpID), nil)
		preflight.Header.Set("Origin", "https://evil.example")
		preflight.Header.Set("Access-Control-Request-Method", route.method)
		preflight.Header.Set("Access-Control-Request-Headers", "authorization, x-csrf-token")
		simple := withBearer(ada.token, route.method, route.url(madeUpID), "application/json", "{}")
		simple.Header.Set("Origin", "https://evil.example")

		for _, request := range []*http.Request{preflight, simple} {
			got := ada.browser.do(request)
			for _, header := range []string{"Access-Control-Allow-Origin",
				"Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
				"Access-Control-Allow-Headers"} {
				if value := got.header.Get(header); value != "" {
					t.Errorf("%s %s: %s: %s", request.Method, route.url(madeUpID), header, value)
				}
			}
		}
	}
}

// ASVS V13.4.1, V13.4.2, V13.4.3, V13.4.5, V15.2.3: nothing is served but the app: no
// source control files, sources, templates, configuration, profiler, metrics or directory
// listings, whether signed in or not.
func TestSecurityV13NothingExtraIsServed(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	signedIn := ss.signedIn("ada@example.org")
	paths := []string{"/.git/HEAD", "/.git/config", "/.env", "/go.mod", "/app/web/server.go",
		"/templates/layout.html", "/static/", "/static/x/", "/static/x/../../go.mod",
		"/static/%2e%2e/%2e%2e/go.mod", "/debug/pprof/", "/debug/pprof/heap", "/debug/vars",
		"/metrics", "/server-status", "/.well-known/security.txt.bak", "/api/", "/api/v1/",
		"/api/v1/debug", "/swagger.json", "/openapi.json"}

	for _, path := range paths {
		for _, cl := range []*client{ss.client(), signedIn} {
			got := cl.get(path)
			if got.status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, got.status)
			}
			if strings.Contains(got.body, "module folio") || strings.Contains(got.body, "ref: refs") ||
				strings.Contains(got.body, "package web") || strings.Contains(got.body, "<title>Index of") {
				t.Errorf("%s: the answer leaks a file", path)
			}
		}
	}
}

// ASVS V16.5.1, V13.4.6: error answers name no framework, version or internals.
func TestSecurityV13ErrorsRevealNoInternals(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	browser := ss.signedIn("ada@example.org")
	requests := []*http.Request{
		httptest.NewRequest(http.MethodGet, "/nowhere", nil),
		httptest.NewRequest(http.MethodPut, "/login", nil),
		httptest.NewRequest(http.MethodPost, "/api/v1/transactions", strings.NewReader(`{"date":`)),
		httptest.NewRequest(http.MethodGet, "/api/v1/transactions/not-a-uuid", nil),
		httptest.NewRequest(http.MethodGet, "/transactions/"+strings.Repeat("x", 3000), nil),
	}
	requests[2].Header.Set("Content-Type", "application/json")
	requests[2].Header.Set("X-CSRF-Token", browser.csrf)
	internals := regexp.MustCompile(`(?i)fiber|fasthttp|go1\.|golang|postgres|SQLSTATE|\.go:\d|goroutine`)

	for _, request := range requests {
		got := browser.do(request)
		if got.status < 400 || got.status >= 500 {
			t.Errorf("%s %s: status %d, want a client error", request.Method,
				request.URL.Path, got.status)
		}
		if leak := internals.FindString(got.body); leak != "" {
			t.Errorf("%s %s: the answer shows %q", request.Method, request.URL.Path, leak)
		}
		for _, header := range []string{"Server", "X-Powered-By"} {
			if value := got.header.Get(header); value != "" {
				t.Errorf("%s %s: %s: %s", request.Method, request.URL.Path, header, value)
			}
		}
	}
}

// ASVS V1.2.10 (L3, cheap), catalogue §4 (Firefly III GHSA-29w6-c52g-m8jc): every CSV the
// app serves neutralises cells a spreadsheet would run as a formula (starting with =, +, -,
// @, tab, CR or LF) while amounts stay numbers. Ada's books hold such descriptions and
// names; every GET route that answers text/csv is checked.
func TestSecurityV1CSVExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := ss.seedBooks("ada@example.org")
	adaIDs := ss.idsOf(ss.userID("ada@example.org"))
	number := regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`)
	exports := 0

	for _, route := range routesOf(ss.testServer) {
		if route.method != http.MethodGet {
			continue
		}
		for _, id := range candidateIDs(route, adaIDs) {
			path := route.url(id)
			if !strings.Contains(path, "?") {
				path += "?from=2026-01-01&to=2026-12-31"
			}
			got := ada.browser.get(path)
			if got.status != http.StatusOK ||
				!strings.HasPrefix(got.header.Get("Content-Type"), "text/csv") {
				continue
			}
			exports++
			if !strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment") {
				t.Errorf("%s: Content-Disposition %q, want an attachment", path,
					got.header.Get("Content-Disposition"))
			}
			reader := csv.NewReader(strings.NewReader(got.body))
			reader.FieldsPerRecord = -1
			records, err := reader.ReadAll()
			if err != nil {
				t.Errorf("%s: not CSV: %v", path, err)
				continue
			}
			for _, record := range records {
				for _, cell := range record {
					if cell != "" && strings.ContainsRune("=+-@\t\r\n", rune(cell[0])) &&
						!number.MatchString(cell) {
						t.Errorf("%s: a cell a spreadsheet would run: %q", path, cell)
					}
					if strings.HasPrefix(cell, "'") && number.MatchString(cell[1:]) {
						t.Errorf("%s: an amount turned into text: %q", path, cell)
					}
				}
			}
		}
	}
	if exports == 0 {
		t.Skip("no route serves CSV yet")
	}
	t.Logf("checked %d CSV downloads", exports)
}
