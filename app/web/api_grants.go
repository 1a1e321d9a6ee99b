package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
)

// grantJSON is one auditor's read-only access to the caller's books.
type grantJSON struct {
	ID        string `json:"id"`
	AuditorID string `json:"auditor_id"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
}

type grantsResponse struct {
	Grants []grantJSON `json:"grants"`
}

type createGrantRequest struct {
	Email string `json:"email"`
}

type createGrantResponse struct {
	ID string `json:"id"`
}

// apiGrants answers GET /api/v1/grants with the active grants of the caller's own books,
// newest first.
func (s *Server) apiGrants(c *fiber.Ctx) error {
	grants, err := s.grantsByOwner(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	response := grantsResponse{Grants: make([]grantJSON, len(grants))}
	for i, grant := range grants {
		response.Grants[i] = grantJSON{ID: grant.ID.String(), AuditorID: grant.AuditorID.String(),
			Email: grant.AuditorEmail, CreatedAt: grant.CreatedAt.UTC().Format(time.RFC3339)}
	}
	return c.JSON(response)
}

// apiCreateGrant answers POST /api/v1/grants {"email"} with 201 {"id"}: the registered user
// with that email may read the caller's books from now on.
func (s *Server) apiCreateGrant(c *fiber.Ctx) error {
	var request createGrantRequest
	if err := decodeJSON(c, &request); err != nil {
		return err
	}
	user := currentUser(c)

	grant, err := s.createGrant(c.UserContext(), user, request.Email)
	if err != nil {
		return err
	}

	s.log(c).Info("auditor access granted", "user_id", user.ID.String(),
		"grant_id", grant.ID.String(), "auditor_id", grant.AuditorID.String())
	return c.Status(fiber.StatusCreated).JSON(createGrantResponse{ID: grant.ID.String()})
}

// apiRevokeGrant answers DELETE /api/v1/grants/:id with 204. Another owner's grant, a
// revoked one and a made-up id all get the same 404.
func (s *Server) apiRevokeGrant(c *fiber.Ctx) error {
	user := currentUser(c)
	grantID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("no such grant")
	}

	err = s.revokeGrant(c.UserContext(), user.ID, grantID)
	if err != nil {
		return err
	}

	s.log(c).Info("auditor access revoked", "user_id", user.ID.String(),
		"grant_id", grantID.String())
	return c.SendStatus(fiber.StatusNoContent)
}
