package web

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"folio/app/users"
	"folio/domain"
)

// qrCodePixels is the width and height of the setup QR code.
const qrCodePixels = 240

// twoFactorView is the data of pages/twofactor_settings.html, and of the part of the
// settings page that loads it.
type twoFactorView struct {
	Enabled bool
	// Setup is a setup under way: Secret (in groups, for typing) and the QR code are shown.
	Setup  bool
	Secret string
	// RecoveryCodes were just made; they are shown this once.
	RecoveryCodes []string
	CodesLeft     int
	Notice        string
	Errors        map[string]string
}

// twoFactorSettingsPage answers GET /settings/two-factor: whether two-factor sign-in is on,
// and the setup under way, if any. htmx gets the section the settings page loads.
func (s *Server) twoFactorSettingsPage(c *fiber.Ctx) error {
	data, err := s.loadTwoFactor(c)
	if err != nil {
		return err
	}
	return s.render(c, "twofactor_settings", "two_factor_section", data)
}

func (s *Server) loadTwoFactor(c *fiber.Ctx) (twoFactorView, error) {
	ctx := c.UserContext()
	user := currentUser(c)
	data := twoFactorView{Errors: map[string]string{}}

	var err error
	data.Enabled, err = s.twoFactor.Enabled(ctx, user.ID)
	if err != nil {
		return twoFactorView{}, err
	}
	if data.Enabled {
		data.CodesLeft, err = s.twoFactor.RecoveryCodesLeft(ctx, user.ID)
		return data, err
	}

	key, err := s.twoFactor.PendingKey(ctx, user)
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return data, nil
	}
	if err != nil {
		return twoFactorView{}, err
	}
	data.Setup = true
	data.Secret = groupSecret(key.Secret())
	return data, nil
}

// beginTwoFactorSetup answers POST /settings/two-factor/setup: a new secret, shown with its
// QR code until a first code confirms it.
func (s *Server) beginTwoFactorSetup(c *fiber.Ctx) error {
	user := currentUser(c)

	_, err := s.twoFactor.Begin(c.UserContext(), user)
	if err != nil {
		return err
	}

	s.log(c).Info("two-factor setup started", "user_id", user.ID.String())
	return s.twoFactorSettingsPage(c)
}

