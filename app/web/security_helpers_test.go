package web_test

// Helpers of the security suite (security_*_test.go; SECURITY_TESTS.md maps the ASVS
// requirements to its tests). Every test of the suite runs on a securityServer, which
// captures the mail the server sends and, when the test ends, greps the log the test
// produced for every secret the test saw: passwords, session ids, CSRF tokens, API tokens,
// TOTP secrets, recovery codes and reset tokens (ASVS V16.2.5).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"folio/app/mail"
	"folio/app/web"
)

// publicURL is the PUBLIC_URL of security test servers: links in mail must start with it.
const publicURL = "https://books.example.org"

type securityServer struct {
	*testServer
	outbox *logBuffer

	mu      sync.Mutex
	secrets []string
	clients []*client
}

// newSecurityServer is newTestServer with a mail outbox and the log check described above.
func newSecurityServer(t *testing.T, options ...serverOption) *securityServer {
	t.Helper()
	outbox := &logBuffer{}
	withMail := func(deps *web.Deps) {
		deps.Mailer = mail.NewOutbox(outbox)
		deps.Config.PublicURL = publicURL
	}
	ts := newTestServer(t, append([]serverOption{withMail}, options...)...)
	ss := &securityServer{testServer: ts, outbox: outbox}
	t.Cleanup(ss.checkLogsHoldNoSecrets)
	return ss
}

// secret remembers values that must never appear in the log.
func (ss *securityServer) secret(values ...string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.secrets = append(ss.secrets, values...)
}

// client returns a new browser whose cookies and CSRF tokens the log check knows.
func (ss *securityServer) client() *client {
	return ss.track(ss.testServer.client())
}

// track makes the log check know cl's cookies and CSRF tokens.
func (ss *securityServer) track(cl *client) *client {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.clients = append(ss.clients, cl)
	return cl
}

// signedIn registers email and returns its signed-in browser, on a page with a CSRF token.
func (ss *securityServer) signedIn(email string) *client {
	ss.t.Helper()
	cl := ss.client()
	cl.register(email)
	cl.get("/settings")
	return cl
}

// signedInAdmin creates an admin and returns their signed-in browser.
func (ss *securityServer) signedInAdmin(email string) *client {
	ss.t.Helper()
	_, err := ss.users.Create(context.Background(), email, testPassword, true)
	if err != nil {
		ss.t.Fatalf("create admin: %v", err)
	}
	cl := ss.client()
	wantStatus(ss.t, cl.login(email, testPassword), http.StatusSeeOther)
	cl.get("/settings")
	return cl
}

// apiTokenRegex matches an API token wherever it appears.
var apiTokenRegex = regexp.MustCompile(`folio_[A-Za-z0-9_-]{43}`)

// ASVS V16.2.5: no secret the test saw is in the log it produced.
func (ss *securityServer) checkLogsHoldNoSecrets() {
	t := ss.t
	logs := ss.logs.String()

	ss.mu.Lock()
	secrets := append([]string{testPassword, testSecret}, ss.secrets...)
	for _, cl := range ss.clients {
		secrets = append(secrets, cl.csrf)
		for name, value := range cl.cookies {
			if strings.Contains(name, "session") || strings.Contains(name, "csrf") {
				secrets = append(secrets, value)
			}
		}
	}
	ss.mu.Unlock()
	rows, err := ss.pool.Query(context.Background(), `SELECT k FROM web_sessions`)
	if err == nil {
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil {
				secrets = append(secrets, id)
			}
		}
		rows.Close()
	}

	for _, secret := range secrets {
		if len(secret) >= 8 && strings.Contains(logs, secret) {
			t.Errorf("ASVS V16.2.5: the log holds a secret starting %q", secret[:4])
		}
	}
	if token := apiTokenRegex.FindString(logs); token != "" {
		t.Errorf("ASVS V16.2.5: the log holds an API token starting %q", token[:10])
	}
}

