// Package config reads Folio's settings from the environment and refuses settings that would
// make a production instance unsafe.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Environments Folio knows. Development is forgiving (a generated secret, no database URL
// needed when a local cluster is started); production refuses weak settings.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Defaults for settings that may be left unset.
const (
	DefaultAddr         = "127.0.0.1:8080"
	DefaultUploadFolder = ".data/uploads"
	DefaultWiseAPIURL   = "https://api.wise.com"
	DefaultSMTPPort     = 587
	// DefaultMailOutbox is the file, in the data folder, where development writes the mail it
	// would send.
	DefaultMailOutbox = "mail-outbox.txt"
)

// digestSeedBytes is the size of an Ed25519 seed.
const digestSeedBytes = 32

// SecretKeyLengthMin is the shortest SECRET_KEY production accepts, in characters.
const SecretKeyLengthMin = 64

// DefaultDocumentQuotaBytes is how many bytes of documents each user may keep when
// DOCUMENT_QUOTA_BYTES is unset: 1 GiB.
const DefaultDocumentQuotaBytes = 1 << 30

// Config is the whole of Folio's configuration. Load fills it; nothing else reads the
// environment.
type Config struct {
	// Addr is the host:port the HTTP server listens on.
	Addr string
	// MetricsAddr is METRICS_ADDR: the host:port of a separate listener that serves /metrics
	// in the Prometheus format. Empty means no metrics endpoint. It must differ from Addr,
	// so that the metrics are never reachable through the public listener.
	MetricsAddr string
	// Env is EnvDevelopment or EnvProduction.
	Env string
	// SecretKey is the key other parts derive encryption keys from. Never log it.
	SecretKey string
	// DatabaseURL names the PostgreSQL database. It may hold a password: never log it.
	// Empty only in development.
	DatabaseURL string
	// UploadFolder is where uploaded documents are kept, unless DocumentsS3 is enabled.
	UploadFolder string
	// DocumentsS3 is the S3-compatible bucket that keeps documents in place of UploadFolder
	// when its Bucket is set. Its SecretKey is a secret: never log it.
	DocumentsS3 DocumentsS3Config
	// DocumentQuotaBytes is DOCUMENT_QUOTA_BYTES: how many bytes of documents each user may
	// keep. Zero means no limit.
	DocumentQuotaBytes int64
	// SessionCookieSecure marks cookies Secure (and gives them the __Host- prefix) and turns
	// on HSTS. It defaults to true in production and false in development.
	SessionCookieSecure bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-* headers are believed.
	// Empty means none: the peer address is the client.
	TrustedProxies []netip.Prefix
	// WiseAPIURL is the base URL of the Wise API.
	WiseAPIURL string
	// RegistrationOpen lets strangers create accounts. When false, registration is closed
	// whatever an admin has set in the app.
	RegistrationOpen bool
	// DigestSigningKey is DIGEST_SIGNING_KEY: the seed of the Ed25519 key that signs chain
	// digests, 32 bytes in standard base64 (openssl rand -base64 32). When empty, the key is
	// derived from SecretKey with HKDF-SHA256, and so changes whenever SECRET_KEY does; set it
	// to keep the public key that auditors pinned across secret rotations. Never log it.
	DigestSigningKey string

	// PublicURL is PUBLIC_URL: the scheme and host people reach Folio at, such as
	// https://books.example.org. Links in mail (password resets) are built from it, never
	// from a request's Host header. Development defaults to http:// and Addr.
	PublicURL string
	// SMTP is where mail goes. When SMTP.Host is empty, development writes mail to MailOutbox
	// and production sends none (password reset by mail is then unavailable).
	SMTP SMTPConfig
	// MailOutbox is the development mail file; empty in production.
	MailOutbox string
}

// SMTPConfig is an SMTP server that accepts Folio's mail: SMTP_HOST, SMTP_PORT,
// SMTP_USERNAME, SMTP_PASSWORD (never log it) and MAIL_FROM, the sender address. The
// connection must offer STARTTLS unless the host is a loopback address.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// Production reports whether Folio runs in production.
func (c Config) Production() bool {
	return c.Env == EnvProduction
}

