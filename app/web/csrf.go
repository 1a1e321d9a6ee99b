package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
)

// CSRF protection: every page carries the session's token in <meta name="csrf-token">;
// forms send it as the field _csrf and htmx (through static/app.js) as the header
// X-CSRF-Token. Fiber's middleware keeps the token in the session and checks it, and the
// matching cookie, on every method but GET, HEAD, OPTIONS and TRACE (which is refused
// anyway). Over HTTPS it also insists that the Referer is this site, which is why the
// Referrer-Policy is same-origin and not no-referrer.
const (
	csrfHeader    = "X-CSRF-Token"
	csrfFormField = "_csrf"
)

// newCSRF returns the CSRF middleware, skipped when next says so.
func (s *Server) newCSRF(next func(c *fiber.Ctx) bool) fiber.Handler {
	return csrf.New(csrf.Config{
		Next:           next,
		CookieName:     s.csrfCookieName(),
		CookiePath:     "/",
		CookieSecure:   s.config.SessionCookieSecure,
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		// A page may stay open for as long as its session lives.
		Expiration:   sessionAbsoluteTimeout,
		Session:      s.sessions,
		SessionKey:   sessionCSRFKey,
		ContextKey:   csrfTokenKey,
		KeyGenerator: newRandomID,
		Extractor:    csrfFromHeaderOrForm,
		ErrorHandler: s.csrfRejected,
	})
}

func csrfFromHeaderOrForm(c *fiber.Ctx) (string, error) {
	token := c.Get(csrfHeader)
	if token == "" {
		token = c.FormValue(csrfFormField)
	}
	if token == "" {
		return "", csrf.ErrTokenNotFound
	}
	return token, nil
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
	return strings.Clone(token)
}
