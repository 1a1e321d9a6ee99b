package users

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"folio/domain"
)

// RegistrationOpen reports whether the admin lets strangers register. The configuration may
// still close registration on top of this.
func (s *Store) RegistrationOpen(ctx context.Context) (bool, error) {
	var open bool
	err := s.pool.QueryRow(ctx, `SELECT registration_open FROM app_settings`).Scan(&open)
	if err != nil {
		return false, fmt.Errorf("select registration setting: %w", err)
	}
	return open, nil
}

// SetRegistrationOpen opens or closes registration on behalf of user actorID, who must be an
// enabled admin; anybody else gets a domain forbidden error.
func (s *Store) SetRegistrationOpen(ctx context.Context, actorID uuid.UUID, open bool) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE app_settings SET registration_open = $2, updated_at = $3
		WHERE EXISTS (SELECT 1 FROM users WHERE id = $1 AND is_admin AND disabled_at IS NULL)`,
		actorID, open, s.now())
	if err != nil {
		return fmt.Errorf("update registration setting: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Forbidden("only an admin may open or close registration")
	}
	return nil
}
