package web

import "github.com/gofiber/fiber/v2"

type meResponse struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Admin bool   `json:"admin"`
}

// apiMe answers GET /api/v1/me with the caller's account.
func (s *Server) apiMe(c *fiber.Ctx) error {
	user := currentUser(c)
	return c.JSON(meResponse{ID: user.ID.String(), Email: user.Email, Admin: user.Admin})
}
