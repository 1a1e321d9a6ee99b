package web

import "github.com/gofiber/fiber/v2"

// setRegistration answers POST /settings/registration (open=true|false), an admin's switch
// for whether strangers may register. Anybody else gets 403.
func (s *Server) setRegistration(c *fiber.Ctx) error {
	user := currentUser(c)
	open := c.FormValue("open") == "true"

	err := s.users.SetRegistrationOpen(c.UserContext(), user.ID, open)
	if err != nil {
		return err
	}

	s.log(c).Info("registration setting changed", "user_id", user.ID.String(), "open", open)
	return c.Redirect("/settings", fiber.StatusSeeOther)
}
