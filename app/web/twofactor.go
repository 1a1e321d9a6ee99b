package web

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/users"
	"folio/domain"
)

// Two-factor sign-in. Once a user has turned it on (twofactor_settings.go), a correct
// password no longer signs them in: login hands over to beginTwoFactor, which keeps the
// half-done sign-in in a fresh session, and only a current TOTP code or an unused recovery
// code at /login/two-factor starts the real session. Every other way in asks for the code
// too: creating an API token (api_tokens.go) and resetting the password
// (password_reset.go).

// twoFactorPendingTimeout is how long the code may take after the password.
const twoFactorPendingTimeout = 5 * time.Minute

// twoFactorPolicy throttles wrong codes per user, wherever they are typed: a six-digit code
// must not be guessable by trying.
var twoFactorPolicy = users.ThrottlePolicy{
	LockAfter: 5, Delay: 30 * time.Second, DelayMax: 15 * time.Minute}

// authRefusal is a code or password that was not accepted: its status (422 or 429) and what
// the form shows beside the field.
type authRefusal struct {
	status  int
	message string
}

func (e *authRefusal) Error() string {
	return e.message
}

// twoFactorLoginForm is the data of pages/twofactor_login.html.
type twoFactorLoginForm struct {
	Error string
}

// beginTwoFactor is the end of the password step for a user with two-factor sign-in: it
// replaces the session (a new id, like a real sign-in) with one that only remembers who gave
// the right password, and sends the browser to the code form.
func (s *Server) beginTwoFactor(c *fiber.Ctx, user users.User, next string) error {
	sess, err := s.requestSession(c)
	if err != nil {
		return err
	}
	err = s.resetSession(c, sess)
	if err != nil {
		return err
	}

	sess.data.PendingUserID = user.ID.String()
	sess.data.PendingAt = s.now().Unix()
	sess.data.PendingGeneration = user.SessionGeneration
	sess.data.PendingNext = next
	err = s.saveSession(c, sess)
	if err != nil {
		return err
	}
	s.log(c).Info("password accepted, second factor required", "user_id", user.ID.String(),
		"ip", s.clientIP(c))
	return c.Redirect("/login/two-factor", fiber.StatusSeeOther)
}

// pendingSignIn returns the user whose half-done sign-in the session holds, and where to go
// afterwards. ok is false when there is none, it timed out, or the user changed since.
func (s *Server) pendingSignIn(c *fiber.Ctx) (user users.User, next string, ok bool, err error) {
	sess, err := s.requestSession(c)
	if err != nil {
		return users.User{}, "", false, err
	}
	pending := sess.data

	id, parseErr := uuid.Parse(pending.PendingUserID)
	if parseErr != nil || s.now().Sub(time.Unix(pending.PendingAt, 0)) > twoFactorPendingTimeout {
		return users.User{}, "", false, nil
	}
	user, err = s.users.ByID(c.UserContext(), id)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return users.User{}, "", false, nil
	}
	if err != nil {
		return users.User{}, "", false, err
	}
	if user.Disabled() || user.SessionGeneration != pending.PendingGeneration {
		return users.User{}, "", false, nil
	}
	return user, localPath(pending.PendingNext), true, nil
}

// twoFactorLoginPage answers GET /login/two-factor: the code form, for a browser that gave
// the right password a moment ago; anybody else goes back to the login page.
func (s *Server) twoFactorLoginPage(c *fiber.Ctx) error {
	_, _, ok, err := s.pendingSignIn(c)
	if err != nil {
		return err
	}
	if !ok {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return s.render(c, "twofactor_login", "twofactor_login_form", twoFactorLoginForm{})
}

// twoFactorLogin answers POST /login/two-factor (code): a current TOTP code or an unused
// recovery code finishes the sign-in with a new session and goes on to next.
func (s *Server) twoFactorLogin(c *fiber.Ctx) error {
	user, next, ok, err := s.pendingSignIn(c)
	if err != nil {
		return err
	}
	if !ok {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}

	method, err := s.checkSecondFactor(c, user, c.FormValue("code"))
	var refusal *authRefusal
	if errors.As(err, &refusal) {
		c.Status(refusal.status)
		return s.render(c, "twofactor_login", "twofactor_login_form",
			twoFactorLoginForm{Error: refusal.message})
	}
	if err != nil {
		return err
	}

	err = s.startSession(c, user)
	if err != nil {
		return err
	}
	s.log(c).Info("login succeeded", "user_id", user.ID.String(), "ip", s.clientIP(c),
		"second_factor", string(method))
	return c.Redirect(next, fiber.StatusSeeOther)
}

// checkSecondFactor verifies code as user's second factor. Wrong codes count against the
// user; too many of them lock the check for a while. A code that is not accepted gives a
// *authRefusal.
func (s *Server) checkSecondFactor(c *fiber.Ctx, user users.User, code string) (users.Method,
	error) {
	ctx := c.UserContext()
	key := users.ClientKey("two_factor", user.ID.String())

	wait, err := s.throttle.Wait(ctx, key)
	if err != nil {
		return "", err
	}
	if wait > 0 {
		seconds := int(math.Ceil(wait.Seconds()))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
		s.log(c).Warn("second factor rejected", "user_id", user.ID.String(),
			"ip", s.clientIP(c), "reason", "throttled")
		return "", &authRefusal{status: fiber.StatusTooManyRequests,
			message: "Too many wrong codes. Try again in " + waitText(seconds) + "."}
	}

	method, err := s.twoFactor.Verify(ctx, user.ID, code)
	if errors.Is(err, users.ErrWrongCode) {
		s.log(c).Warn("second factor rejected", "user_id", user.ID.String(),
			"ip", s.clientIP(c), "reason", "wrong_code")
		failErr := s.throttle.Fail(ctx, key, twoFactorPolicy)
		if failErr != nil {
			return "", failErr
		}
		return "", &authRefusal{status: fiber.StatusUnprocessableEntity,
			message: "This code is wrong or was already used."}
	}
	if err != nil {
		return "", err
	}

	err = s.throttle.Clear(ctx, key)
	if err != nil {
		return "", err
	}
	if method == users.MethodRecoveryCode {
		s.log(c).Warn("recovery code used", "user_id", user.ID.String(), "ip", s.clientIP(c))
	}
	return method, nil
}

// requireSecondFactor is checkSecondFactor for users who may not have two-factor sign-in:
// it passes those without it and checks the code of the others.
func (s *Server) requireSecondFactor(c *fiber.Ctx, user users.User, code string) error {
	enabled, err := s.twoFactor.Enabled(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	if !enabled {
		return nil
	}
	if strings.TrimSpace(code) == "" {
		return &authRefusal{status: fiber.StatusUnprocessableEntity,
			message: "Enter the code from your authenticator app, or a recovery code."}
	}
	_, err = s.checkSecondFactor(c, user, code)
	return err
}
