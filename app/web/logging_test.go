package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/settings")
	newPassword := "an entirely new passphrase"
	browser.post("/settings/password", url.Values{"current_password": {testPassword},
		"new_password": {newPassword}})
	browser.get("/settings")
	_, token := apiToken(t, browser, "script")
	ts.client().api(http.MethodGet, "/api/v1/me", nil, bearer(token))
	ts.client().login("ada@example.org", "a wrong password guess")
	ts.client().login("ada@example.org\nlevel=ERROR msg=forged", "another wrong guess")
	sessionID := browser.cookies[sessionCookie]

	logs := ts.logs.String()

	secrets := []string{testPassword, newPassword, "a wrong password guess", "another wrong guess",
		token, token[len("folio_"):], sessionID, browser.csrf}
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret %q", secret[:8])
		}
	}
	if strings.Contains(logs, "\nlevel=ERROR msg=forged") {
		t.Error("a newline in the email forged a log line")
	}
	wantLine := regexp.MustCompile(`level=INFO msg=request request_id=[0-9a-f]{32} method=GET ` +
		`route=/settings path=/settings status=200 duration_ms=[0-9.]+ ip=0.0.0.0 user_id=[0-9a-f-]{36}`)
	if !wantLine.MatchString(logs) {
		t.Errorf("no access log line for /settings like %s in:\n%s", wantLine, logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !strings.Contains(line, "request_id=") {
			t.Errorf("a log line without request_id: %s", line)
		}
	}
	failed := regexp.MustCompile(`level=WARN msg="login failed" request_id=[0-9a-f]{32} ` +
		`email=ada@example.org ip=0.0.0.0 reason=wrong_credentials`)
	if !failed.MatchString(logs) {
		t.Error("the failed login is not logged with email, ip and reason")
	}
}
