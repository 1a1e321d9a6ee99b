package web

import (
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"folio/app/users"
	"folio/domain"
)

// changePassword answers POST /settings/password (current_password, new_password). Wrong
// current passwords count against the account like failed sign-ins, so that a borrowed
// session cannot be used to guess the password. Success ends every other session and
// renews this one.
func (s *Server) changePassword(c *fiber.Ctx) error {
	ctx := c.UserContext()
	user := currentUser(c)
	accountKey := users.AccountKey(user.Email)

	wait, err := s.throttle.Wait(ctx, accountKey)
	if err != nil {
		return err
	}
	if wait > 0 {
		seconds := int(math.Ceil(wait.Seconds()))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
		return s.passwordRejected(c, fiber.StatusTooManyRequests, map[string]string{
			"current_password": "Too many wrong passwords. Try again in " +
				waitText(seconds) + "."})
	}

	updated, err := s.users.ChangePassword(ctx, user.ID, c.FormValue("current_password"),
		c.FormValue("new_password"))
	if domain.ErrorCode(err) == domain.CodeInvalid {
		if fieldErrors(err)["current_password"] != "" {
			s.logLoginFailure(c, user.Email, "wrong_current_password")
			failErr := s.throttle.Fail(ctx, accountKey, accountLoginPolicy)
			if failErr != nil {
				return failErr
			}
		}
		return s.passwordRejected(c, fiber.StatusUnprocessableEntity, fieldErrors(err))
	}
	if err != nil {
		return err
	}

	err = s.startSession(c, updated)
	if err != nil {
		return err
	}
	s.log(c).Info("password changed", "user_id", user.ID.String())
	return c.Redirect("/settings?changed=password", fiber.StatusSeeOther)
}

func (s *Server) passwordRejected(c *fiber.Ctx, status int, errors map[string]string) error {
	data, err := s.loadSettings(c)
	if err != nil {
		return err
	}

	data.Errors = errors
	c.Status(status)
	return s.render(c, "settings", "password_form", data)
}
