package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"folio/app/web"
)

func TestRegisterCallsOnRegister(t *testing.T) {
	t.Parallel()
	var opened []uuid.UUID
	ts := newTestServer(t, func(deps *web.Deps) {
		deps.OnRegister = func(_ context.Context, userID uuid.UUID) error {
			opened = append(opened, userID)
			return nil
		}
	})

	ts.client().register("ada@example.org")

	if len(opened) != 1 || opened[0] != ts.userID("ada@example.org") {
		t.Errorf("OnRegister: got %v, want the new user's id", opened)
	}
}

func TestRegisterUndoneWhenOnRegisterFails(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(deps *web.Deps) {
		deps.OnRegister = func(context.Context, uuid.UUID) error {
			return errors.New("open books: SQLSTATE 40001 at eventstore/store.go:42")
		}
	})
	browser := ts.client()
	browser.get("/register")

	got := browser.post("/register", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}})

	wantStatus(t, got, http.StatusInternalServerError)
	wantBodyContains(t, got, got.header.Get("X-Request-ID"))
	if strings.Contains(got.body, "SQLSTATE") || strings.Contains(got.body, "store.go") {
		t.Errorf("the error page shows internals:\n%s", got.body)
	}
	if n := ts.count(`SELECT count(*) FROM users`); n != 0 {
		t.Errorf("users: got %d, want the registration undone", n)
	}
	wantStatus(t, browser.get("/"), http.StatusSeeOther)
}

func TestRegisterRejectsTakenEmail(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.client().register("ada@example.org")
	browser := ts.client()
	browser.get("/register")

	got := browser.post("/register", url.Values{"email": {"ADA@example.org"},
		"password": {testPassword}})

	wantStatus(t, got, http.StatusUnprocessableEntity)
	wantBodyContains(t, got, "an account with this email already exists")
	if n := ts.count(`SELECT count(*) FROM users`); n != 1 {
		t.Errorf("users: got %d, want 1", n)
	}
}

func TestRegistrationClosedByConfiguration(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(deps *web.Deps) { deps.Config.RegistrationOpen = false })
	browser := ts.client()

	page := browser.get("/register")
	wantStatus(t, page, http.StatusForbidden)
	wantBodyContains(t, page, "Registration is closed")
	got := browser.post("/register", url.Values{"email": {"ada@example.org"},
		"password": {testPassword}})

	wantStatus(t, got, http.StatusForbidden)
	if n := ts.count(`SELECT count(*) FROM users`); n != 0 {
		t.Errorf("users: got %d, want none", n)
	}
}

func TestAdminClosesRegistration(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	_, err := ts.users.Create(context.Background(), "admin@example.org", testPassword, true)
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	user := ts.client()
	user.register("ada@example.org")
	admin := ts.client()
	admin.login("admin@example.org", testPassword)

	settings := user.get("/settings")
	if strings.Contains(settings.body, "/settings/registration") {
		t.Error("a user's settings show the registration switch")
	}
	forbidden := user.post("/settings/registration", url.Values{"open": {"false"}})
	wantStatus(t, forbidden, http.StatusForbidden)
	wantStatus(t, ts.client().get("/register"), http.StatusOK)

	wantBodyContains(t, admin.get("/settings"), "Registration is <strong>open</strong>")
	closed := admin.post("/settings/registration", url.Values{"open": {"false"}})
	wantStatus(t, closed, http.StatusSeeOther)

	wantBodyContains(t, admin.get("/settings"), "Registration is <strong>closed</strong>")
	wantStatus(t, ts.client().get("/register"), http.StatusForbidden)
}