// TrustedProxyStrings returns TrustedProxies in the textual form Fiber expects.
func (c Config) TrustedProxyStrings() []string {
	proxies := make([]string, 0, len(c.TrustedProxies))
	for _, prefix := range c.TrustedProxies {
		proxies = append(proxies, prefix.String())
	}
	return proxies
}

// Load reads the configuration through getenv (os.Getenv in production, a map in tests). In
// development, when SECRET_KEY is unset, it generates a random secret once and keeps it in
// dataDir/secret_key. Errors name the setting at fault and never quote secret values.
func Load(getenv func(string) string, dataDir string) (Config, error) {
	config := Config{
		Addr:         valueOr(getenv("ADDR"), DefaultAddr),
		MetricsAddr:  strings.TrimSpace(getenv("METRICS_ADDR")),
		Env:          valueOr(getenv("APP_ENV"), EnvDevelopment),
		SecretKey:    getenv("SECRET_KEY"),
		DatabaseURL:  strings.TrimSpace(getenv("DATABASE_URL")),
		UploadFolder: valueOr(getenv("UPLOAD_FOLDER"), DefaultUploadFolder),
		WiseAPIURL:   valueOr(getenv("WISE_API_URL"), DefaultWiseAPIURL),

		DigestSigningKey: strings.TrimSpace(getenv("DIGEST_SIGNING_KEY")),
	}

	if config.Env != EnvDevelopment && config.Env != EnvProduction {
		return Config{}, fmt.Errorf("APP_ENV must be %q or %q, not %q",
			EnvDevelopment, EnvProduction, config.Env)
	}

	var err error
	config.SessionCookieSecure, err = parseBool("SESSION_COOKIE_SECURE",
		getenv("SESSION_COOKIE_SECURE"), config.Production())
	if err != nil {
		return Config{}, err
	}
	config.RegistrationOpen, err = parseBool("REGISTRATION_OPEN", getenv("REGISTRATION_OPEN"), true)
	if err != nil {
		return Config{}, err
	}
	config.TrustedProxies, err = parseTrustedProxies(getenv("TRUSTED_PROXIES"))
	if err != nil {
		return Config{}, err
	}
	config.DocumentQuotaBytes, err = parseBytes("DOCUMENT_QUOTA_BYTES",
		getenv("DOCUMENT_QUOTA_BYTES"), DefaultDocumentQuotaBytes)
	if err != nil {
		return Config{}, err
	}
	if config.MetricsAddr != "" && config.MetricsAddr == config.Addr {
		return Config{}, errors.New("METRICS_ADDR must differ from ADDR: metrics are never served " +
			"on the public listener")
	}
	err = checkWiseAPIURL(config.WiseAPIURL, config.Production())
	if err != nil {
		return Config{}, err
	}
	err = checkDigestSigningKey(config.DigestSigningKey)
	if err != nil {
		return Config{}, err
	}
	err = loadMail(&config, getenv, dataDir)
	if err != nil {
		return Config{}, err
	}
	config.DocumentsS3, err = loadDocumentsS3(getenv, config.Production())
	if err != nil {
		return Config{}, err
	}

	if config.Production() {
		return config, checkProduction(config)
	}

	if config.SecretKey == "" {
		config.SecretKey, err = developmentSecret(dataDir)
		if err != nil {
			return Config{}, err
		}
	}
	return config, nil
}

func checkProduction(config Config) error {
	if config.DatabaseURL == "" {
		return errors.New("DATABASE_URL must be set in production")
	}
	if len(config.SecretKey) < SecretKeyLengthMin {
		return fmt.Errorf("SECRET_KEY must be at least %d characters in production "+
			"(generate one with: openssl rand -hex 64)", SecretKeyLengthMin)
	}
	if weakSecret(config.SecretKey) {
		return errors.New("SECRET_KEY looks like an example or placeholder value; " +
			"generate one with: openssl rand -hex 64")
	}
	return nil
}

func valueOr(value, fallback string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return fallback
	}
	return value
}

func parseBool(name, value string, fallback bool) (bool, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return fallback, nil
	}

	parsed, err := strconv.ParseBool(value)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, not %q", name, value)
	}
	return parsed, nil
}

