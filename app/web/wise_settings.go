package web

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"folio/app/secrets"
)

// wiseKeyBits is the size of generated signing keys; Wise asks for at least 2048.
const wiseKeyBits = 2048

// wiseSettingsView is the data of the Wise part of the settings.
type wiseSettingsView struct {
	Errors       map[string]string
	HasToken     bool
	TokenSaved   bool
	HasKey       bool
	PublicKeyPEM string
	UpdatedAt    time.Time
}

func newWiseTokenBox(secretKey string) (*secrets.Box, error) {
	return secrets.New(secretKey, wiseTokenPurpose)
}

func (s *Server) loadWiseSettings(c *fiber.Ctx) (wiseSettingsView, error) {
	credentials, err := s.loadWiseCredentials(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return wiseSettingsView{}, err
	}
	return wiseSettingsView{HasToken: len(credentials.TokenSealed) > 0, HasKey: len(credentials.PrivateKeySealed) > 0,
		PublicKeyPEM: credentials.PublicKeyPEM, UpdatedAt: credentials.UpdatedAt}, nil
}

// wiseSettingsPage answers GET /settings/wise: the whole page, or for htmx the section
// the settings page loads.
func (s *Server) wiseSettingsPage(c *fiber.Ctx) error {
	data, err := s.loadWiseSettings(c)
	if err != nil {
		return err
	}
	return s.render(c, "wise_settings", "wise_settings", data)
}

// saveWiseToken answers POST /settings/wise/token.
func (s *Server) saveWiseToken(c *fiber.Ctx) error {
	err := s.setWiseToken(c, c.FormValue("token"))
	data, loadErr := s.loadWiseSettings(c)
	if loadErr != nil {
		return loadErr
	}
	if errors := fieldErrors(err); errors != nil {
		data.Errors = errors
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "wise_settings", "wise_settings", data)
	}
	if err != nil {
		return err
	}
	data.TokenSaved = true
	return s.wiseSettingsDone(c, data)
}

// forgetWiseSettings answers POST /settings/wise/forget: token and key are deleted.
func (s *Server) forgetWiseSettings(c *fiber.Ctx) error {
	if err := s.forgetWise(c.UserContext(), currentUser(c).ID); err != nil {
		return err
	}
	s.log(c).Info("wise connection forgotten", "user_id", currentUser(c).ID.String())
	return s.wiseSettingsDone(c, wiseSettingsView{})
}

// generateWiseKey answers POST /settings/wise/key: a new RSA key whose public half the
// user uploads to Wise. The private half is stored sealed and never shown.
func (s *Server) generateWiseKey(c *fiber.Ctx) error {
	user := currentUser(c)
	key, err := rsa.GenerateKey(rand.Reader, wiseKeyBits)
	if err != nil {
		return fmt.Errorf("generate wise key: %w", err)
	}
	private, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode wise key: %w", err)
	}
	public, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return fmt.Errorf("encode wise public key: %w", err)
	}
	box, err := secrets.New(s.config.SecretKey, wiseKeyPurpose)
	if err != nil {
		return err
	}
	publicPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: public}))
	if err := s.storeWiseKey(c.UserContext(), user.ID, box.Seal(private, user.ID[:]), publicPEM); err != nil {
		return err
	}
	s.log(c).Info("wise signing key generated", "user_id", user.ID.String())
	data, err := s.loadWiseSettings(c)
	if err != nil {
		return err
	}
	return s.wiseSettingsDone(c, data)
}

// wiseSettingsDone answers a successful change: the section for htmx, else a redirect.
func (s *Server) wiseSettingsDone(c *fiber.Ctx, data wiseSettingsView) error {
	if isHTMX(c) {
		return s.render(c, "wise_settings", "wise_settings", data)
	}
	return c.Redirect("/settings/wise", fiber.StatusSeeOther)
}
