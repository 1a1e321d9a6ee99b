package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/app/users"
	"folio/domain"
)

// registerClientPolicy slows one address that keeps trying taken emails (which would list
// who has an account).
var registerClientPolicy = users.ThrottlePolicy{
	LockAfter: 10, Delay: 5 * time.Second, DelayMax: 15 * time.Minute}

// registerForm is the data of pages/register.html.
type registerForm struct {
	Open              bool
	Email             string
	Error             string
	Errors            map[string]string
	PasswordLengthMin int
}

// registrationOpen reports whether strangers may register now: the configuration allows it
// and the admin has not closed it.
func (s *Server) registrationOpen(c *fiber.Ctx) (bool, error) {
	if !s.config.RegistrationOpen {
		return false, nil
	}
	return s.users.RegistrationOpen(c.UserContext())
}

// registerPage answers GET /register.
func (s *Server) registerPage(c *fiber.Ctx) error {
	open, err := s.registrationOpen(c)
	if err != nil {
		return err
	}

	if !open {
		c.Status(fiber.StatusForbidden)
	}
	return s.render(c, "register", "register_form",
		registerForm{Open: open, PasswordLengthMin: users.PasswordLengthMin})
}

// register answers POST /register: it creates the user, lets OnRegister open their books,
// signs them in and sends them to the dashboard.
func (s *Server) register(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := registerForm{Open: true, Email: strings.TrimSpace(c.FormValue("email")),
		PasswordLengthMin: users.PasswordLengthMin}
	open, err := s.registrationOpen(c)
	if err != nil {
		return err
	}
	if !open {
		form.Open = false
		c.Status(fiber.StatusForbidden)
		return s.render(c, "register", "register_form", form)
	}

	clientKey := users.ClientKey("register", s.clientIP(c))
	wait, err := s.throttle.Wait(ctx, clientKey)
	if err != nil {
		return err
	}
	if wait > 0 {
		seconds := int(math.Ceil(wait.Seconds()))
		form.Error = fmt.Sprintf("Too many attempts. Try again in %s.", waitText(seconds))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
		c.Status(fiber.StatusTooManyRequests)
		return s.render(c, "register", "register_form", form)
	}

	user, err := s.users.Create(ctx, form.Email, c.FormValue("password"), false)
	if code := domain.ErrorCode(err); code == domain.CodeInvalid || code == domain.CodeConflict {
		return s.registerRejected(c, form, clientKey, err)
	}
	if err != nil {
		return err
	}

	err = s.openBooks(c, user)
	if err != nil {
		return err
	}
	err = s.startSession(c, user)
	if err != nil {
		return err
	}
	s.log(c).Info("user registered", "user_id", user.ID.String(), "ip", s.clientIP(c))
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) registerRejected(c *fiber.Ctx, form registerForm, clientKey users.ThrottleKey,
	err error) error {
	if domain.ErrorCode(err) == domain.CodeConflict {
		failErr := s.throttle.Fail(c.UserContext(), clientKey, registerClientPolicy)
		if failErr != nil {
			return failErr
		}
	}

	form.Errors = fieldErrors(err)
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "register", "register_form", form)
}

// openBooks runs the OnRegister hook for a new user. When it fails the user is removed, so
// that registering again starts afresh instead of meeting a half-made account.
func (s *Server) openBooks(c *fiber.Ctx, user users.User) error {
	if s.onRegister == nil {
		return nil
	}

	err := s.onRegister(c.UserContext(), user.ID)
	if err == nil {
		return nil
	}
	// The hook's error is not wrapped: whatever its code, a failure here is an internal
	// one, answered with 500 and logged, never shown.
	removeErr := s.users.Remove(c.UserContext(), user.ID)
	if removeErr != nil {
		return fmt.Errorf("open books of new user %s: %v (and removing the user: %v)",
			user.ID, err, removeErr)
	}
	return fmt.Errorf("open books of new user %s: %v", user.ID, err)
}
