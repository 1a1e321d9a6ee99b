package web

import (
	"context"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"folio/app/config"
	"folio/eventstore/pgtest"
)

// A request that read a session and then writes it must not bring it back when it was
// deleted meanwhile, by a logout in another tab say: that would sign the session in again.
func TestSessionDeletedMeanwhileIsNotWrittenBack(t *testing.T) {
	t.Parallel()
	s := &Server{config: config.Config{DatabaseURL: pgtest.NewDatabase(t)}}
	err := s.openSessions()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.sessionStorage.Close() })
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	deleted := newRandomID()
	sess := &webSession{id: deleted, stored: true,
		data: sessionData{UserID: "3f8b1c1e-8d0e-4f1a-9a53-0c1d2e3f4a5b", CSRFToken: newRandomID()}}

	err = s.saveSession(c, sess)

	if err != nil {
		t.Fatalf("saveSession: %v", err)
	}
	var rows int
	err = s.sessionStorage.Conn().QueryRow(context.Background(),
		`SELECT count(*) FROM web_sessions WHERE k = $1`, deleted).Scan(&rows)
	if err != nil || rows != 0 {
		t.Errorf("rows of the deleted session: got %d (%v), want none", rows, err)
	}
	if sess.id == deleted || sess.data.UserID != "" || !sess.stored {
		t.Errorf("session after the save: got id changed %t, user %q, stored %t; want a new, "+
			"empty, stored one", sess.id != deleted, sess.data.UserID, sess.stored)
	}
}