// twoFactorQRCode answers GET /settings/two-factor/qr.png: the QR code of the setup under
// way, for the authenticator app to scan.
func (s *Server) twoFactorQRCode(c *fiber.Ctx) error {
	key, err := s.twoFactor.PendingKey(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	image, err := key.Image(qrCodePixels, qrCodePixels)
	if err != nil {
		return fmt.Errorf("draw QR code: %w", err)
	}
	var encoded bytes.Buffer
	err = png.Encode(&encoded, image)
	if err != nil {
		return fmt.Errorf("encode QR code: %w", err)
	}
	c.Type("png")
	return c.Send(encoded.Bytes())
}

// enableTwoFactor answers POST /settings/two-factor/enable (password, code): the password
// proves it is the user, a code from the app that the setup worked. Two-factor sign-in is then on, every other session of the user
// ends, and the recovery codes are shown this once.
func (s *Server) enableTwoFactor(c *fiber.Ctx) error {
	user := currentUser(c)

	err := s.confirmPassword(c, user, c.FormValue("password"))
	var refusal *authRefusal
	if errors.As(err, &refusal) {
		return s.twoFactorRejected(c, refusal.status, "password", refusal.message)
	}
	if err != nil {
		return err
	}
	codes, updated, err := s.twoFactor.Enable(c.UserContext(), user, c.FormValue("code"))
	if errors.Is(err, users.ErrWrongCode) {
		return s.twoFactorRejected(c, fiber.StatusUnprocessableEntity, "code",
			"This code is wrong. Check the time on your phone and try the newest code.")
	}
	if err != nil {
		return err
	}

	err = s.keepSession(c, updated)
	if err != nil {
		return err
	}
	s.log(c).Info("two-factor sign-in turned on", "user_id", user.ID.String())
	data := twoFactorView{Enabled: true, RecoveryCodes: codes, CodesLeft: len(codes),
		Notice: "Two-factor sign-in is on. Your other sessions were logged out."}
	return s.render(c, "twofactor_settings", "two_factor_section", data)
}

// newRecoveryCodes answers POST /settings/two-factor/recovery-codes (password, code): a new
// set of recovery codes replaces the old one.
func (s *Server) newRecoveryCodes(c *fiber.Ctx) error {
	user := currentUser(c)

	if refused, err := s.confirmBothFactors(c, user, "codes_password", "codes_code"); refused || err != nil {
		return err
	}
	codes, err := s.twoFactor.NewRecoveryCodes(c.UserContext(), user.ID)
	if err != nil {
		return err
	}

	s.log(c).Info("recovery codes replaced", "user_id", user.ID.String())
	data := twoFactorView{Enabled: true, RecoveryCodes: codes, CodesLeft: len(codes)}
	return s.render(c, "twofactor_settings", "two_factor_section", data)
}

// disableTwoFactor answers POST /settings/two-factor/disable (password, code): with the
// password and a second factor, two-factor sign-in goes off and every other session of the
// user ends.
func (s *Server) disableTwoFactor(c *fiber.Ctx) error {
	user := currentUser(c)

	if refused, err := s.confirmBothFactors(c, user, "password", "code"); refused || err != nil {
		return err
	}
	updated, err := s.twoFactor.Disable(c.UserContext(), user.ID)
	if err != nil {
		return err
	}
	err = s.keepSession(c, updated)
	if err != nil {
		return err
	}

	s.log(c).Warn("two-factor sign-in turned off", "user_id", user.ID.String(),
		"ip", s.clientIP(c))
	data := twoFactorView{Notice: "Two-factor sign-in is off. Your other sessions were " +
		"logged out.", Errors: map[string]string{}}
	return s.render(c, "twofactor_settings", "two_factor_section", data)
}

// confirmBothFactors checks the form's password and second-factor code before a change to
// how user signs in. On a refusal it renders the section with the message beside
// passwordField or codeField and reports refused; err is then what rendering returned.
func (s *Server) confirmBothFactors(c *fiber.Ctx, user users.User, passwordField,
	codeField string) (refused bool, err error) {
	err = s.confirmPassword(c, user, c.FormValue("password"))
	var refusal *authRefusal
	if errors.As(err, &refusal) {
		return true, s.twoFactorRejected(c, refusal.status, passwordField, refusal.message)
	}
	if err != nil {
		return false, err
	}
	_, err = s.checkSecondFactor(c, user, c.FormValue("code"))
	if errors.As(err, &refusal) {
		return true, s.twoFactorRejected(c, refusal.status, codeField, refusal.message)
	}
	return false, err
}

// confirmPassword checks the current password of user before a change to how they sign in,
// so that a borrowed session cannot make it. Wrong passwords count against the account like
// failed sign-ins; a password that is not accepted gives an *authRefusal.
func (s *Server) confirmPassword(c *fiber.Ctx, user users.User, password string) error {
	ctx := c.UserContext()
	accountKey := users.AccountKey(user.Email)

	wait, err := s.throttle.Wait(ctx, accountKey)
	if err != nil {
		return err
	}
	if wait > 0 {
		seconds := int(math.Ceil(wait.Seconds()))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(seconds))
		return &authRefusal{status: fiber.StatusTooManyRequests,
			message: "Too many wrong passwords. Try again in " + waitText(seconds) + "."}
	}
	err = s.users.CheckPassword(ctx, user.ID, password)
	if domain.ErrorCode(err) == domain.CodeInvalid {
		s.logLoginFailure(c, user.Email, "wrong_current_password")
		failErr := s.throttle.Fail(ctx, accountKey, accountLoginPolicy)
		if failErr != nil {
			return failErr
		}
		return &authRefusal{status: fiber.StatusUnprocessableEntity,
			message: "This is not your current password."}
	}
	return err
}

func (s *Server) twoFactorRejected(c *fiber.Ctx, status int, field, message string) error {
	data, err := s.loadTwoFactor(c)
	if err != nil {
		return err
	}
	data.Errors[field] = message
	c.Status(status)
	return s.render(c, "twofactor_settings", "two_factor_section", data)
}

// keepSession keeps the request's session signed in after a change that ended every
// session of the user (the generation moved on): this session adopts the new generation and
// keeps its id and CSRF token, so that the page the user is on goes on working.
func (s *Server) keepSession(c *fiber.Ctx, updated users.User) error {
	sess, err := s.requestSession(c)
	if err != nil {
		return err
	}
	sess.data.Generation = updated.SessionGeneration
	err = s.saveSession(c, sess)
	if err != nil {
		return err
	}
	c.Locals(userKey, updated)
	return nil
}

// groupSecret shows a base32 secret in groups of four, for typing it into an app.
func groupSecret(secret string) string {
	var grouped strings.Builder
	for i := 0; i < len(secret); i += 4 {
		if i > 0 {
			grouped.WriteByte(' ')
		}
		grouped.WriteString(secret[i:min(i+4, len(secret))])
	}
	return grouped.String()
}
