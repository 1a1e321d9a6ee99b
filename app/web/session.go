package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/storage/postgres/v3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/users"
	"folio/domain"
	"folio/eventstore/pgtypes"
)

// Session lifetimes. A session ends after sessionIdleTimeout without requests (its expiry
// moves ahead as it is used: session_store.go); a sign-in also ends sessionAbsoluteTimeout
// after it began, checked against the time kept in the session.
const (
	sessionIdleTimeout     = 2 * time.Hour
	sessionAbsoluteTimeout = 12 * time.Hour
)

const (
	sessionTable       = "web_sessions"   // created by migration 0103_web_sessions.sql
	sessionGCInterval  = 10 * time.Minute // how often expired sessions are deleted
	sessionConnsMax    = 8                // connections of the session storage's own pool
	sessionOpenTimeout = 10 * time.Second
	// randomIDBytes is the randomness in session ids and CSRF tokens: 256 bits.
	randomIDBytes = 32
)

// Cookie names. The __Host- prefix makes browsers refuse the cookie unless it is Secure, has
// Path=/ and no Domain, so a sibling subdomain cannot plant one; it needs HTTPS.
func (s *Server) sessionCookieName() string {
	if s.config.SessionCookieSecure {
		return "__Host-folio_session"
	}
	return "folio_session"
}

func (s *Server) csrfCookieName() string {
	if s.config.SessionCookieSecure {
		return "__Host-folio_csrf"
	}
	return "folio_csrf"
}

// newRandomID returns 256 random bits in unpadded base64url (43 characters), for session ids
// and CSRF tokens. Fiber's default, a UUID, carries only 122 random bits and looks guessable.
func newRandomID() string {
	random := make([]byte, randomIDBytes)
	_, _ = rand.Read(random) // crypto/rand.Read never fails; it crashes the program instead.
	return base64.RawURLEncoding.EncodeToString(random)
}

// openSessions opens the session storage on a pool of its own (the storage closes whatever
// pool it holds when it is closed) and the CSRF middleware that reads and writes the
// sessions. The storage panics instead of returning errors, so a panic during opening
// becomes an error here.
func (s *Server) openSessions() (err error) {
	poolConfig, err := pgxpool.ParseConfig(s.config.DatabaseURL)
	if err != nil {
		return errors.New("session storage: DATABASE_URL cannot be parsed")
	}
	poolConfig.MaxConns = sessionConnsMax
	pgtypes.Configure(poolConfig)

	ctx, cancel := context.WithTimeout(context.Background(), sessionOpenTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return fmt.Errorf("session storage: open pool: %w", err)
	}
	err = pool.Ping(ctx)
	if err != nil {
		pool.Close()
		return fmt.Errorf("session storage: %w", err)
	}

	defer func() {
		recovered := recover()
		if recovered != nil {
			pool.Close()
			err = fmt.Errorf("session storage: %v", recovered)
		}
	}()
	// Reset stays false: it would drop the table.
	s.sessionStorage = postgres.New(postgres.Config{
		DB:         pool,
		Table:      sessionTable,
		GCInterval: sessionGCInterval,
	})
	s.pageCSRF = s.newCSRF(nil)
	s.apiCSRF = s.newCSRF(s.skipAPICSRF)
	return nil
}

// loadUser is middleware: it reads the session and, when it belongs to a signed-in user
// whose sign-in is still valid, makes that user the request's current user. A sign-in that
// has ended (absolute timeout, password change, disabled account) is forgotten.
func (s *Server) loadUser(c *fiber.Ctx) error {
	sess, err := s.requestSession(c)
	if err != nil {
		return err
	}
	if sess.data.UserID == "" {
		return c.Next()
	}

	user, valid, err := s.sessionUser(c.UserContext(), sess.data)
	if err != nil {
		return err
	}
	if valid {
		c.Locals(userKey, user)
		return c.Next()
	}

	// Keep the session (and its CSRF token, which the page about to render needs) but not
	// the sign-in.
	sess.data.UserID, sess.data.LoginAt, sess.data.Generation = "", 0, 0
	err = s.saveSession(c, sess)
	if err != nil {
		return err
	}
	return c.Next()
}

// sessionUser returns the user signed in to a session and whether that sign-in is still
// valid.
func (s *Server) sessionUser(ctx context.Context, data sessionData) (users.User, bool, error) {
	id, err := uuid.Parse(data.UserID)
	if err != nil {
		return users.User{}, false, nil
	}
	if s.now().Sub(time.Unix(data.LoginAt, 0)) > sessionAbsoluteTimeout {
		return users.User{}, false, nil
	}

	user, err := s.users.ByID(ctx, id)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return users.User{}, false, nil
	}
	if err != nil {
		return users.User{}, false, err
	}
	if user.Disabled() || user.SessionGeneration != data.Generation {
		return users.User{}, false, nil
	}
	return user, true, nil
}

// requireUser is middleware for pages that need a signed-in user. Others are sent to the
// login page, which brings them back afterwards.
func (s *Server) requireUser(c *fiber.Ctx) error {
	_, ok := optionalUser(c)
	if ok {
		return c.Next()
	}

	target := "/login"
	if c.Method() == fiber.MethodGet && !isHTMX(c) {
		target += "?next=" + url.QueryEscape(c.OriginalURL())
	}
	if isHTMX(c) {
		// htmx follows a redirect inside its request; this makes it load the page instead.
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// startSession signs user in: it replaces the session (new id, old one deleted, data
// cleared, so a planted or stolen pre-login id is worthless) and records the sign-in. The
// CSRF token is cleared too: the next page gets a new one.
func (s *Server) startSession(c *fiber.Ctx, user users.User) error {
	sess, err := s.requestSession(c)
	if err != nil {
		return err
	}
	err = s.resetSession(c, sess)
	if err != nil {
		return err
	}

	sess.data.UserID = user.ID.String()
	sess.data.LoginAt = s.now().Unix()
	sess.data.Generation = user.SessionGeneration
	err = s.saveSession(c, sess)
	if err != nil {
		return err
	}
	c.Locals(userKey, user)
	return nil
}

// endSession deletes the session from storage and expires its cookie.
func (s *Server) endSession(c *fiber.Ctx) error {
	sess, err := s.requestSession(c)
	if err != nil {
		return err
	}
	err = s.destroySession(c, sess)
	if err != nil {
		return err
	}
	c.Locals(userKey, nil)
	return nil
}

// optionalUser returns the signed-in user of the request, if there is one.
func optionalUser(c *fiber.Ctx) (users.User, bool) {
	user, ok := c.Locals(userKey).(users.User)
	return user, ok
}

// currentUser returns the signed-in user of a request on a route behind requireUser or the
// API's authentication. Calling it elsewhere is a routing bug, so it panics.
func currentUser(c *fiber.Ctx) users.User {
	user, ok := optionalUser(c)
	if !ok {
		panic("web: currentUser on a route without authentication: " + c.Route().Path)
	}
	return user
}
