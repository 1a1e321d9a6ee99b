package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"folio/app/ledger"
	"folio/domain"
	"folio/projections"
)

// adminClient creates an admin account and signs it in.
func (ts *testServer) adminClient(email string) *client {
	ts.t.Helper()
	if _, err := ts.users.Create(context.Background(), email, testPassword, true); err != nil {
		ts.t.Fatal(err)
	}
	cl := ts.client()
	wantStatus(ts.t, cl.login(email, testPassword), http.StatusSeeOther)
	cl.get("/admin")
	return cl
}

func TestAdminRoutesAre404ForEverybodyElse(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	user := ts.signedIn("user@example.com")
	anonymous := ts.client()
	anonymous.get("/login")
	admin := ts.adminClient("root@example.com")

	paths := map[string]bool{"/admin/nothing-here": true, "/admin/users": true}
	methods := map[string]bool{}
	for _, route := range ts.server.App().GetRoutes(true) {
		if route.Path == "/admin" || strings.HasPrefix(route.Path, "/admin/") {
			paths[concretePath(route.Path)] = true
			methods[route.Method] = true
		}
	}
	// TRACE and CONNECT are refused with 405 on every path, before any route is looked up.
	delete(methods, http.MethodTrace)
	delete(methods, http.MethodConnect)
	if len(paths) < 6 {
		t.Fatalf("found only %v under /admin", paths)
	}
	for path := range paths {
		for method := range methods {
			for name, cl := range map[string]*client{"user": user, "anonymous": anonymous} {
				got := cl.api(method, path, nil, map[string]string{"X-CSRF-Token": cl.csrf})
				if got.status != http.StatusNotFound {
					t.Errorf("%s %s as %s: got %d, want 404", method, path, name, got.status)
				}
			}
		}
	}
	unknown := admin.api(http.MethodGet, "/admin/nothing-here", nil, nil)
	wantStatus(t, unknown, http.StatusNotFound)
	wantStatus(t, admin.api(http.MethodPut, "/admin", nil, nil), http.StatusNotFound)
	wantStatus(t, admin.get("/admin"), http.StatusOK)
}

func TestAdminManagesUsersWithoutSeeingTheirBooks(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	user := ts.signedIn("user@example.com")
	ts.books("user@example.com").record("2026-01-05", "Secret supplier", "Groceries", "98765.43")
	admin := ts.adminClient("root@example.com")
	userID := ts.userID("user@example.com")

	page := admin.get("/admin")
	wantStatus(t, page, http.StatusOK)
	wantBodyContains(t, page, "user@example.com", "root@example.com", "accounts: ", "journal: ",
		"head of the log (inline)", "Rebuild from the events")
	for _, secret := range []string{"Secret supplier", "98765", "Groceries"} {
		if strings.Contains(page.body, secret) {
			t.Errorf("the admin page shows %q from the user's books", secret)
		}
	}

	wantStatus(t, admin.post("/admin/users/"+userID.String()+"/disable", nil), http.StatusSeeOther)
	if got := user.get("/settings"); got.status != http.StatusSeeOther {
		t.Errorf("a disabled user's session: got %d, want a redirect to sign in", got.status)
	}
	wantBodyContains(t, admin.get("/admin"), "<strong>disabled</strong>")
	wantStatus(t, admin.post("/admin/users/"+userID.String()+"/enable", nil), http.StatusSeeOther)
	wantStatus(t, user.login("user@example.com", testPassword), http.StatusSeeOther)

	rootID := ts.userID("root@example.com")
	wantStatus(t, admin.post("/admin/users/"+rootID.String()+"/disable", nil),
		http.StatusUnprocessableEntity)
	wantStatus(t, admin.post("/admin/users/0b7e4f7a-95c2-4d3e-8f61-2a9c4e5d7b13/disable", nil),
		http.StatusNotFound)

	wantStatus(t, admin.post("/admin/registration", url.Values{"open": {"false"}}), http.StatusSeeOther)
	wantStatus(t, ts.client().get("/register"), http.StatusForbidden)
	wantStatus(t, admin.post("/admin/registration", url.Values{"open": {"true"}}), http.StatusSeeOther)
	wantStatus(t, ts.client().get("/register"), http.StatusOK)
}

func ledgerMeta(books *auditBooks) ledger.Meta {
	return ledger.Meta{UserID: books.userID}
}

