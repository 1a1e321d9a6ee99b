package web

import "github.com/gofiber/fiber/v2"

// dashboardView is the data of pages/dashboard.html.
type dashboardView struct{}

// dashboardPage answers GET /, the signed-in user's overview of their books.
func (s *Server) dashboardPage(c *fiber.Ctx) error {
	return s.render(c, "dashboard", "", dashboardView{})
}
