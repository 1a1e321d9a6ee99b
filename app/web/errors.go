package web

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"folio/domain"
)

// statusByCode maps the domain's error codes to HTTP statuses. An error without a code is an
// internal failure: 500, logged, never described to the client.
var statusByCode = map[domain.Code]int{
	domain.CodeInvalid:   fiber.StatusUnprocessableEntity,
	domain.CodeNotFound:  fiber.StatusNotFound,
	domain.CodeConflict:  fiber.StatusConflict,
	domain.CodeForbidden: fiber.StatusForbidden,
}

// codeByStatus names the statuses the web layer produces itself, for JSON error bodies.
var codeByStatus = map[int]string{
	fiber.StatusBadRequest:                  "bad_request",
	fiber.StatusUnauthorized:                "unauthorized",
	fiber.StatusForbidden:                   "forbidden",
	fiber.StatusNotFound:                    "not_found",
	fiber.StatusMethodNotAllowed:            "method_not_allowed",
	fiber.StatusRequestTimeout:              "timeout",
	fiber.StatusConflict:                    "conflict",
	fiber.StatusRequestEntityTooLarge:       "too_large",
	fiber.StatusUnsupportedMediaType:        "unsupported_media_type",
	fiber.StatusUnprocessableEntity:         "invalid",
	fiber.StatusTooManyRequests:             "rate_limited",
	fiber.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	fiber.StatusInternalServerError:         "internal",
}

// messageByStatus is what the client reads for errors that carry no message of their own.
// Fiber's own messages are not used: some of them echo the request path.
var messageByStatus = map[int]string{
	fiber.StatusBadRequest:            "The request could not be understood.",
	fiber.StatusUnauthorized:          "Log in or send an API token.",
	fiber.StatusForbidden:             "You may not do this.",
	fiber.StatusNotFound:              "There is nothing here.",
	fiber.StatusMethodNotAllowed:      "This method is not allowed here.",
	fiber.StatusRequestEntityTooLarge: "The request is too large.",
	fiber.StatusTooManyRequests:       "Too many requests. Wait a little and try again.",
	fiber.StatusInternalServerError:   "Something went wrong on our side.",
}

// requestError is an error whose status, code and message are meant for the client.
type requestError struct {
	status  int
	code    string
	message string
}

func (e *requestError) Error() string {
	return e.message
}

// newRequestError returns an error that the error handler answers with status, and in JSON
// with code and message.
func newRequestError(status int, code, message string) error {
	return &requestError{status: status, code: code, message: message}
}

// errorStatus returns the HTTP status for err, its JSON code and a message the client may
// read. internal is true for failures that must be logged and not described.
func errorStatus(err error) (status int, code, message string, internal bool) {
	var requestErr *requestError
	if errors.As(err, &requestErr) {
		return requestErr.status, requestErr.code, requestErr.message, false
	}

	var domainErr *domain.Error
	if errors.As(err, &domainErr) {
		status, ok := statusByCode[domainErr.Code]
		if ok {
			return status, string(domainErr.Code), domainErr.Error(), false
		}
	}

	// Fiber's errors are about the request (404, 405, 413, …), except the 500 that a
	// recovered panic becomes, which recoverPanic logged with its stack.
	var fiberErr *fiber.Error
	if errors.As(err, &fiberErr) {
		return fiberErr.Code, statusCode(fiberErr.Code), statusMessage(fiberErr.Code), false
	}

	if databaseUnavailable(err) {
		status = fiber.StatusServiceUnavailable
		return status, statusCode(status), "The database cannot be reached right now. " +
			"Nothing was changed; please try again in a moment.", true
	}

	status = fiber.StatusInternalServerError
	return status, statusCode(status), statusMessage(status), true
}

// databaseUnavailable reports whether err means the database could not be
// reached or went away (a restart, a lost connection), as opposed to a
// failure of the request itself. Such requests are answered with 503, which
// clients may retry.
func databaseUnavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-57P03: shutdown, crash, not accepting connections.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, puddle.ErrClosedPool)
}

func statusCode(status int) string {
	code, ok := codeByStatus[status]
	if ok {
		return code
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

func statusMessage(status int) string {
	message, ok := messageByStatus[status]
	if ok {
		return message
	}
	return http.StatusText(status) + "."
}

// handleError answers a request whose handler returned err: JSON under /api/, an error page
// elsewhere. Internal errors are logged with their detail; the client sees only the request
// id. It is also Fiber's ErrorHandler, for errors raised before any middleware ran (such as
// a body over the limit), so it sets the security headers itself.
// databaseRetryAfterSeconds is what a 503 for an unreachable database asks
// clients to wait: about as long as a database restart takes.
const databaseRetryAfterSeconds = "5"

func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, code, message, internal := errorStatus(err)
	if internal {
		s.log(c).Error("request failed", "method", c.Method(), "path", c.Path(), "error", err)
	}

	s.setSecurityHeaders(c)
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, databaseRetryAfterSeconds)
	}
	c.Status(status)
	if isAPI(c) {
		return writeJSONError(c, status, code, message)
	}
	return s.renderError(c, status, message)
}

// errorPage is the data of pages/error.html.
type errorPage struct {
	Title     string
	Message   string
	RequestID string
}

func (s *Server) renderError(c *fiber.Ctx, status int, message string) error {
	page := errorPage{Title: http.StatusText(status), Message: message, RequestID: requestID(c)}
	err := s.render(c, "error", "", page)
	if err != nil {
		s.log(c).Error("render error page", "error", err)
		c.Status(status)
		return c.SendString(message + " Reference: " + page.RequestID)
	}
	return nil
}

// jsonError is the body of every API error: {"error": {"code": …, "message": …}}.
type jsonError struct {
	Error jsonErrorDetail `json:"error"`
}

type jsonErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeJSONError answers with status and a JSON error body.
func writeJSONError(c *fiber.Ctx, status int, code, message string) error {
	return c.Status(status).JSON(jsonError{Error: jsonErrorDetail{Code: code, Message: message}})
}

// fieldErrors returns the message of a domain invalid error keyed by its field, for showing
// beside the input, or nil when err is not one.
func fieldErrors(err error) map[string]string {
	var domainErr *domain.Error
	if !errors.As(err, &domainErr) || domainErr.Field == "" {
		return nil
	}
	return map[string]string{domainErr.Field: domainErr.Message}
}

func isAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/")
}