// rebuildOutcome waits for the latest rebuild to finish and returns its outcome.
func (ts *testServer) rebuildOutcome() (outcome, message string) {
	ts.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		err := ts.pool.QueryRow(context.Background(), `SELECT coalesce(outcome, ''), error
			FROM rebuild_runs ORDER BY finished_at IS NULL DESC, started_at DESC LIMIT 1`).
			Scan(&outcome, &message)
		if err != nil {
			ts.t.Fatal(err)
		}
		if outcome != "" {
			return outcome, message
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.t.Fatal("the rebuild did not finish within a minute")
	return "", ""
}

func TestAdminRebuildUnderConcurrentWritesEqualsAFreshFold(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	emails := []string{"ann@example.com", "bob@example.com", "cy@example.com"}
	var writers []*auditBooks
	for _, email := range emails {
		ts.signedIn(email)
		books := ts.books(email)
		for i := 0; i < 30; i++ {
			books.record("2026-01-05", fmt.Sprintf("Before %d", i), "Groceries", "1.25")
		}
		writers = append(writers, books)
	}
	admin := ts.adminClient("root@example.com")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, books := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				entry := books.entry("2026-02-01", fmt.Sprintf("During %d", i), "Transport", "2.40")
				if _, err := books.service.Execute(context.Background(),
					ledgerMeta(books), domain.RecordTransaction{Entry: entry}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	started := admin.api(http.MethodPost, "/admin/rebuild", nil,
		map[string]string{"X-CSRF-Token": admin.csrf, "HX-Request": "true"})
	wantStatus(t, started, http.StatusOK)
	outcome, message := ts.rebuildOutcome()
	time.Sleep(100 * time.Millisecond) // writes go on after the swap too
	close(stop)
	wg.Wait()

	if outcome != "done" {
		t.Fatalf("rebuild: got %s (%s), want done", outcome, message)
	}
	for _, email := range emails {
		diff, err := projections.Verify(context.Background(), ts.pool, ts.userID(email))
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Errorf("read models of %s after the rebuild: %s", email, diff)
		}
	}
	status := admin.api(http.MethodGet, "/admin/rebuild", nil, map[string]string{"HX-Request": "true"})
	wantBodyContains(t, status, "<strong>done</strong>")
	if strings.Contains(status.body, "every 1s") {
		t.Error("a finished rebuild is still polled")
	}
	if n := ts.count(`SELECT count(*) FROM projection_state WHERE rebuilt_at IS NOT NULL`); n == 0 {
		t.Error("the rebuild recorded no projection state")
	}
}

func TestAdminRebuildRunsOneAtATimeAndCancels(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.signedIn("ann@example.com")
	ts.books("ann@example.com").record("2026-01-05", "Market", "Groceries", "12.50")
	admin := ts.adminClient("root@example.com")
	htmx := func() map[string]string {
		return map[string]string{"X-CSRF-Token": admin.csrf, "HX-Request": "true"}
	}

	// Hold the log so that the rebuild cannot read it, and stays running.
	ctx := context.Background()
	hold, err := ts.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(ctx) }()
	if _, err := hold.Exec(ctx, `LOCK TABLE events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	wantStatus(t, admin.api(http.MethodPost, "/admin/rebuild", nil, htmx()), http.StatusOK)
	running := admin.api(http.MethodGet, "/admin/rebuild", nil, map[string]string{"HX-Request": "true"})
	wantBodyContains(t, running, `hx-trigger="every 1s"`, "<progress", "Cancel the rebuild")
	second := admin.api(http.MethodPost, "/admin/rebuild", nil, htmx())
	wantStatus(t, second, http.StatusConflict)
	wantBodyContains(t, second, "a rebuild is already running")

	wantStatus(t, admin.api(http.MethodPost, "/admin/rebuild/cancel", nil, htmx()), http.StatusOK)
	outcome, _ := ts.rebuildOutcome()
	if outcome != "cancelled" {
		t.Errorf("after cancelling: got %s, want cancelled", outcome)
	}
	_ = hold.Rollback(ctx)
	wantStatus(t, admin.api(http.MethodPost, "/admin/rebuild/cancel", nil, htmx()), http.StatusConflict)

	diff, err := projections.Verify(ctx, ts.pool, ts.userID("ann@example.com"))
	if err != nil || diff != "" {
		t.Errorf("read models after a cancelled rebuild: %q, %v", diff, err)
	}

	// A run whose instance stopped sending heartbeats does not block the next one.
	ts.clock.Advance(time.Minute)
	ts.exec(`INSERT INTO rebuild_runs (id, started_by, started_at, heartbeat_at)
		VALUES (gen_random_uuid(), gen_random_uuid(), now() - interval '1 hour', now() - interval '1 hour')`)
	wantStatus(t, admin.api(http.MethodPost, "/admin/rebuild", nil, htmx()), http.StatusOK)
	if outcome, message := ts.rebuildOutcome(); outcome != "done" {
		t.Errorf("after a dead run: got %s (%s), want done", outcome, message)
	}
	if n := ts.count(`SELECT count(*) FROM rebuild_runs WHERE error LIKE '%stopped answering%'`); n != 1 {
		t.Errorf("dead runs marked failed: got %d, want 1", n)
	}
}
