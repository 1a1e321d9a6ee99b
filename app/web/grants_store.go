package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"folio/app/users"
	"folio/domain"
)

// grantsListedMax bounds the grants one page or API response lists; an owner with more
// auditors than this is not a case Folio serves.
const grantsListedMax = 200

// auditGrant is read-only access to an owner's books, granted to an auditor.
type auditGrant struct {
	ID           uuid.UUID
	OwnerID      uuid.UUID
	OwnerEmail   string
	AuditorID    uuid.UUID
	AuditorEmail string
	CreatedAt    time.Time
}

const grantColumns = `g.id, g.owner_id, o.email, g.auditor_id, a.email, g.created_at
	FROM audit_grants g JOIN users o ON o.id = g.owner_id JOIN users a ON a.id = g.auditor_id`

func scanGrant(row pgx.Row) (auditGrant, error) {
	var g auditGrant
	err := row.Scan(&g.ID, &g.OwnerID, &g.OwnerEmail, &g.AuditorID, &g.AuditorEmail, &g.CreatedAt)
	return g, err
}

// createGrant gives the registered user with email read-only access to the books of owner.
// It returns a domain invalid error for field "email" when nobody has that email, when it is
// the owner's own or an admin's (admins never read anybody's books), and a conflict when that
// user already has access.
func (s *Server) createGrant(ctx context.Context, owner users.User, email string) (auditGrant, error) {
	email = users.NormalizeEmail(email)
	if email == "" {
		return auditGrant{}, domain.Invalid("email", "enter the email of a registered user")
	}
	var auditorID uuid.UUID
	var admin bool
	err := s.pool.QueryRow(ctx, `SELECT id, is_admin FROM users WHERE email = $1`, email).
		Scan(&auditorID, &admin)
	if errors.Is(err, pgx.ErrNoRows) {
		return auditGrant{}, domain.Invalid("email", "nobody is registered with this email")
	}
	if err != nil {
		return auditGrant{}, fmt.Errorf("find auditor: %w", err)
	}
	switch {
	case auditorID == owner.ID:
		return auditGrant{}, domain.Invalid("email", "you always see your own books")
	case admin:
		return auditGrant{}, domain.Invalid("email", "administrators cannot open anybody's "+
			"books; ask them for the email of an account of their own")
	}

	grant := auditGrant{ID: uuid.New(), OwnerID: owner.ID, OwnerEmail: owner.Email,
		AuditorID: auditorID, AuditorEmail: email, CreatedAt: s.now().UTC()}
	_, err = s.pool.Exec(ctx, `INSERT INTO audit_grants (id, owner_id, auditor_id, created_at)
		VALUES ($1, $2, $3, $4)`, grant.ID, grant.OwnerID, grant.AuditorID, grant.CreatedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return auditGrant{}, &domain.Error{Code: domain.CodeConflict, Field: "email",
			Message: "this user can already read your books"}
	}
	if err != nil {
		return auditGrant{}, fmt.Errorf("insert grant: %w", err)
	}
	return grant, nil
}

// grantsByOwner lists the active grants of owner's books, newest first.
func (s *Server) grantsByOwner(ctx context.Context, ownerID uuid.UUID) ([]auditGrant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+grantColumns+`
		WHERE g.owner_id = $1 AND g.revoked_at IS NULL ORDER BY g.created_at DESC, g.id LIMIT $2`,
		ownerID, grantsListedMax)
	if err != nil {
		return nil, fmt.Errorf("list grants of %s: %w", ownerID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (auditGrant, error) {
		return scanGrant(row)
	})
}

// grantsToAuditor lists the books the auditor may read, by owner's email. An admin may read
// none, whatever was granted.
func (s *Server) grantsToAuditor(ctx context.Context, auditor users.User) ([]auditGrant, error) {
	if auditor.Admin {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+grantColumns+`
		WHERE g.auditor_id = $1 AND g.revoked_at IS NULL ORDER BY o.email LIMIT $2`,
		auditor.ID, grantsListedMax)
	if err != nil {
		return nil, fmt.Errorf("list grants to %s: %w", auditor.ID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (auditGrant, error) {
		return scanGrant(row)
	})
}

// activeGrant returns the active grant of owner's books to auditor, or a not-found error
// that reads like a book that does not exist.
func (s *Server) activeGrant(ctx context.Context, ownerID, auditorID uuid.UUID) (auditGrant, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+grantColumns+`
		WHERE g.owner_id = $1 AND g.auditor_id = $2 AND g.revoked_at IS NULL`, ownerID, auditorID)
	grant, err := scanGrant(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return auditGrant{}, domain.NotFound("no such book")
	}
	if err != nil {
		return auditGrant{}, fmt.Errorf("find grant of %s to %s: %w", ownerID, auditorID, err)
	}
	return grant, nil
}

// revokeGrant ends grant grantID of owner's books at once. Another owner's grant, a revoked
// one and a made-up id all get the same not-found error.
func (s *Server) revokeGrant(ctx context.Context, ownerID, grantID uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `UPDATE audit_grants SET revoked_at = $3
		WHERE id = $1 AND owner_id = $2 AND revoked_at IS NULL`, grantID, ownerID, s.now().UTC())
	if err != nil {
		return fmt.Errorf("revoke grant %s: %w", grantID, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("no such grant")
	}
	return nil
}
