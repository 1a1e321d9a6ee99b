package config_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"folio/app/config"
)

// goodSecret is 64 random-looking hex characters, as `openssl rand -hex 32` prints.
const goodSecret = "9f1c2a7be34d5068c1f7a2e9b04d63c85e7a19f2d0b64c38a5e1f7092bd4c6e3"

func env(values map[string]string) func(string) string {
	return func(name string) string { return values[name] }
}

func TestLoadDefaults(t *testing.T) {
	dataDir := t.TempDir()

	got, err := config.Load(env(nil), dataDir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if got.Addr != "127.0.0.1:8080" || got.Env != config.EnvDevelopment ||
		got.UploadFolder != ".data/uploads" || got.WiseAPIURL != "https://api.wise.com" {
		t.Errorf("defaults: got %+v", got)
	}
	if !got.RegistrationOpen {
		t.Error("RegistrationOpen: got false, want true by default")
	}
	if got.SessionCookieSecure {
		t.Error("SessionCookieSecure: got true, want false by default in development")
	}
	if got.Production() {
		t.Error("Production: got true, want false")
	}
}

func TestLoadProduction(t *testing.T) {
	production := func(overrides map[string]string) map[string]string {
		values := map[string]string{
			"APP_ENV":      "production",
			"SECRET_KEY":   goodSecret,
			"DATABASE_URL": "postgres://folio@db/folio",
		}
		for name, value := range overrides {
			values[name] = value
		}
		return values
	}

	tests := []struct {
		name      string
		env       map[string]string
		wantError string // a fragment of the error; empty means success
	}{
		{"accepts a strong secret", production(nil), ""},
		{"refuses a missing database URL", production(map[string]string{"DATABASE_URL": ""}),
			"DATABASE_URL"},
		{"refuses a missing secret", production(map[string]string{"SECRET_KEY": ""}),
			"SECRET_KEY"},
		{"refuses a short secret", production(map[string]string{"SECRET_KEY": goodSecret[:63]}),
			"SECRET_KEY"},
		{"refuses changeme", production(map[string]string{"SECRET_KEY": "changeme"}),
			"SECRET_KEY"},
		{"refuses a padded placeholder", production(map[string]string{
			"SECRET_KEY": "changeme" + goodSecret}), "SECRET_KEY"},
		{"refuses a long secret word", production(map[string]string{
			"SECRET_KEY": "my-super-secret-key-" + goodSecret}), "SECRET_KEY"},
		{"refuses a repeated character", production(map[string]string{
			"SECRET_KEY": strings.Repeat("a", 80)}), "SECRET_KEY"},
		{"refuses a repeated pattern", production(map[string]string{
			"SECRET_KEY": strings.Repeat("k3Y9!", 20)}), "SECRET_KEY"},
		{"refuses few distinct characters", production(map[string]string{
			"SECRET_KEY": strings.Repeat("ab12", 10) + strings.Repeat("21ba", 10)}), "SECRET_KEY"},
		{"refuses an unknown environment", production(map[string]string{"APP_ENV": "prod"}),
			"APP_ENV"},
		{"refuses a bad boolean", production(map[string]string{"SESSION_COOKIE_SECURE": "yes"}),
			"SESSION_COOKIE_SECURE"},
		{"refuses a bad registration flag", production(map[string]string{
			"REGISTRATION_OPEN": "sometimes"}), "REGISTRATION_OPEN"},
		{"refuses a bad proxy", production(map[string]string{"TRUSTED_PROXIES": "10.0.0.1,nope"}),
			"TRUSTED_PROXIES"},
		{"refuses plain http for Wise", production(map[string]string{
			"WISE_API_URL": "http://api.wise.com"}), "WISE_API_URL"},
		{"refuses a relative Wise URL", production(map[string]string{"WISE_API_URL": "/wise"}),
			"WISE_API_URL"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := config.Load(env(test.env), t.TempDir())

			if test.wantError == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load: got no error, want one naming %s", test.wantError)
			}
			if !strings.Contains(err.Error(), test.wantError) {
				t.Errorf("error: got %q, want it to name %s", err, test.wantError)
			}
			if secret := test.env["SECRET_KEY"]; len(secret) > 8 && strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the secret: %q", err)
			}
		})
	}
}

func TestLoadProductionDefaultsToSecureCookies(t *testing.T) {
	got, err := config.Load(env(map[string]string{
		"APP_ENV":      "production",
		"SECRET_KEY":   goodSecret,
		"DATABASE_URL": "postgres://folio@db/folio",
	}), t.TempDir())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if !got.SessionCookieSecure {
		t.Error("SessionCookieSecure: got false, want true by default in production")
	}
}

func TestLoadTrustedProxies(t *testing.T) {
	got, err := config.Load(env(map[string]string{
		"TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16 ,::1,",
	}), t.TempDir())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.1/32"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("::1/128"),
	}
	if len(got.TrustedProxies) != len(want) {
		t.Fatalf("TrustedProxies: got %v, want %v", got.TrustedProxies, want)
	}
	for i := range want {
		if got.TrustedProxies[i] != want[i] {
			t.Errorf("TrustedProxies[%d]: got %v, want %v", i, got.TrustedProxies[i], want[i])
		}
	}
}

func TestLoadDevelopmentSecret(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")

	first, err := config.Load(env(nil), dataDir)
	if err != nil {
		t.Fatalf("first Load: %v", err)
	}
	second, err := config.Load(env(nil), dataDir)
	if err != nil {
		t.Fatalf("second Load: %v", err)
	}

	if len(first.SecretKey) < config.SecretKeyLengthMin {
		t.Errorf("generated secret: got %d characters, want at least %d",
			len(first.SecretKey), config.SecretKeyLengthMin)
	}
	if second.SecretKey != first.SecretKey {
		t.Error("second Load generated another secret, want the kept one")
	}
	info, err := os.Stat(filepath.Join(dataDir, "secret_key"))
	if err != nil {
		t.Fatalf("stat secret file: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("secret file mode: got %o, want 600", got)
	}
}

func TestLoadDevelopmentKeepsGivenSecret(t *testing.T) {
	dataDir := t.TempDir()

	got, err := config.Load(env(map[string]string{"SECRET_KEY": "short-is-fine-here"}), dataDir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	if got.SecretKey != "short-is-fine-here" {
		t.Error("SecretKey: the given secret was replaced")
	}
	if _, err := os.Stat(filepath.Join(dataDir, "secret_key")); err == nil {
		t.Error("a secret file was written although SECRET_KEY was set")
	}
}
