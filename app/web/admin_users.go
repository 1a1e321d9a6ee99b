package web

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/app/users"
	"folio/domain"
)

// adminUsersPageSize is how many users the admin page lists at once.
const adminUsersPageSize = 50

// adminUser is what the admin page shows of a user: the account and the size of their books,
// never their contents.
type adminUser struct {
	ID          uuid.UUID
	Email       string
	Admin       bool
	Self        bool
	CreatedAt   time.Time
	LastLoginAt time.Time // zero before the first sign-in
	Disabled    bool
	Events      int64
	// StorageBytes estimates the space the user takes: their events, indexes included (their
	// count times the log's average bytes per event; counting exactly would read every
	// event of every user listed), and their documents' files.
	StorageBytes int64
}

// adminUsers returns a page of users in order of registration, and the URL of the next page.
func (s *Server) adminUsers(ctx context.Context, self users.User, offset int) ([]adminUser, string, error) {
	var logBytes, logEvents int64
	err := s.pool.QueryRow(ctx, `SELECT pg_total_relation_size('events'),
		(SELECT coalesce(sum(version), 0) FROM streams)`).Scan(&logBytes, &logEvents)
	if err != nil {
		return nil, "", fmt.Errorf("measure the event log: %w", err)
	}

	rows, err := s.pool.Query(ctx, `SELECT u.id, u.email, u.is_admin, u.created_at,
			u.last_login_at, u.disabled_at IS NOT NULL, coalesce(s.version, 0),
			(SELECT coalesce(sum(d.size_bytes), 0) FROM documents d WHERE d.user_id = u.id)
		FROM users u LEFT JOIN streams s ON s.user_id = u.id
		ORDER BY u.created_at, u.id LIMIT $1 OFFSET $2`, adminUsersPageSize+1, offset)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (adminUser, error) {
		var u adminUser
		var lastLogin *time.Time
		var documentBytes int64
		err := row.Scan(&u.ID, &u.Email, &u.Admin, &u.CreatedAt, &lastLogin, &u.Disabled, &u.Events,
			&documentBytes)
		if lastLogin != nil {
			u.LastLoginAt = *lastLogin
		}
		u.Self = u.ID == self.ID
		u.StorageBytes = documentBytes
		if logEvents > 0 {
			u.StorageBytes += u.Events * logBytes / logEvents
		}
		return u, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}

	more := ""
	if len(list) > adminUsersPageSize {
		list = list[:adminUsersPageSize]
		more = "/admin?users_offset=" + strconv.Itoa(offset+adminUsersPageSize)
	}
	return list, more, nil
}

// adminDisableUser answers POST /admin/users/:id/disable: the user can no longer sign in, and
// their sessions and API tokens stop working at once. Admins cannot disable themselves.
func (s *Server) adminDisableUser(c *fiber.Ctx) error {
	admin := currentUser(c)
	userID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("no such user")
	}
	if userID == admin.ID {
		return domain.Invalid("id", "you cannot disable your own account")
	}

	err = s.users.Disable(c.UserContext(), userID)
	if err != nil {
		return err
	}

	s.log(c).Info("user disabled", "user_id", admin.ID.String(), "disabled_id", userID.String())
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// adminEnableUser answers POST /admin/users/:id/enable: the user may sign in again.
func (s *Server) adminEnableUser(c *fiber.Ctx) error {
	admin := currentUser(c)
	userID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("no such user")
	}

	err = s.users.Enable(c.UserContext(), userID)
	if err != nil {
		return err
	}

	s.log(c).Info("user enabled", "user_id", admin.ID.String(), "enabled_id", userID.String())
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// adminSetRegistration answers POST /admin/registration (open=true|false).
func (s *Server) adminSetRegistration(c *fiber.Ctx) error {
	admin := currentUser(c)
	open := c.FormValue("open") == "true"

	err := s.users.SetRegistrationOpen(c.UserContext(), admin.ID, open)
	if err != nil {
		return err
	}

	s.log(c).Info("registration setting changed", "user_id", admin.ID.String(), "open", open)
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// Storage formats StorageBytes for people: 512 B, 3.4 KiB, 12.0 MiB.
func (u adminUser) Storage() string {
	const unit = 1024
	if u.StorageBytes < unit {
		return fmt.Sprintf("%d B", u.StorageBytes)
	}
	value, prefix := float64(u.StorageBytes)/unit, 0
	for value >= unit && prefix < 3 {
		value /= unit
		prefix++
	}
	return fmt.Sprintf("%.1f %ciB", value, "KMGT"[prefix])
}