// parseBytes reads a number of bytes, zero or more.
func parseBytes(name, value string, fallback int64) (int64, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return fallback, nil
	}

	parsed, err := strconv.ParseInt(value, 10, 64)
	if err != nil || parsed < 0 {
		return 0, fmt.Errorf("%s must be a number of bytes, not %q", name, value)
	}
	return parsed, nil
}

// parseTrustedProxies reads a comma-separated list of IP addresses and CIDR ranges.
func parseTrustedProxies(value string) ([]netip.Prefix, error) {
	var proxies []netip.Prefix
	for _, field := range strings.Split(value, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}

		if strings.Contains(field, "/") {
			prefix, err := netip.ParsePrefix(field)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an IP address or CIDR range", field)
			}
			proxies = append(proxies, prefix.Masked())
			continue
		}

		addr, err := netip.ParseAddr(field)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an IP address or CIDR range", field)
		}
		addr = addr.Unmap()
		proxies = append(proxies, netip.PrefixFrom(addr, addr.BitLen()))
	}
	return proxies, nil
}

// checkWiseAPIURL accepts an absolute URL; production insists on https, development also
// allows http so that a local stand-in can be used.
func checkWiseAPIURL(value string, production bool) error {
	parsed, err := url.Parse(value)
	if err != nil || parsed.Host == "" {
		return fmt.Errorf("WISE_API_URL must be an absolute URL, not %q", value)
	}
	if parsed.Scheme == "https" || (!production && parsed.Scheme == "http") {
		return nil
	}
	return fmt.Errorf("WISE_API_URL must use https, not %q", parsed.Scheme)
}

// checkDigestSigningKey accepts an empty key (derive it from SECRET_KEY) or 32 bytes in
// standard base64.
func checkDigestSigningKey(value string) error {
	if value == "" {
		return nil
	}
	seed, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(seed) != digestSeedBytes {
		return errors.New("DIGEST_SIGNING_KEY must be 32 bytes in standard base64 " +
			"(generate one with: openssl rand -base64 32)")
	}
	return nil
}

// loadMail reads PUBLIC_URL and the mail settings. Production insists on an https
// PUBLIC_URL and a sender address once SMTP_HOST is set.
func loadMail(config *Config, getenv func(string) string, dataDir string) error {
	config.PublicURL = strings.TrimRight(strings.TrimSpace(getenv("PUBLIC_URL")), "/")
	config.SMTP = SMTPConfig{
		Host:     strings.TrimSpace(getenv("SMTP_HOST")),
		Port:     DefaultSMTPPort,
		Username: strings.TrimSpace(getenv("SMTP_USERNAME")),
		Password: getenv("SMTP_PASSWORD"),
		From:     strings.TrimSpace(getenv("MAIL_FROM")),
	}
	if port := strings.TrimSpace(getenv("SMTP_PORT")); port != "" {
		parsed, err := strconv.Atoi(port)
		if err != nil || parsed < 1 || parsed > 65535 {
			return fmt.Errorf("SMTP_PORT must be a port number, not %q", port)
		}
		config.SMTP.Port = parsed
	}
	if !config.Production() {
		config.MailOutbox = filepath.Join(dataDir, DefaultMailOutbox)
		if config.PublicURL == "" {
			config.PublicURL = "http://" + config.Addr
		}
	}

	if config.PublicURL != "" {
		parsed, err := url.Parse(config.PublicURL)
		if err != nil || parsed.Host == "" || parsed.User != nil || parsed.RawQuery != "" ||
			parsed.Fragment != "" || (parsed.Path != "" && parsed.Path != "/") {
			return errors.New("PUBLIC_URL must be a scheme and host, like https://books.example.org")
		}
		if parsed.Scheme != "https" && (config.Production() || parsed.Scheme != "http") {
			return fmt.Errorf("PUBLIC_URL must use https, not %q", parsed.Scheme)
		}
	}
	if config.SMTP.Host == "" {
		return nil
	}
	if config.PublicURL == "" {
		return errors.New("PUBLIC_URL must be set when SMTP_HOST is, for links in mail")
	}
	if config.SMTP.From == "" || strings.ContainsAny(config.SMTP.From, "\r\n") {
		return errors.New("MAIL_FROM must be set to the sender address when SMTP_HOST is")
	}
	return nil
}
