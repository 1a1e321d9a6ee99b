package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
)

// A browser's session is one row of web_sessions: k the id, v the data as JSON, e the expiry
// in Unix seconds of the real clock. A request reads its session once (requestSession) and
// writes it only when something in it changed, or to move its expiry (sessionRefreshAfter),
// so that a signed-in user's ordinary requests write nothing. The storage of
// gofiber/storage/postgres, which created the layout, deletes expired rows and owns the pool.

// sessionRefreshAfter is how long after the last write a request moves the session's expiry
// sessionIdleTimeout ahead again: a session ends between sessionIdleTimeout minus this and
// sessionIdleTimeout after its last request.
const sessionRefreshAfter = 10 * time.Minute

// sessionIDLength is the length of every session id newRandomID makes. Cookies of another
// length name no session and cost no query.
const sessionIDLength = 43

// sessionData is what a session holds.
type sessionData struct {
	// The sign-in: the user's uuid, when (Unix seconds of s.now) and at which
	// users.User.SessionGeneration.
	UserID     string `json:"user_id,omitempty"`
	LoginAt    int64  `json:"login_at,omitempty"`
	Generation int    `json:"generation,omitempty"`
	// CSRFToken is the token every unsafe request must carry (csrf.go).
	CSRFToken string `json:"csrf,omitempty"`
	// A sign-in waiting for its second factor (twofactor.go). It never sets UserID, so
	// nothing treats the session as signed in.
	PendingUserID     string `json:"twofactor_user_id,omitempty"`
	PendingAt         int64  `json:"twofactor_at,omitempty"`
	PendingGeneration int    `json:"twofactor_generation,omitempty"`
	PendingNext       string `json:"twofactor_next,omitempty"`
}

// webSession is the session of one request.
type webSession struct {
	id        string
	data      sessionData
	stored    bool      // a row holds this session; false until a new session is saved
	expiresAt time.Time // the row's expiry, when stored
}

// requestSession returns the request's session: the one its cookie names, or a new one with
// a new id (not stored until saveSession) when the cookie names none that is alive. It is
// read from the database once per request; later calls return the same session.
func (s *Server) requestSession(c *fiber.Ctx) (*webSession, error) {
	sess, ok := c.Locals(sessionKey).(*webSession)
	if ok {
		return sess, nil
	}
	sess, err := s.readSession(c.UserContext(), c.Cookies(s.sessionCookieName()))
	if err != nil {
		return nil, err
	}
	c.Locals(sessionKey, sess)
	return sess, nil
}

func (s *Server) readSession(ctx context.Context, id string) (*webSession, error) {
	if len(id) != sessionIDLength {
		return newSession(), nil
	}

	var encoded []byte
	var expiresUnix int64
	err := s.sessionStorage.Conn().QueryRow(ctx,
		`SELECT v, e FROM `+sessionTable+` WHERE k = $1`, id).Scan(&encoded, &expiresUnix)
	if errors.Is(err, pgx.ErrNoRows) {
		return newSession(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	expiresAt := time.Unix(expiresUnix, 0)
	if !expiresAt.After(time.Now()) {
		return newSession(), nil
	}
	var data sessionData
	err = json.Unmarshal(encoded, &data)
	if err != nil {
		// Written in another format, by an older release: it signs nobody in.
		return newSession(), nil
	}
	return &webSession{id: id, data: data, stored: true, expiresAt: expiresAt}, nil
}

// newSession returns an empty session under a new id, not stored yet.
func newSession() *webSession {
	return &webSession{id: newRandomID()}
}

// saveSession writes the session's data and moves its expiry sessionIdleTimeout ahead, and
// sends its cookies. A stored session that has been deleted meanwhile (a logout in another
// tab) is not brought back: the request goes on with a new, empty session instead.
func (s *Server) saveSession(c *fiber.Ctx, sess *webSession) error {
	encoded, err := json.Marshal(sess.data)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	expiresAt := time.Now().Add(sessionIdleTimeout)
	pool := s.sessionStorage.Conn()

	if sess.stored {
		tag, err := pool.Exec(c.UserContext(),
			`UPDATE `+sessionTable+` SET v = $2, e = $3 WHERE k = $1`,
			sess.id, encoded, expiresAt.Unix())
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		if tag.RowsAffected() == 1 {
			sess.expiresAt = expiresAt
			s.setSessionCookies(c, sess)
			return nil
		}
		*sess = *newSession()
		sess.data.CSRFToken = newRandomID()
		encoded, err = json.Marshal(sess.data)
		if err != nil {
			return fmt.Errorf("encode session: %w", err)
		}
	}

	_, err = pool.Exec(c.UserContext(), `INSERT INTO `+sessionTable+` (k, v, e) VALUES ($1, $2, $3)`,
		sess.id, encoded, expiresAt.Unix())
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	sess.stored, sess.expiresAt = true, expiresAt
	s.setSessionCookies(c, sess)
	return nil
}

// refreshSession moves a stored session's expiry sessionIdleTimeout ahead when it was last
// moved more than sessionRefreshAfter ago. It never rewrites the data, so it cannot undo a
// change another request made meanwhile.
func (s *Server) refreshSession(c *fiber.Ctx, sess *webSession) error {
	if !sess.stored || time.Until(sess.expiresAt) > sessionIdleTimeout-sessionRefreshAfter {
		return nil
	}
	expiresAt := time.Now().Add(sessionIdleTimeout)
	tag, err := s.sessionStorage.Conn().Exec(c.UserContext(),
		`UPDATE `+sessionTable+` SET e = $2 WHERE k = $1`, sess.id, expiresAt.Unix())
	if err != nil {
		return fmt.Errorf("refresh session: %w", err)
	}
	if tag.RowsAffected() == 1 {
		sess.expiresAt = expiresAt
		s.setSessionCookies(c, sess)
	}
	return nil
}

// resetSession replaces the session with an empty one under a new id; the old row is
// deleted, so a planted or stolen id is worthless. The new session is stored by saveSession.
func (s *Server) resetSession(c *fiber.Ctx, sess *webSession) error {
	if sess.stored {
		err := s.sessionStorage.DeleteWithContext(c.UserContext(), sess.id)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
	}
	*sess = *newSession()
	return nil
}

// destroySession deletes the session and expires its cookie. The rest of the request has a
// new session, which nothing stores.
func (s *Server) destroySession(c *fiber.Ctx, sess *webSession) error {
	err := s.sessionStorage.DeleteWithContext(c.UserContext(), sess.id)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	*sess = *newSession()
	c.Cookie(s.sessionCookie(s.sessionCookieName(), "", time.Unix(0, 0)))
	return nil
}

// setSessionCookies sends the session id and its CSRF token; both cookies expire with the
// stored session.
func (s *Server) setSessionCookies(c *fiber.Ctx, sess *webSession) {
	c.Cookie(s.sessionCookie(s.sessionCookieName(), sess.id, sess.expiresAt))
	if sess.data.CSRFToken != "" {
		c.Cookie(s.sessionCookie(s.csrfCookieName(), sess.data.CSRFToken, sess.expiresAt))
	}
}

// sessionCookie returns a cookie that only this site's pages send back, which scripts cannot
// read, expiring at expiresAt (now or before: deleted).
func (s *Server) sessionCookie(name, value string, expiresAt time.Time) *fiber.Cookie {
	maxAge := int(time.Until(expiresAt).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	return &fiber.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		Expires:  expiresAt,
		MaxAge:   maxAge,
		Secure:   s.config.SessionCookieSecure,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	}
}
