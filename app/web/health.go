package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// healthz answers 200 while the process serves requests.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.SendString("ok")
}

// readyz answers 200 while the database answers, and 503 otherwise, so that a load balancer
// sends no traffic to an instance that cannot serve it.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()

	err := s.pool.Ping(ctx)
	if err != nil {
		s.log(c).Warn("not ready: database does not answer", "error", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ready")
}
