package web

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/app/users"
)

// Page sizes of the access log, on the grants page and in GET /api/v1/access-log.
const (
	accessLogPageSize    = 50
	accessLogPageSizeMax = 500
)

// accessEntry is one request an auditor made to the owner's books.
type accessEntry struct {
	ID           int64
	AuditorID    uuid.UUID
	AuditorEmail string
	Method       string
	Path         string
	Status       int
	RequestID    string
	AccessedAt   time.Time
}

// recordAccess writes the request to the owner's access log once its handler returned err.
// A failure to write is logged, not shown: the auditor's page is already rendered, and the
// log line says what the access log is missing.
func (s *Server) recordAccess(c *fiber.Ctx, auditor users.User, access bookAccess, err error) {
	status := c.Response().StatusCode()
	if err != nil {
		status, _, _, _ = errorStatus(err)
	}
	_, insertErr := s.pool.Exec(c.UserContext(), `INSERT INTO audit_access_log
		(owner_id, auditor_id, grant_id, method, path, status, request_id, accessed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		access.OwnerID, auditor.ID, access.GrantID, c.Method(), c.Path(), status, requestID(c),
		s.now().UTC())
	if insertErr != nil {
		s.log(c).Error("record auditor access", "owner_id", access.OwnerID.String(),
			"auditor_id", auditor.ID.String(), "path", c.Path(), "error", insertErr)
	}
}

// accessLog returns up to limit entries of the owner's access log with an id below before
// (0: from the newest), newest first.
func (s *Server) accessLog(ctx context.Context, ownerID uuid.UUID, before int64,
	limit int) ([]accessEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT l.id, l.auditor_id, coalesce(u.email, ''), l.method,
			l.path, l.status, l.request_id, l.accessed_at
		FROM audit_access_log l LEFT JOIN users u ON u.id = l.auditor_id
		WHERE l.owner_id = $1 AND l.id < $2 ORDER BY l.id DESC LIMIT $3`, ownerID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read access log of %s: %w", ownerID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (accessEntry, error) {
		var e accessEntry
		err := row.Scan(&e.ID, &e.AuditorID, &e.AuditorEmail, &e.Method, &e.Path, &e.Status,
			&e.RequestID, &e.AccessedAt)
		return e, err
	})
}
