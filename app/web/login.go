package web

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/app/users"
)

// Sign-in throttling. An account locks after a few failures, for a delay that doubles with
// every further failure. A client address tolerates more, since several people
// may share one; it stops one address from trying many accounts.
var (
	accountLoginPolicy = users.ThrottlePolicy{
		LockAfter: 5, Delay: 2 * time.Second, DelayMax: 15 * time.Minute}
	clientLoginPolicy = users.ThrottlePolicy{
		LockAfter: 20, Delay: 2 * time.Second, DelayMax: 15 * time.Minute}
)

// emailLogBytesMax bounds the typed email written to the log of a failed sign-in.
const emailLogBytesMax = 254

// loginForm is the data of pages/login.html.
type loginForm struct {
	Email            string
	Next             string
	Error            string
	RegistrationOpen bool
}

// loginPage answers GET /login. Someone already signed in goes on to next.
func (s *Server) loginPage(c *fiber.Ctx) error {
	form := loginForm{Next: localPath(c.Query("next"))}
	if _, ok := optionalUser(c); ok {
		return c.Redirect(form.Next, fiber.StatusSeeOther)
	}

	var err error
	form.RegistrationOpen, err = s.registrationOpen(c)
	if err != nil {
		return err
	}
	return s.render(c, "login", "login_form", form)
}

// login answers POST /login: it checks the throttle, then the credentials, and on success
// starts a new session and goes on to next (a local path only). A user with two-factor
// sign-in goes on to the code form instead (twofactor.go).
func (s *Server) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := loginForm{Email: strings.TrimSpace(c.FormValue("email")),
		Next: localPath(c.FormValue("next"))}
	password := c.FormValue("password")
	accountKey := users.AccountKey(form.Email)
	clientKey := users.ClientKey("login", s.clientIP(c))

	wait, err := s.throttle.Wait(ctx, accountKey, clientKey)
	if err != nil {
		return err
	}
	if wait > 0 {
		s.logLoginFailure(c, form.Email, "throttled")
		return s.renderThrottled(c, form, wait)
	}

	user, err := s.users.Authenticate(ctx, form.Email, password)
	if errors.Is(err, users.ErrWrongCredentials) || errors.Is(err, users.ErrDisabled) {
		return s.loginFailed(c, form, err)
	}
	if err != nil {
		return err
	}

	err = s.throttle.Clear(ctx, accountKey)
	if err != nil {
		return err
	}
	secondFactor, err := s.twoFactor.Enabled(ctx, user.ID)
	if err != nil {
		return err
	}
	if secondFactor {
		return s.beginTwoFactor(c, user, form.Next)
	}
	err = s.startSession(c, user)
	if err != nil {
		return err
	}
	s.log(c).Info("login succeeded", "user_id", user.ID.String(), "ip", s.clientIP(c))
	return c.Redirect(form.Next, fiber.StatusSeeOther)
}

func (s *Server) loginFailed(c *fiber.Ctx, form loginForm, err error) error {
	ctx := c.UserContext()
	failErr := s.throttle.Fail(ctx, users.AccountKey(form.Email), accountLoginPolicy)
	if failErr != nil {
		return failErr
	}
	failErr = s.throttle.Fail(ctx, users.ClientKey("login", s.clientIP(c)), clientLoginPolicy)
	if failErr != nil {
		return failErr
	}

	form.Error = "Wrong email or password."
	reason := "wrong_credentials"
	if errors.Is(err, users.ErrDisabled) {
		form.Error = "This account is disabled."
		reason = "disabled"
	}
	s.logLoginFailure(c, form.Email, reason)
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "login", "login_form", form)
}

func (s *Server) renderThrottled(c *fiber.Ctx, form loginForm, wait time.Duration) error {
	seconds := int(math.Ceil(wait.Seconds()))
	form.Error = fmt.Sprintf("Too many failed attempts. Try again in %s.", waitText(seconds))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
	c.Status(fiber.StatusTooManyRequests)
	return s.render(c, "login", "login_form", form)
}

// logLoginFailure records a failed sign-in: who was tried, from where, and why. Never the
// password.
func (s *Server) logLoginFailure(c *fiber.Ctx, email, reason string) {
	if len(email) > emailLogBytesMax {
		email = email[:emailLogBytesMax]
	}
	s.log(c).Warn("login failed", "email", email, "ip", s.clientIP(c), "reason", reason)
}

func waitText(seconds int) string {
	if seconds < 90 {
		return fmt.Sprintf("%d seconds", max(seconds, 1))
	}
	return fmt.Sprintf("%d minutes", (seconds+59)/60)
}
