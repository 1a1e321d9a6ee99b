package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
)

// localsKey names the values middleware leaves in a request's Locals.
type localsKey int

const (
	requestIDKey localsKey = iota
	loggerKey
	userKey
	csrfTokenKey
	sessionKey
)

const requestIDHeader = "X-Request-ID"

// contentSecurityPolicy allows only this site's own files: no inline script or style, no
// eval, no framing, no plugins, forms post only here.
const contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; " +
	"base-uri 'none'; object-src 'none'"

// hstsMaxAgeSeconds is two years, the value browsers' preload lists expect.
const hstsMaxAgeSeconds = 63072000

// assignRequestID gives the request a random id, sent back in X-Request-ID, shown on error
// pages and written on every log line of the request. A client's own X-Request-ID is not
// trusted: it could forge or collide with other requests' ids.
func (s *Server) assignRequestID(c *fiber.Ctx) error {
	random := make([]byte, 16)
	_, _ = rand.Read(random) // crypto/rand.Read never fails; it crashes the program instead.
	id := hex.EncodeToString(random)

	c.Locals(requestIDKey, id)
	c.Set(requestIDHeader, id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// log returns the logger for this request: every line carries its request id.
func (s *Server) log(c *fiber.Ctx) *slog.Logger {
	logger, ok := c.Locals(loggerKey).(*slog.Logger)
	if ok {
		return logger
	}
	logger = s.logger.With("request_id", requestID(c))
	c.Locals(loggerKey, logger)
	return logger
}

// logAccess writes one line per request once its response is final. It lets the error
// handler write the response first, so that the line has the status the client got.
func (s *Server) logAccess(c *fiber.Ctx) error {
	start := time.Now()

	err := c.Next()
	if err != nil {
		handlerErr := s.handleError(c, err)
		if handlerErr != nil {
			s.log(c).Error("write error response", "error", handlerErr)
			c.Status(fiber.StatusInternalServerError)
		}
	}

	status := c.Response().StatusCode()
	attrs := []any{
		"method", c.Method(),
		"route", c.Route().Path,
		"path", c.Path(), // never the query string, which could hold a secret
		"status", status,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
		"ip", s.clientIP(c),
	}
	if user, ok := optionalUser(c); ok {
		attrs = append(attrs, "user_id", user.ID.String())
	}
	attrs = append(attrs, "request_bytes", c.Request().Header.ContentLength()) // < 0: unknown
	level := slog.LevelInfo
	if status >= fiber.StatusInternalServerError {
		level = slog.LevelError
	}
	s.log(c).Log(c.UserContext(), level, "request", attrs...)
	return nil
}

// recoverPanic turns a panic in a handler into a 500 response. The stack goes to the log,
// never to the client.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		recovered := recover()
		if recovered == nil {
			return
		}
		s.log(c).Error("panic", "panic", fmt.Sprint(recovered), "stack", string(debug.Stack()))
		err = fiber.ErrInternalServerError
	}()
	return c.Next()
}

// secureHeaders sets the security headers before anything else runs, so that every
// response has them: pages, errors, 404s, static files.
func (s *Server) secureHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	header := &c.Response().Header
	header.Set("Content-Security-Policy", contentSecurityPolicy)
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("X-Frame-Options", "DENY")
	header.Set("Referrer-Policy", "same-origin")
	header.Set("Cross-Origin-Opener-Policy", "same-origin")
	header.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.config.SessionCookieSecure {
		header.Set("Strict-Transport-Security",
			fmt.Sprintf("max-age=%d; includeSubDomains", hstsMaxAgeSeconds))
	}
	// Responses are personal unless a handler says otherwise (static files do).
	header.Set(fiber.HeaderCacheControl, "no-store")
}

// refuseMethods answers 405 to TRACE and CONNECT, which Folio never serves and which only
// help attackers probe.
func (s *Server) refuseMethods(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodTrace, fiber.MethodConnect:
		return fiber.ErrMethodNotAllowed
	}
	return c.Next()
}
