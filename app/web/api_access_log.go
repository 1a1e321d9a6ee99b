package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/domain"
)

// accessEntryJSON is one request an auditor made to the caller's books.
type accessEntryJSON struct {
	ID           int64  `json:"id"`
	AuditorID    string `json:"auditor_id"`
	AuditorEmail string `json:"auditor_email"`
	Method       string `json:"method"`
	Path         string `json:"path"`
	Status       int    `json:"status"`
	RequestID    string `json:"request_id"`
	AccessedAt   string `json:"accessed_at"`
}

// accessLogResponse is one page of the access log, newest first. NextBefore is the before
// of the next, older page, or 0 when this is the last.
type accessLogResponse struct {
	Entries    []accessEntryJSON `json:"entries"`
	NextBefore int64             `json:"next_before"`
}

// apiAccessLog answers GET /api/v1/access-log?before=<id>&limit=<n> with the requests
// auditors made to the caller's own books.
func (s *Server) apiAccessLog(c *fiber.Ctx) error {
	before, err := strconv.ParseInt(c.Query("before", "0"), 10, 64)
	if err != nil || before < 0 {
		return domain.Invalid("before", "use next_before of the previous page")
	}
	limit, err := strconv.Atoi(c.Query("limit", strconv.Itoa(accessLogPageSize)))
	if err != nil || limit < 1 || limit > accessLogPageSizeMax {
		return domain.Invalid("limit", "use a whole number from 1 to %d", accessLogPageSizeMax)
	}

	entries, err := s.accessLog(c.UserContext(), currentUser(c).ID, before, limit+1)
	if err != nil {
		return err
	}

	response := accessLogResponse{Entries: make([]accessEntryJSON, 0, limit)}
	if len(entries) > limit {
		entries = entries[:limit]
		response.NextBefore = entries[limit-1].ID
	}
	for _, e := range entries {
		response.Entries = append(response.Entries, accessEntryJSON{ID: e.ID,
			AuditorID: e.AuditorID.String(), AuditorEmail: e.AuditorEmail, Method: e.Method,
			Path: e.Path, Status: e.Status, RequestID: e.RequestID,
			AccessedAt: e.AccessedAt.UTC().Format(time.RFC3339Nano)})
	}
	return c.JSON(response)
}
