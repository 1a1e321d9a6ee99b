package metrics

import (
	"context"
	"log/slog"
	"time"
)

// Log messages and attributes LogHandler reads. They are the ones app/web writes; the tests
// of this package and of app/web's logging pin them.
const (
	requestMessage     = "request"
	loginFailedMessage = "login failed"
)

// SecurityStream is the value of the "stream" attribute LogHandler adds to records that a
// security team follows: refused sign-ins (and lockouts, reason "throttled"), rejected
// second factors and API tokens, CSRF rejections, access denials (requests answered 401 or
// 403) and auditor access.
const SecurityStream = "security"

// securityMessages are the log messages of the security stream besides access denials.
var securityMessages = map[string]bool{
	loginFailedMessage:                  true,
	"second factor rejected":            true,
	"recovery code used":                true,
	"csrf token rejected":               true,
	"api token rejected":                true,
	"api token in query string refused": true,
	"auditor access granted":            true,
	"auditor access revoked":            true,
	"switched into granted books":       true,
}

// LogHandler is a slog.Handler in front of another. It counts the access log's "request"
// records and the "login failed" records into a Registry, and marks the records of the
// security stream with the attribute stream=security, so that a log collector can route
// them apart. Everything else passes through unchanged.
type LogHandler struct {
	next     slog.Handler
	registry *Registry
}

// NewLogHandler returns a LogHandler that writes through next and counts into registry.
func NewLogHandler(next slog.Handler, registry *Registry) *LogHandler {
	return &LogHandler{next: next, registry: registry}
}

// Enabled reports true for Info and above, which LogHandler counts whatever next keeps, and
// otherwise whatever next reports.
func (h *LogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || h.next.Enabled(ctx, level)
}

// Handle counts the record, marks it when it belongs to the security stream, and passes it
// on when next is enabled for its level.
func (h *LogHandler) Handle(ctx context.Context, record slog.Record) error {
	security := h.observe(record)
	if !h.next.Enabled(ctx, record.Level) {
		return nil
	}
	if security {
		record = record.Clone()
		record.AddAttrs(slog.String("stream", SecurityStream))
	}
	return h.next.Handle(ctx, record)
}

// WithAttrs returns a LogHandler in front of next.WithAttrs.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &LogHandler{next: h.next.WithAttrs(attrs), registry: h.registry}
}

// WithGroup returns a LogHandler in front of next.WithGroup.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	return &LogHandler{next: h.next.WithGroup(name), registry: h.registry}
}

// observe counts the record and reports whether it belongs to the security stream.
func (h *LogHandler) observe(record slog.Record) bool {
	switch record.Message {
	case requestMessage:
		return h.observeRequest(record)
	case loginFailedMessage:
		reason := "unknown"
		record.Attrs(func(a slog.Attr) bool {
			if a.Key == "reason" {
				reason = a.Value.String()
				return false
			}
			return true
		})
		h.registry.LoginFailed(reason)
	}
	if securityMessages[record.Message] {
		h.registry.SecurityEvent(record.Message)
		return true
	}
	return false
}

func (h *LogHandler) observeRequest(record slog.Record) bool {
	var method, route, path string
	var status int
	var durationMilliseconds float64
	requestBytes := int64(-1)
	record.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "method":
			method = a.Value.String()
		case "route":
			route = a.Value.String()
		case "path":
			path = a.Value.String()
		case "status":
			status = int(number(a.Value))
		case "duration_ms":
			durationMilliseconds = number(a.Value)
		case "request_bytes":
			requestBytes = int64(number(a.Value))
		}
		return true
	})
	// A request that matched no route reports the pattern of the global middleware, "/".
	if route == "/" && path != "/" {
		route = "unmatched"
	}
	duration := time.Duration(durationMilliseconds * float64(time.Millisecond))
	h.registry.ObserveRequest(method, route, status, duration, requestBytes)

	denied := status == 401 || status == 403
	if denied {
		h.registry.SecurityEvent("access denied")
	}
	return denied
}

// number reads an integer or floating-point attribute value.
func number(v slog.Value) float64 {
	switch v.Kind() {
	case slog.KindInt64:
		return float64(v.Int64())
	case slog.KindUint64:
		return float64(v.Uint64())
	case slog.KindFloat64:
		return v.Float64()
	}
	return 0
}
