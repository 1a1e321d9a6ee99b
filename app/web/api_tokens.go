package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/domain"
)

type tokenResponse struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

type createdTokenResponse struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

// apiTokens answers GET /api/v1/tokens with the caller's live tokens (never the secrets).
func (s *Server) apiTokens(c *fiber.Ctx) error {
	user := currentUser(c)

	tokens, err := s.users.Tokens(c.UserContext(), user.ID)
	if err != nil {
		return err
	}

	response := make([]tokenResponse, 0, len(tokens))
	for _, token := range tokens {
		item := tokenResponse{ID: token.ID.String(), Name: token.Name, CreatedAt: token.CreatedAt}
		if !token.LastUsedAt.IsZero() {
			item.LastUsedAt = &token.LastUsedAt
		}
		response = append(response, item)
	}
	return c.JSON(fiber.Map{"tokens": response})
}

// apiCreateToken answers POST /api/v1/tokens {"name", "code"} with 201 and the new token,
// shown this once. A user with two-factor sign-in must send a current code (or a recovery
// code) in "code", whatever credential the request carries: a token must never be a way
// around the second factor.
func (s *Server) apiCreateToken(c *fiber.Ctx) error {
	user := currentUser(c)
	var request struct {
		Name string `json:"name"`
		Code string `json:"code"`
	}
	err := decodeJSON(c, &request)
	if err != nil {
		return err
	}
	err = s.requireSecondFactor(c, user, request.Code)
	var refusal *authRefusal
	if errors.As(err, &refusal) {
		status := refusal.status
		if status == fiber.StatusUnprocessableEntity {
			status = fiber.StatusForbidden
		}
		return newRequestError(status, "second_factor_required",
			"Send a current two-factor code in the field code. "+refusal.message)
	}
	if err != nil {
		return err
	}

	token, secret, err := s.users.CreateToken(c.UserContext(), user.ID, request.Name)
	if err != nil {
		return err
	}

	s.log(c).Info("api token created", "user_id", user.ID.String(), "token_id", token.ID.String())
	return c.Status(fiber.StatusCreated).JSON(createdTokenResponse{
		ID: token.ID.String(), Name: token.Name, Token: secret,
	})
}

// apiRevokeToken answers DELETE /api/v1/tokens/{id} with 204. Another user's token, a
// malformed id and a made-up one all get the same 404.
func (s *Server) apiRevokeToken(c *fiber.Ctx) error {
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
	return c.SendStatus(fiber.StatusNoContent)
}
