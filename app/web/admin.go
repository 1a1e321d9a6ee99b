package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"folio/domain"
)

// The admin pages run the system: users, registration, projections and rebuilds. They never
// show what is in anybody's books. Everybody but a signed-in admin gets the 404 of a page
// that does not exist, on every route under /admin, whatever the method.

// admin is the chain of an admin page. The admin check comes before the CSRF check so that a
// non-admin's request is answered 404 before anything else can tell the route exists.
func (s *Server) admin(handler fiber.Handler) []fiber.Handler {
	return []fiber.Handler{s.loadUser, s.requireAdmin, s.pageCSRF, handler}
}

// requireAdmin is middleware: signed-in admins pass, everybody else gets 404.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	user, ok := optionalUser(c)
	if !ok || !user.Admin {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// adminNotFound answers every other method and path under /admin: the same 404 as a page
// that does not exist, for admins too.
func (s *Server) adminNotFound(c *fiber.Ctx) error {
	return fiber.ErrNotFound
}

// adminView is the data of pages/admin.html.
type adminView struct {
	Users       []adminUser
	UsersOffset int
	UsersMore   string // URL of the next page of users, or ""

	RegistrationAllowed bool // by the configuration
	RegistrationOpen    bool // by the admin's setting

	Log         adminLogHead
	Projections []adminProjection
	Rebuild     adminRebuildView
}

// adminPage answers GET /admin[?users_offset=N].
func (s *Server) adminPage(c *fiber.Ctx) error {
	offset, err := strconv.Atoi(c.Query("users_offset", "0"))
	if err != nil || offset < 0 {
		return domain.Invalid("users_offset", "use the links under the list")
	}
	ctx := c.UserContext()
	data := adminView{UsersOffset: offset, RegistrationAllowed: s.config.RegistrationOpen}

	data.Users, data.UsersMore, err = s.adminUsers(ctx, currentUser(c), offset)
	if err != nil {
		return err
	}
	data.RegistrationOpen, err = s.users.RegistrationOpen(ctx)
	if err != nil {
		return err
	}
	data.Log, data.Projections, err = s.adminProjections(ctx)
	if err != nil {
		return err
	}
	data.Rebuild, err = s.adminRebuildStatus(ctx)
	if err != nil {
		return err
	}
	return s.render(c, "admin", "", data)
}
