package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/ledger"
	"folio/domain"
	"folio/eventstore"
	"folio/projections"
)

// auditBooks writes to one user's books behind the server's back, as another process would.
type auditBooks struct {
	t       *testing.T
	service *ledger.Service
	userID  uuid.UUID
}

func (ts *testServer) books(email string) *auditBooks {
	store := eventstore.New(ts.pool, eventstore.WithProjector(projections.Projector{}))
	return &auditBooks{t: ts.t, service: ledger.New(store, slog.New(slog.DiscardHandler), 4),
		userID: ts.userID(email)}
}

func (b *auditBooks) execute(cmd domain.Command) ledger.Result {
	b.t.Helper()
	result, err := b.service.Execute(context.Background(), ledger.Meta{UserID: b.userID}, cmd)
	if err != nil {
		b.t.Fatalf("%s: %v", domain.CommandName(cmd), err)
	}
	return result
}

func (b *auditBooks) read() *domain.Books {
	var books *domain.Books
	err := b.service.Read(context.Background(), b.userID, func(read *domain.Books) error {
		books = read
		return nil
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return books
}

func (b *auditBooks) account(name string) uuid.UUID {
	b.t.Helper()
	account, ok := b.read().AccountByName(name)
	if !ok {
		b.t.Fatalf("no account %q", name)
	}
	return account.ID
}

// entry is a transaction of amount from Checking to the account named to.
func (b *auditBooks) entry(date, description, to, amount string) domain.Entry {
	value := decimal.RequireFromString(amount)
	return domain.Entry{Date: domain.MustDate(date), Description: description,
		Postings: []domain.Posting{
			{AccountID: b.account(to), Amount: value, Currency: "EUR"},
			{AccountID: b.account("Checking"), Amount: value.Neg(), Currency: "EUR"},
		}}
}

func (b *auditBooks) record(date, description, to, amount string) uuid.UUID {
	b.t.Helper()
	result := b.execute(domain.RecordTransaction{Entry: b.entry(date, description, to, amount)})
	return result.Events[0].(domain.TransactionRecorded).TransactionID
}

func (ts *testServer) streamVersion(userID uuid.UUID) int {
	ts.t.Helper()
	return ts.count(`SELECT coalesce(max(version), 0) FROM streams WHERE user_id = $1`, userID)
}

// signedIn registers email and returns its browser; registration opens the books.
func (ts *testServer) signedIn(email string) *client {
	ts.t.Helper()
	cl := ts.client()
	cl.register(email)
	cl.get("/settings") // the page's CSRF token belongs to the new session
	return cl
}

// grant gives auditor read access to the books of owner through the API and returns its id.
func grant(t *testing.T, owner *client, auditorEmail string) string {
	t.Helper()
	got := owner.api(http.MethodPost, "/api/v1/grants", map[string]string{"email": auditorEmail},
		map[string]string{"X-CSRF-Token": owner.csrf})
	wantStatus(t, got, http.StatusCreated)
	var created struct{ ID string }
	decode(t, got, &created)
	return created.ID
}

// handlerNames lists the functions of a route's chain.
func handlerNames(route fiber.Route) string {
	var names []string
	for _, handler := range route.Handlers {
		names = append(names, runtime.FuncForPC(reflect.ValueOf(handler).Pointer()).Name())
	}
	return strings.Join(names, " ")
}

// routeOutsideBooks reports whether a route reads no books: pages and endpoints for
// everybody (no sign-in in their chain), the switch between books, and the admin pages
// (which admin_test.go covers).
func routeOutsideBooks(route fiber.Route) bool {
	chain := handlerNames(route)
	signedIn := strings.Contains(chain, "requireUser") || strings.Contains(chain, "authenticateAPI")
	return !signedIn || route.Path == "/books/switch" || route.Path == "/admin" ||
		strings.HasPrefix(route.Path, "/admin/")
}

// concretePath fills a route's parameters with a made-up id.
func concretePath(route string) string {
	parts := strings.Split(route, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") || part == "*" {
			parts[i] = "0b7e4f7a-95c2-4d3e-8f61-2a9c4e5d7b13"
		}
	}
	return strings.Join(parts, "/")
}

// withBook adds book=<owner id> to path.
func withBook(path string, ownerID uuid.UUID) string {
	separator := "?"
	if strings.Contains(path, "?") {
		separator = "&"
	}
	return path + separator + "book=" + ownerID.String()
}

// accountAPIRoutes answer about the caller's account, not about the books on screen, so an
// auditor and an owner get different bodies from them.
var accountAPIRoutes = map[string]bool{"/api/v1/me": true, "/api/v1/tokens": true,
	"/api/v1/grants": true, "/api/v1/access-log": true}

func TestAuditorReadsEveryRouteWhileGrantedAndNothingAfterRevoke(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	auditor := ts.signedIn("auditor@example.com")
	ownerID := ts.userID("owner@example.com")
	books := ts.books("owner@example.com")
	groceries := books.record("2026-01-05", "Market", "Groceries", "12.50")
	books.execute(domain.AmendTransaction{TransactionID: groceries,
		Entry: books.entry("2026-01-05", "Market", "Groceries", "15.20")})
	grantID := grant(t, owner, "auditor@example.com")

	var reads, writes []fiber.Route
	for _, route := range ts.server.App().GetRoutes(true) {
		if routeOutsideBooks(route) {
			continue
		}
		if !strings.Contains(handlerNames(route), "resolveBook") {
			t.Errorf("%s %s does not run resolveBook: auditors would read the wrong books",
				route.Method, route.Path)
			continue
		}
		if route.Method == http.MethodGet || route.Method == http.MethodHead {
			reads = append(reads, route)
		} else {
			writes = append(writes, route)
		}
	}
	if len(reads) < 10 || len(writes) < 5 {
		t.Fatalf("found %d read and %d write routes; the enumeration is broken", len(reads), len(writes))
	}

	csrfHeader := func(cl *client) map[string]string {
		return map[string]string{"X-CSRF-Token": cl.csrf}
	}
	var viewed []string
	for _, route := range reads {
		path := concretePath(route.Path)
		ownView := owner.api(route.Method, path, nil, nil)
		audited := auditor.api(route.Method, withBook(path, ownerID), nil, nil)
		if audited.status != ownView.status {
			t.Errorf("%s %s as auditor: got %d, want the owner's %d\n%s", route.Method, path,
				audited.status, ownView.status, audited.body)
		}
		if strings.HasPrefix(path, "/api/") && !accountAPIRoutes[path] &&
			route.Method == http.MethodGet && audited.body != ownView.body {
			t.Errorf("GET %s as auditor: got\n%s\nwant the owner's\n%s", path, audited.body,
				ownView.body)
		}
		if route.Method == http.MethodGet {
			viewed = append(viewed, path)
		}
	}

	versionBefore := ts.streamVersion(ownerID)
	for _, route := range writes {
		path := concretePath(route.Path)
		got := auditor.api(route.Method, withBook(path, ownerID), map[string]any{},
			csrfHeader(auditor))
		if got.status != http.StatusForbidden {
			t.Errorf("%s %s as auditor: got %d, want 403\n%s", route.Method, path, got.status,
				got.body)
		}
	}
	if got := ts.streamVersion(ownerID); got != versionBefore {
		t.Errorf("the auditor changed the books: version %d, was %d", got, versionBefore)
	}

	log := map[string]int{}
	var page struct {
		Entries []struct {
			AuditorEmail string `json:"auditor_email"`
			Method       string
			Path         string
			Status       int
		}
	}
	decode(t, owner.api(http.MethodGet, "/api/v1/access-log?limit=500", nil, nil), &page)
	for _, entry := range page.Entries {
		if entry.AuditorEmail != "auditor@example.com" {
			t.Errorf("access log entry by %q", entry.AuditorEmail)
		}
		log[entry.Method+" "+entry.Path]++
	}
	for _, path := range viewed {
		if log["GET "+strings.SplitN(path, "?", 2)[0]] == 0 {
			t.Errorf("the owner's access log lacks GET %s", path)
		}
	}
	for _, route := range writes {
		if log[route.Method+" "+concretePath(route.Path)] == 0 {
			t.Errorf("the owner's access log lacks the refused %s %s", route.Method, route.Path)
		}
	}

	got := owner.api(http.MethodDelete, "/api/v1/grants/"+grantID, nil, csrfHeader(owner))
	wantStatus(t, got, http.StatusNoContent)
	for _, route := range reads {
		path := withBook(concretePath(route.Path), ownerID)
		got := auditor.api(route.Method, path, nil, nil)
		if got.status != http.StatusNotFound {
			t.Errorf("%s %s after revoke: got %d, want 404\n%s", route.Method, path, got.status,
				got.body)
		}
	}
	if strings.Contains(auditor.get("/api/v1/me").body, ownerID.String()) {
		t.Error("GET /api/v1/me still lists the revoked books")
	}
}

func TestAuditorSwitchesIntoGrantedBooksUnderABanner(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	auditor := ts.signedIn("auditor@example.com")
	stranger := ts.signedIn("stranger@example.com")
	ownerID := ts.userID("owner@example.com")
	ts.books("owner@example.com").record("2026-02-01", "Rent", "Rent", "700.00")
	wantStatus(t, owner.post("/grants", url.Values{"email": {"auditor@example.com"}}),
		http.StatusSeeOther)

	var me struct {
		Books []struct{ ID, Owner string }
	}
	decode(t, auditor.get("/api/v1/me"), &me)
	if len(me.Books) != 1 || me.Books[0].ID != ownerID.String() ||
		me.Books[0].Owner != "owner@example.com" {
		t.Fatalf("GET /api/v1/me books: got %+v, want the owner's", me.Books)
	}
	page := auditor.get("/grants")
	wantBodyContains(t, page, "owner@example.com", "Open read-only")

	got := stranger.post("/books/switch", url.Values{"book": {ownerID.String()}})
	wantStatus(t, got, http.StatusNotFound)
	got = auditor.post("/books/switch", url.Values{"book": {ownerID.String()}})
	wantStatus(t, got, http.StatusSeeOther)

	history := auditor.get("/history")
	wantStatus(t, history, http.StatusOK)
	wantBodyContains(t, history, "You are viewing the books of <strong>owner@example.com</strong>",
		"Recorded “Rent” dated 2026-02-01", "Back to my own books")
	refused := auditor.post("/grants", url.Values{"email": {"stranger@example.com"}})
	wantStatus(t, refused, http.StatusForbidden)
	if n := ts.count(`SELECT count(*) FROM audit_grants`); n != 1 {
		t.Errorf("grants: got %d, want 1", n)
	}

	got = auditor.post("/books/switch", url.Values{"book": {""}})
	wantStatus(t, got, http.StatusSeeOther)
	own := auditor.get("/history")
	if strings.Contains(own.body, "You are viewing the books of") ||
		strings.Contains(own.body, "Recorded “Rent”") {
		t.Errorf("after switching back the auditor still sees the owner's books:\n%s", own.body)
	}

	// Switched in again, the auditor loses everything at the revoke: one 404, then their own
	// books.
	auditor.post("/books/switch", url.Values{"book": {ownerID.String()}})
	owner.get("/grants")
	var id string
	if err := ts.pool.QueryRow(context.Background(), `SELECT id::text FROM audit_grants`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, owner.post("/grants/"+id+"/revoke", nil), http.StatusSeeOther)
	wantStatus(t, auditor.get("/history"), http.StatusNotFound)
	after := auditor.get("/history")
	wantStatus(t, after, http.StatusOK)
	if strings.Contains(after.body, "Recorded “Rent”") {
		t.Errorf("after the revoke the auditor still sees the owner's books:\n%s", after.body)
	}
}

func TestGrantsAPI(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	other := ts.signedIn("other@example.com")
	ts.signedIn("auditor@example.com")
	if _, err := ts.users.Create(context.Background(), "root@example.com", testPassword, true); err != nil {
		t.Fatal(err)
	}
	header := func(cl *client) map[string]string { return map[string]string{"X-CSRF-Token": cl.csrf} }
	create := func(email string) response {
		return owner.api(http.MethodPost, "/api/v1/grants", map[string]string{"email": email},
			header(owner))
	}

	id := grant(t, owner, " Auditor@Example.com ")
	wantAPIError(t, create("auditor@example.com"), http.StatusConflict, "conflict")
	wantAPIError(t, create("nobody@example.com"), http.StatusUnprocessableEntity, "invalid")
	wantAPIError(t, create("owner@example.com"), http.StatusUnprocessableEntity, "invalid")
	wantAPIError(t, create("root@example.com"), http.StatusUnprocessableEntity, "invalid")

	var list struct {
		Grants []struct{ ID, Email string }
	}
	decode(t, owner.api(http.MethodGet, "/api/v1/grants", nil, nil), &list)
	if len(list.Grants) != 1 || list.Grants[0].ID != id || list.Grants[0].Email != "auditor@example.com" {
		t.Errorf("GET /api/v1/grants: got %+v", list.Grants)
	}
	decode(t, other.api(http.MethodGet, "/api/v1/grants", nil, nil), &list)
	if len(list.Grants) != 0 {
		t.Errorf("another owner sees grants: %+v", list.Grants)
	}

	wantAPIError(t, other.api(http.MethodDelete, "/api/v1/grants/"+id, nil, header(other)),
		http.StatusNotFound, "not_found")
	wantAPIError(t, owner.api(http.MethodDelete, "/api/v1/grants/not-an-id", nil, header(owner)),
		http.StatusNotFound, "not_found")
	wantStatus(t, owner.api(http.MethodDelete, "/api/v1/grants/"+id, nil, header(owner)),
		http.StatusNoContent)
	wantAPIError(t, owner.api(http.MethodDelete, "/api/v1/grants/"+id, nil, header(owner)),
		http.StatusNotFound, "not_found")
	grant(t, owner, "auditor@example.com") // granting again after a revoke works
}

func TestAdminsNeverReadOtherBooks(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	ownerID := ts.userID("owner@example.com")
	ts.signedIn("later-admin@example.com")
	grant(t, owner, "later-admin@example.com")
	_, err := ts.pool.Exec(context.Background(),
		`UPDATE users SET is_admin = true WHERE email = 'later-admin@example.com'`)
	if err != nil {
		t.Fatal(err)
	}
	admin := ts.client()
	admin.login("later-admin@example.com", testPassword)

	wantStatus(t, admin.get(withBook("/history", ownerID)), http.StatusNotFound)
	wantStatus(t, admin.get(withBook("/api/v1/accounts", ownerID)), http.StatusNotFound)
	admin.get("/grants")
	wantStatus(t, admin.post("/books/switch", url.Values{"book": {ownerID.String()}}),
		http.StatusNotFound)
}