// fingerprint returns a digest of every table's rows but the session store's (sessions
// move their expiry on every request) and those in skip, to tell whether a request
// changed anything.
func (ts *testServer) fingerprint(skip ...string) map[string]string {
	ts.t.Helper()
	ctx := context.Background()
	rows, err := ts.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		ts.t.Fatalf("list tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			ts.t.Fatalf("list tables: %v", err)
		}
		if name != "web_sessions" && !slices.Contains(skip, name) {
			tables = append(tables, name)
		}
	}
	rows.Close()

	digests := make(map[string]string, len(tables))
	for _, table := range tables {
		var digest string
		err := ts.pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*)::text || ':' ||
			coalesce(md5(string_agg(row_text, ',' ORDER BY row_text)), '')
			FROM (SELECT x::text AS row_text FROM %q x) rows`, table)).Scan(&digest)
		if err != nil {
			ts.t.Fatalf("digest %s: %v", table, err)
		}
		digests[table] = digest
	}
	return digests
}

// changedTables names the tables whose digests differ.
func changedTables(before, after map[string]string) []string {
	var changed []string
	for table, digest := range after {
		if before[table] != digest {
			changed = append(changed, table)
		}
	}
	slices.Sort(changed)
	return changed
}

var (
	setupSecret   = regexp.MustCompile(`Key: <code class="secret">([A-Z2-7 ]+)</code>`)
	recoveryCodes = regexp.MustCompile(`<li><code class="secret">([a-z2-7-]+)</code></li>`)
)

// enableTwoFactor turns two-factor sign-in on through the settings pages for the signed-in
// browser, whose password is testPassword, and returns the TOTP secret and the recovery
// codes. The clock then moves to the next time step, so that a fresh code differs.
func (ss *securityServer) enableTwoFactor(cl *client) (string, []string) {
	t := ss.t
	t.Helper()
	cl.get("/settings")
	setup := cl.post("/settings/two-factor/setup", nil)
	wantStatus(t, setup, http.StatusOK)
	match := setupSecret.FindStringSubmatch(setup.body)
	if match == nil {
		t.Fatalf("the setup shows no key:\n%s", setup.body)
	}
	secret := strings.ReplaceAll(match[1], " ", "")
	ss.secret(secret)

	enabled := cl.post("/settings/two-factor/enable", url.Values{"password": {testPassword},
		"code": {ss.totpCode(secret)}})
	wantStatus(t, enabled, http.StatusOK)
	var codes []string
	for _, match := range recoveryCodes.FindAllStringSubmatch(enabled.body, -1) {
		codes = append(codes, match[1])
	}
	if len(codes) != 10 {
		t.Fatalf("recovery codes shown: got %d, want 10\n%s", len(codes), enabled.body)
	}
	ss.secret(codes...)
	ss.clock.Advance(30 * time.Second)
	return secret, codes
}

// totpCode returns the current code of secret by the server's clock.
func (ss *securityServer) totpCode(secret string) string {
	ss.t.Helper()
	code, err := totp.GenerateCode(secret, ss.clock.Now())
	if err != nil {
		ss.t.Fatalf("GenerateCode: %v", err)
	}
	return code
}

var resetLink = regexp.MustCompile(`(https?://[^\s/]+)/password-reset/confirm\?token=([A-Za-z0-9_-]+)`)

// resetToken asks for a reset link for email and returns the token of the link mailed.
func (ss *securityServer) resetToken(email string) string {
	ss.t.Helper()
	before := len(resetLink.FindAllString(ss.outbox.String(), -1))
	asker := ss.client()
	asker.get("/password-reset")
	wantStatus(ss.t, asker.post("/password-reset", url.Values{"email": {email}}),
		http.StatusOK)
	links := resetLink.FindAllStringSubmatch(ss.outbox.String(), -1)
	if len(links) != before+1 {
		ss.t.Fatalf("reset links mailed: got %d, want %d", len(links), before+1)
	}
	token := links[len(links)-1][2]
	ss.secret(token)
	return token
}
