package web

import (
	"github.com/gofiber/fiber/v2"

	"folio/app/users"
)

// settingsView is the data of pages/settings.html.
type settingsView struct {
	Errors            map[string]string
	PasswordLengthMin int
	PasswordChanged   bool

	Tokens       []users.Token
	TokenName    string // the name typed into a rejected form
	NewToken     string // the token just created, shown this once
	NewTokenName string

	RegistrationAllowed bool // by the configuration
	RegistrationOpen    bool // by the admin's setting
}

// settingsPage answers GET /settings.
func (s *Server) settingsPage(c *fiber.Ctx) error {
	data, err := s.loadSettings(c)
	if err != nil {
		return err
	}

	data.PasswordChanged = c.Query("changed") == "password"
	return s.render(c, "settings", "", data)
}

// loadSettings gathers what the settings page shows for the current user.
func (s *Server) loadSettings(c *fiber.Ctx) (settingsView, error) {
	user := currentUser(c)
	data := settingsView{PasswordLengthMin: users.PasswordLengthMin,
		RegistrationAllowed: s.config.RegistrationOpen}

	var err error
	data.Tokens, err = s.users.Tokens(c.UserContext(), user.ID)
	if err != nil {
		return settingsView{}, err
	}
	if user.Admin {
		data.RegistrationOpen, err = s.users.RegistrationOpen(c.UserContext())
		if err != nil {
			return settingsView{}, err
		}
	}
	return data, nil
}
