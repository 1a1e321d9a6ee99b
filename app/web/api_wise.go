package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"folio/domain"
)

// apiWiseImport answers POST /api/v1/wise/import with {"profile_id", "balance_ids", "from",
// "to", "dry_run"}: the same answer as a file import, plus, after an import, the balances
// whose amount in the books differs from Wise's.
func (s *Server) apiWiseImport(c *fiber.Ctx) error {
	var request wiseImportRequest
	if err := decodeJSON(c, &request); err != nil {
		return err
	}
	result, mismatches, err := s.runWiseImport(c, request)
	if err != nil {
		return err
	}
	response := importJSONOf(result)
	for _, mismatch := range mismatches {
		response.BalanceCheck = append(response.BalanceCheck, balanceCheckJSON{Currency: mismatch.Currency,
			Date: mismatch.Date.String(), Wise: domain.FormatAmount(mismatch.Wise),
			Books: domain.FormatAmount(mismatch.Books)})
	}
	if result.DryRun {
		return c.JSON(response)
	}
	return c.Status(fiber.StatusCreated).JSON(response)
}

// apiSetWiseToken answers PUT /api/v1/wise/token with {"token"}: it stores the token
// sealed and answers 204. The token is never shown again.
func (s *Server) apiSetWiseToken(c *fiber.Ctx) error {
	var request struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(c, &request); err != nil {
		return err
	}
	if err := s.setWiseToken(c, request.Token); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// wiseTokenLengthMax bounds a Wise token: they are UUIDs, longer values are not tokens.
const wiseTokenLengthMax = 200

// setWiseToken seals and stores the current user's Wise token.
func (s *Server) setWiseToken(c *fiber.Ctx, token string) error {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > wiseTokenLengthMax || strings.ContainsAny(token, " \t\r\n") {
		return domain.Invalid("token", "paste the personal API token from Wise (Settings, API tokens)")
	}
	user := currentUser(c)
	box, err := newWiseTokenBox(s.config.SecretKey)
	if err != nil {
		return err
	}
	if err := s.storeWiseToken(c.UserContext(), user.ID, box.Seal([]byte(token), user.ID[:])); err != nil {
		return err
	}
	s.log(c).Info("wise token stored", "user_id", user.ID.String())
	return nil
}
