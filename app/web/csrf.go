package web

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// CSRF protection: every page carries the session's token in <meta name="csrf-token">;
// forms send it as the field _csrf and htmx (through static/app.js) as the header
// X-CSRF-Token. The token is kept in the session and, for the double-submit check, in a
// cookie; every method but GET, HEAD and OPTIONS (TRACE and CONNECT are refused anyway)
// must send it, equal to both. Over HTTPS the Referer must also be this site, which is why
// the Referrer-Policy is same-origin and not no-referrer.
const (
	csrfHeader    = "X-CSRF-Token"
	csrfFormField = "_csrf"
)

// Why a request was refused, for the log.
var (
	errCSRFTokenMissing   = errors.New("csrf token not found")
	errCSRFTokenInvalid   = errors.New("csrf token invalid")
	errCSRFRefererMissing = errors.New("referer not supplied")
	errCSRFRefererForeign = errors.New("referer invalid")
)

// newCSRF returns the CSRF middleware, skipped when skip says so. It reads the session (once
// for the whole request), gives it a token if it has none, and stores it when it is new,
// changed, or due to have its expiry moved; an ordinary request of a signed-in user writes
// nothing.
func (s *Server) newCSRF(skip func(c *fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if skip != nil && skip(c) {
			return c.Next()
		}
		sess, err := s.requestSession(c)
		if err != nil {
			return err
		}

		if !safeMethod(c.Method()) {
			err = s.checkCSRFToken(c, sess)
			if err != nil {
				return s.csrfRejected(c, err)
			}
		}

		switch {
		case !sess.stored || sess.data.CSRFToken == "":
			if sess.data.CSRFToken == "" {
				sess.data.CSRFToken = newRandomID()
			}
			err = s.saveSession(c, sess)
		default:
			err = s.refreshSession(c, sess)
			if c.Cookies(s.csrfCookieName()) != sess.data.CSRFToken {
				c.Cookie(s.sessionCookie(s.csrfCookieName(), sess.data.CSRFToken, sess.expiresAt))
			}
		}
		if err != nil {
			return err
		}
		c.Vary(fiber.HeaderCookie)
		c.Locals(csrfTokenKey, sess.data.CSRFToken)
		return c.Next()
	}
}

// checkCSRFToken returns why an unsafe request may not go on, or nil: the token it sent
// must match both its cookie and its session, and over HTTPS it must come from this site.
func (s *Server) checkCSRFToken(c *fiber.Ctx, sess *webSession) error {
	if c.Protocol() == "https" {
		err := refererMatchesHost(c)
		if err != nil {
			return err
		}
	}
	token, err := csrfFromHeaderOrForm(c)
	if err != nil {
		return err
	}
	if !equalTokens(token, c.Cookies(s.csrfCookieName())) {
		return errCSRFTokenInvalid
	}
	if sess.data.CSRFToken == "" || !equalTokens(token, sess.data.CSRFToken) {
		// Whatever the browser holds belongs to no session: it gets a new token next time.
		c.Cookie(s.sessionCookie(s.csrfCookieName(), "", time.Unix(0, 0)))
		return errCSRFTokenMissing
	}
	return nil
}

func csrfFromHeaderOrForm(c *fiber.Ctx) (string, error) {
	token := c.Get(csrfHeader)
	if token == "" {
		token = c.FormValue(csrfFormField)
	}
	if token == "" {
		return "", errCSRFTokenMissing
	}
	return token, nil
}

// equalTokens compares in constant time, so that timing tells nothing about the token.
func equalTokens(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// refererMatchesHost checks that the request's Referer is a page of this site.
func refererMatchesHost(c *fiber.Ctx) error {
	referer := strings.ToLower(c.Get(fiber.HeaderReferer))
	if referer == "" {
		return errCSRFRefererMissing
	}
	refererURL, err := url.Parse(referer)
	if err != nil {
		return errCSRFRefererForeign
	}
	if refererURL.Scheme != c.Protocol() || refererURL.Host != c.Hostname() {
		return errCSRFRefererForeign
	}
	return nil
}

// skipAPICSRF says when an API request needs no CSRF check: when it authenticates with a
// bearer token (a browser never adds one by itself), or carries no session cookie (it will
// be refused as unauthenticated).
func (s *Server) skipAPICSRF(c *fiber.Ctx) bool {
	return c.Get(fiber.HeaderAuthorization) != "" || c.Cookies(s.sessionCookieName()) == ""
}

func (s *Server) csrfRejected(c *fiber.Ctx, err error) error {
	s.log(c).Warn("csrf token rejected", "reason", err.Error(), "method", c.Method(),
		"path", c.Path(), "ip", s.clientIP(c))
	return newRequestError(fiber.StatusForbidden, "csrf_failed",
		"This form has expired or did not come from this site. Reload the page and try again.")
}

// csrfToken returns the request's CSRF token, for the page's meta tag and forms.
func csrfToken(c *fiber.Ctx) string {
	token, _ := c.Locals(csrfTokenKey).(string)
	return token
}
