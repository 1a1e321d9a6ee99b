package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Error pages must never show any of these: they would reveal a stack
// trace, the database or the source.
var internals = []string{"goroutine ", "panic:", ".go:", "SQLSTATE", "pgx", "pq:", "runtime/"}

// bodyBytesMax bounds what the probe reads of a response.
const bodyBytesMax = 1 << 20

// prober checks a running instance from the outside, as a browser sees it.
type prober struct {
	client  *http.Client
	base    string // https://host[:port]
	httpURL string // where plain HTTP is served; derived from base when empty
}

func (p *prober) run(ctx context.Context) []checkResult {
	if !strings.HasPrefix(p.base, "https://") {
		return []checkResult{fail("HTTPS", p.base+" is not an https:// URL",
			"serve Folio behind a TLS-terminating proxy (docs/deployment.md) and probe its https:// URL")}
	}
	results := []checkResult{p.checkRedirect(ctx)}
	login, err := p.get(ctx, p.base+"/login")
	if err != nil {
		return append(results, fail("login page", err.Error(), "start Folio and check the URL"))
	}
	results = append(results, checkHeaders(login.Header)...)
	results = append(results, checkCookies(login.Header))
	results = append(results, p.checkCSRF(ctx), p.checkErrorPage(ctx), p.checkReady(ctx))
	return results
}

type probeResponse struct {
	status int
	Header http.Header
	body   string
}

func (p *prober) do(ctx context.Context, method, target string, body io.Reader, header http.Header) (probeResponse, error) {
	request, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return probeResponse{}, err
	}
	for name, values := range header {
		request.Header[name] = values
	}
	client := *p.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	response, err := client.Do(request)
	if err != nil {
		return probeResponse{}, err
	}
	defer response.Body.Close()
	text, err := io.ReadAll(io.LimitReader(response.Body, bodyBytesMax))
	if err != nil {
		return probeResponse{}, err
	}
	return probeResponse{status: response.StatusCode, Header: response.Header, body: string(text)}, nil
}

func (p *prober) get(ctx context.Context, target string) (probeResponse, error) {
	return p.do(ctx, http.MethodGet, target, nil, nil)
}

func (p *prober) checkRedirect(ctx context.Context) checkResult {
	const name = "HTTP redirects to HTTPS"
	plain := p.httpURL
	if plain == "" {
		parsed, _ := url.Parse(p.base)
		plain = "http://" + parsed.Hostname()
	}
	response, err := p.get(ctx, strings.TrimRight(plain, "/")+"/login")
	if err != nil {
		return fail(name, err.Error(), "let the proxy answer plain HTTP with a redirect to https://")
	}
	location := response.Header.Get("Location")
	if response.status < 300 || response.status > 399 || !strings.HasPrefix(location, "https://") {
		return fail(name, fmt.Sprintf("plain HTTP answered %d (Location %q)", response.status, location),
			"redirect every plain-HTTP request to https:// (nginx: return 301 https://$host$request_uri)")
	}
	return pass(name)
}

func checkHeaders(header http.Header) []checkResult {
	csp := header.Get("Content-Security-Policy")
	var results []checkResult
	switch {
	case csp == "":
		results = append(results, fail("Content-Security-Policy", "missing", "do not strip Folio's headers in the proxy"))
	case strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
		!strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'"):
		results = append(results, fail("Content-Security-Policy", csp, "serve Folio's own policy unchanged"))
	default:
		results = append(results, pass("Content-Security-Policy"))
	}
	expected := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "",
		"Strict-Transport-Security": "max-age=",
	}
	for _, name := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Strict-Transport-Security"} {
		value := header.Get(name)
		if value == "" || !strings.Contains(value, expected[name]) {
			results = append(results, fail(name, fmt.Sprintf("got %q", value),
				"do not strip Folio's headers; HSTS needs SESSION_COOKIE_SECURE=true"))
			continue
		}
		results = append(results, pass(name))
	}
	return results
}

func checkCookies(header http.Header) checkResult {
	const name = "session cookie flags"
	cookies := header.Values("Set-Cookie")
	if len(cookies) == 0 {
		return fail(name, "the login page set no cookie", "do not strip Set-Cookie in the proxy")
	}
	for _, cookie := range cookies {
		lower := strings.ToLower(cookie)
		if !strings.HasPrefix(cookie, "__Host-") || !strings.Contains(lower, "secure") ||
			!strings.Contains(lower, "httponly") || !strings.Contains(lower, "samesite") {
			return fail(name, "cookie "+strings.SplitN(cookie, "=", 2)[0]+" lacks __Host-, Secure, HttpOnly or SameSite",
				"set SESSION_COOKIE_SECURE=true")
		}
	}
	return pass(name)
}

func (p *prober) checkCSRF(ctx context.Context) checkResult {
	const name = "CSRF enforced"
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	response, err := p.do(ctx, http.MethodPost, p.base+"/login", strings.NewReader("email=probe%40example.com&password=x"), header)
	if err != nil {
		return fail(name, err.Error(), "start Folio and check the URL")
	}
	if response.status != http.StatusForbidden {
		return fail(name, fmt.Sprintf("a form POST without a token answered %d", response.status),
			"do not put anything in front of Folio that answers POSTs itself")
	}
	return pass(name)
}

func (p *prober) checkErrorPage(ctx context.Context) checkResult {
	const name = "error pages reveal no internals"
	for _, target := range []string{p.base + "/no-such-page-%ff", p.base + "/api/v1/transactions/not-an-id"} {
		response, err := p.get(ctx, target)
		if err != nil {
			return fail(name, err.Error(), "start Folio and check the URL")
		}
		for _, marker := range internals {
			if strings.Contains(response.body, marker) {
				return fail(name, fmt.Sprintf("%s shows %q", target, marker), "run with APP_ENV=production")
			}
		}
	}
	return pass(name)
}

func (p *prober) checkReady(ctx context.Context) checkResult {
	const name = "/readyz"
	response, err := p.get(ctx, p.base+"/readyz")
	if err != nil {
		return fail(name, err.Error(), "start Folio and check the URL")
	}
	if response.status != http.StatusOK {
		return fail(name, fmt.Sprintf("answered %d", response.status), "check that the database is up and DATABASE_URL is right")
	}
	return pass(name)
}
