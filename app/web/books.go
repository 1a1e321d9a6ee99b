package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// bookOf returns whose books a request reads. Every read of bookkeeping data
// (accounts, journal, reports, history, documents) is scoped by it, never by
// the signed-in user directly: an auditor granted access to another user's
// books reads those books through the same handlers. Today it is always the
// signed-in user's own books.
//
// Writes are always the signed-in user's own (currentUser(c).ID), and are
// refused while reading somebody else's books.
func bookOf(c *fiber.Ctx) uuid.UUID {
	return currentUser(c).ID
}
