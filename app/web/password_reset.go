package web

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/app/mail"
	"folio/app/users"
	"folio/domain"
)

// Password reset by mail. Whoever asks gets the same answer whether or not the address has
// an account. The link carries a single-use token that expires after
// users.PasswordResetLifetime; it is built from the configured PUBLIC_URL, never from the
// request's Host or X-Forwarded-Host headers, so a forged request cannot make Folio mail a
// link to somebody else's server. A user with two-factor sign-in needs a code to finish.

// Throttles of reset mails: per address asked for (so that nobody floods a mailbox) and per
// client. Every request counts, whether or not the address has an account.
var (
	resetAccountPolicy = users.ThrottlePolicy{
		LockAfter: 3, Delay: 5 * time.Minute, DelayMax: time.Hour}
	resetClientPolicy = users.ThrottlePolicy{
		LockAfter: 10, Delay: time.Minute, DelayMax: time.Hour}
)

// passwordResetPath is where reset links lead; the token is in the query string, which the
// access log never writes.
const passwordResetPath = "/password-reset/confirm"

// passwordResetForm is the data of pages/password_reset.html.
type passwordResetForm struct {
	Available bool // mail can be sent
	Email     string
	Sent      bool
	Error     string
}

// passwordResetConfirmForm is the data of pages/password_reset_confirm.html.
type passwordResetConfirmForm struct {
	Token             string
	TwoFactor         bool
	PasswordLengthMin int
	Errors            map[string]string
	Done              bool
}

// passwordResetPage answers GET /password-reset: the form that asks for a link.
func (s *Server) passwordResetPage(c *fiber.Ctx) error {
	form := passwordResetForm{Available: s.mailer != nil}
	return s.render(c, "password_reset", "password_reset_form", form)
}

// requestPasswordReset answers POST /password-reset (email): it mails a reset link to the
// account with that email, if there is one, and says that it did either way.
func (s *Server) requestPasswordReset(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := passwordResetForm{Available: s.mailer != nil,
		Email: strings.TrimSpace(c.FormValue("email"))}
	if !form.Available {
		c.Status(fiber.StatusServiceUnavailable)
		return s.render(c, "password_reset", "password_reset_form", form)
	}
	accountKey := users.ClientKey("password_reset", users.NormalizeEmail(form.Email))
	clientKey := users.ClientKey("password_reset", s.clientIP(c))

	wait, err := s.throttle.Wait(ctx, accountKey, clientKey)
	if err != nil {
		return err
	}
	if wait > 0 {
		seconds := int(math.Ceil(wait.Seconds()))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
		form.Error = "Too many reset requests. Try again in " + waitText(seconds) + "."
		c.Status(fiber.StatusTooManyRequests)
		return s.render(c, "password_reset", "password_reset_form", form)
	}
	err = s.throttle.Fail(ctx, accountKey, resetAccountPolicy)
	if err != nil {
		return err
	}
	err = s.throttle.Fail(ctx, clientKey, resetClientPolicy)
	if err != nil {
		return err
	}

	err = s.sendPasswordReset(c, form.Email)
	if err != nil {
		return err
	}
	form.Sent = true
	return s.render(c, "password_reset", "password_reset_form", form)
}

// sendPasswordReset makes a token for the account with email and mails its link. An
// unknown or disabled account is logged and otherwise ignored.
func (s *Server) sendPasswordReset(c *fiber.Ctx, email string) error {
	user, token, err := s.users.RequestPasswordReset(c.UserContext(), email)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		s.log(c).Info("password reset for no account", "ip", s.clientIP(c))
		return nil
	}
	if err != nil {
		return err
	}

	link := s.config.PublicURL + passwordResetPath + "?token=" + url.QueryEscape(token)
	minutes := int(users.PasswordResetLifetime.Minutes())
	message := mail.Message{
		To:      user.Email,
		Subject: "Reset your Folio password",
		Body: fmt.Sprintf("Somebody, probably you, asked to reset the password of your Folio "+
			"account %s.\n\nTo choose a new password, open this link within %d minutes:\n\n"+
			"%s\n\nIf you did not ask for this, ignore this mail: your password stays as it "+
			"is.\n", user.Email, minutes, link),
	}
	err = s.mailer.Send(c.UserContext(), message)
	if err != nil {
		return fmt.Errorf("mail password reset to user %s: %w", user.ID, err)
	}
	s.log(c).Info("password reset mailed", "user_id", user.ID.String(), "ip", s.clientIP(c))
	return nil
}

// passwordResetConfirmPage answers GET /password-reset/confirm?token=…: the form for the
// new password, or a 404 page for a token that is unknown, used or expired.
func (s *Server) passwordResetConfirmPage(c *fiber.Ctx) error {
	token := c.Query("token")
	user, err := s.users.PasswordResetUser(c.UserContext(), token)
	if err != nil {
		return err
	}

	form, err := s.resetConfirmForm(c, user, token)
	if err != nil {
		return err
	}
	// The page's URL holds the token: no Referer must carry it anywhere.
	c.Set("Referrer-Policy", "no-referrer")
	return s.render(c, "password_reset_confirm", "password_reset_confirm_form", form)
}

func (s *Server) resetConfirmForm(c *fiber.Ctx, user users.User,
	token string) (passwordResetConfirmForm, error) {
	enabled, err := s.twoFactor.Enabled(c.UserContext(), user.ID)
	if err != nil {
		return passwordResetConfirmForm{}, err
	}
	return passwordResetConfirmForm{Token: token, TwoFactor: enabled,
		PasswordLengthMin: users.PasswordLengthMin, Errors: map[string]string{}}, nil
}

// resetPassword answers POST /password-reset/confirm (token, new_password, code): it sets
// the new password, uses the token up and ends every session of the user. Nobody is signed
// in: the user logs in with the new password (and their second factor).
func (s *Server) resetPassword(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := c.FormValue("token")

	user, err := s.users.ResetPassword(ctx, token, c.FormValue("new_password"),
		func(user users.User) error {
			return s.requireSecondFactor(c, user, c.FormValue("code"))
		})
	var refusal *authRefusal
	if domain.ErrorCode(err) == domain.CodeInvalid || errors.As(err, &refusal) {
		return s.resetRejected(c, token, err)
	}
	if err != nil {
		return err
	}

	s.log(c).Info("password reset", "user_id", user.ID.String(), "ip", s.clientIP(c))
	c.Set("Referrer-Policy", "no-referrer")
	return s.render(c, "password_reset_confirm", "password_reset_confirm_form",
		passwordResetConfirmForm{Done: true})
}

func (s *Server) resetRejected(c *fiber.Ctx, token string, err error) error {
	user, lookupErr := s.users.PasswordResetUser(c.UserContext(), token)
	if lookupErr != nil {
		return lookupErr
	}
	form, formErr := s.resetConfirmForm(c, user, token)
	if formErr != nil {
		return formErr
	}

	status := fiber.StatusUnprocessableEntity
	var refusal *authRefusal
	if errors.As(err, &refusal) {
		status = refusal.status
		form.Errors["code"] = refusal.message
	} else {
		form.Errors = fieldErrors(err)
	}
	c.Status(status)
	c.Set("Referrer-Policy", "no-referrer")
	return s.render(c, "password_reset_confirm", "password_reset_confirm_form", form)
}
