package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

type meResponse struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Admin bool   `json:"admin"`
	// Books are the other users' books the caller may read: pass an id as book=<id> to any
	// read endpoint.
	Books []grantedBookJSON `json:"books"`
}

// grantedBookJSON is another user's books the caller was granted read-only access to. ID is
// the owner's user id.
type grantedBookJSON struct {
	ID        string `json:"id"`
	Owner     string `json:"owner"`
	GrantedAt string `json:"granted_at"`
}

// apiMe answers GET /api/v1/me with the caller's account and the books granted to them.
func (s *Server) apiMe(c *fiber.Ctx) error {
	user := currentUser(c)
	grants, err := s.grantsToAuditor(c.UserContext(), user)
	if err != nil {
		return err
	}

	response := meResponse{ID: user.ID.String(), Email: user.Email, Admin: user.Admin,
		Books: make([]grantedBookJSON, len(grants))}
	for i, grant := range grants {
		response.Books[i] = grantedBookJSON{ID: grant.OwnerID.String(), Owner: grant.OwnerEmail,
			GrantedAt: grant.CreatedAt.UTC().Format(time.RFC3339)}
	}
	return c.JSON(response)
}
