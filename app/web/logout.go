package web

import "github.com/gofiber/fiber/v2"

// logout answers POST /logout: the session is deleted from storage, so its cookie is
// worthless even if it was copied.
func (s *Server) logout(c *fiber.Ctx) error {
	user, signedIn := optionalUser(c)

	err := s.endSession(c)
	if err != nil {
		return err
	}

	if signedIn {
		s.log(c).Info("logout", "user_id", user.ID.String())
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}
