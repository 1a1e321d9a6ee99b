package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// bookOf returns whose books a request reads. Every read of bookkeeping data
// (accounts, journal, reports, history, documents) is scoped by it, never by
// the signed-in user directly: an auditor granted access to another user's
// books reads those books through the same handlers. resolveBook, on every
// route behind signedIn or api, has checked the grant and records the access.
//
// Writes are always the signed-in user's own (currentUser(c).ID), and are
// refused while reading somebody else's books.
func bookOf(c *fiber.Ctx) uuid.UUID {
	return bookAccessOf(c).OwnerID
}
