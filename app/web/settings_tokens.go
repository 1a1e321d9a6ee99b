package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
)

// createToken answers POST /settings/tokens (name). The page, or for htmx the token list,
// shows the new token once; it cannot be shown again.
func (s *Server) createToken(c *fiber.Ctx) error {
	user := currentUser(c)
	name := c.FormValue("name")

	token, secret, err := s.users.CreateToken(c.UserContext(), user.ID, name)
	code := domain.ErrorCode(err)
	if code == domain.CodeInvalid || code == domain.CodeConflict {
		return s.tokenRejected(c, name, err)
	}
	if err != nil {
		return err
	}

	data, err := s.loadSettings(c)
	if err != nil {
		return err
	}
	data.NewToken = secret
	data.NewTokenName = token.Name
	s.log(c).Info("api token created", "user_id", user.ID.String(), "token_id", token.ID.String())
	return s.render(c, "settings", "api_tokens", data)
}

func (s *Server) tokenRejected(c *fiber.Ctx, name string, err error) error {
	data, loadErr := s.loadSettings(c)
	if loadErr != nil {
		return loadErr
	}

	data.TokenName = strings.TrimSpace(name)
	data.Errors = fieldErrors(err)
	if data.Errors == nil {
		data.Errors = map[string]string{"name": err.Error()}
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "settings", "api_tokens", data)
}

// revokeToken answers POST /settings/tokens/:id/revoke. Another user's token, a malformed
// id and a made-up one all get the same 404.
func (s *Server) revokeToken(c *fiber.Ctx) error {
	user := currentUser(c)
	tokenID, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("no such API token")
	}

	err = s.users.RevokeToken(c.UserContext(), user.ID, tokenID)
	if err != nil {
		return err
	}

	s.log(c).Info("api token revoked", "user_id", user.ID.String(), "token_id", tokenID.String())
	if !isHTMX(c) {
		return c.Redirect("/settings", fiber.StatusSeeOther)
	}
	data, err := s.loadSettings(c)
	if err != nil {
		return err
	}
	return s.render(c, "settings", "api_tokens", data)
}
