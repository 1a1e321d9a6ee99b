package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/config"
	"folio/app/users"
	"folio/app/web"
	"folio/eventstore/pgtest"
)

func TestMain(m *testing.M) {
	pgtest.Main(m)
}

const (
	testPassword = "correct horse battery"
	testSecret   = "9f1c2a7be34d5068c1f7a2e9b04d63c85e7a19f2d0b64c38a5e1f7092bd4c6e3"
)

// logBuffer collects log output from concurrent requests.
type logBuffer struct {
	mu     sync.Mutex
	buffer bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buffer.String()
}

// testClock is a settable clock shared by the server and its stores.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testServer struct {
	t      *testing.T
	server *web.Server
	pool   *pgxpool.Pool
	users  *users.Store
	logs   *logBuffer
	clock  *testClock
}

type serverOption func(*web.Deps)

func withSecureCookies(deps *web.Deps) { deps.Config.SessionCookieSecure = true }

func withTrustedProxies(prefixes ...string) serverOption {
	return func(deps *web.Deps) {
		for _, prefix := range prefixes {
			deps.Config.TrustedProxies = append(deps.Config.TrustedProxies,
				netip.MustParsePrefix(prefix))
		}
	}
}

func newTestServer(t *testing.T, options ...serverOption) *testServer {
	t.Helper()
	databaseURL := pgtest.NewDatabase(t)
	pool, err := pgxpool.New(context.Background(), databaseURL)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)

	logs := &logBuffer{}
	clock := &testClock{now: time.Now()}
	deps := web.Deps{
		Config: config.Config{
			Addr:             "127.0.0.1:0",
			Env:              config.EnvDevelopment,
			SecretKey:        testSecret,
			DatabaseURL:      databaseURL,
			RegistrationOpen: true,
			WiseAPIURL:       config.DefaultWiseAPIURL,
		},
		Pool:   pool,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    clock.Now,
	}
	for _, option := range options {
		option(&deps)
	}

	server, err := web.New(deps)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	t.Cleanup(func() { _ = server.Close() })
	return &testServer{t: t, server: server, pool: pool, users: users.NewStore(pool, clock.Now),
		logs: logs, clock: clock}
}

// response is a finished response with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string {
	return r.header.Get("Location")
}

// client is a browser stand-in: it keeps cookies and the CSRF token of the last page.
type client struct {
	t       *testing.T
	server  *testServer
	cookies map[string]string
	csrf    string
	header  http.Header // sent with every request
}

func (ts *testServer) client() *client {
	return &client{t: ts.t, server: ts, cookies: map[string]string{}, header: http.Header{}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

func (cl *client) do(request *http.Request) response {
	cl.t.Helper()
	for name, values := range cl.header {
		for _, value := range values {
			request.Header.Add(name, value)
		}
	}
	for name, value := range cl.cookies {
		request.AddCookie(&http.Cookie{Name: name, Value: value})
	}

	got, err := cl.server.server.App().Test(request, -1)
	if err != nil {
		cl.t.Fatalf("%s %s: %v", request.Method, request.URL, err)
	}
	body, err := io.ReadAll(got.Body)
	if err != nil {
		cl.t.Fatalf("read body: %v", err)
	}
	_ = got.Body.Close()

	for _, cookie := range got.Cookies() {
		expired := cookie.MaxAge < 0 || (!cookie.Expires.IsZero() && cookie.Expires.Before(time.Now()))
		if expired || cookie.Value == "" {
			delete(cl.cookies, cookie.Name)
			continue
		}
		cl.cookies[cookie.Name] = cookie.Value
	}
	if match := csrfMeta.FindSubmatch(body); match != nil && len(match[1]) > 0 {
		cl.csrf = string(match[1])
	}
	return response{status: got.StatusCode, header: got.Header, body: string(body)}
}

func (cl *client) get(path string) response {
	cl.t.Helper()
	return cl.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the page's CSRF token, as a browser form would.
func (cl *client) post(path string, form url.Values) response {
	cl.t.Helper()
	withToken := url.Values{"_csrf": {cl.csrf}}
	for name, values := range form {
		withToken[name] = values
	}
	return cl.postRaw(path, withToken)
}

// postRaw sends a form exactly as given.
func (cl *client) postRaw(path string, form url.Values) response {
	cl.t.Helper()
	request := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.do(request)
}

// api sends a JSON request. body nil sends none.
func (cl *client) api(method, path string, body any, header map[string]string) response {
	cl.t.Helper()
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			cl.t.Fatalf("encode body: %v", err)
		}
		reader = bytes.NewReader(encoded)
	}
	request := httptest.NewRequest(method, path, reader)
	if body != nil {
		request.Header.Set("Content-Type", "application/json")
	}
	for name, value := range header {
		request.Header.Set(name, value)
	}
	return cl.do(request)
}

// register creates an account through the form and leaves the client signed in.
func (cl *client) register(email string) {
	cl.t.Helper()
	cl.get("/register")
	got := cl.post("/register", url.Values{"email": {email}, "password": {testPassword}})
	if got.status != http.StatusSeeOther || got.location() != "/" {
		cl.t.Fatalf("register %s: got %d to %q, want 303 to /\n%s", email, got.status,
			got.location(), got.body)
	}
}

func (cl *client) login(email, password string) response {
	cl.t.Helper()
	cl.get("/login")
	return cl.post("/login", url.Values{"email": {email}, "password": {password}})
}

// userID returns the id of the account email.
func (ts *testServer) userID(email string) uuid.UUID {
	ts.t.Helper()
	var id uuid.UUID
	err := ts.pool.QueryRow(context.Background(), `SELECT id FROM users WHERE email = $1`, email).
		Scan(&id)
	if err != nil {
		ts.t.Fatalf("select user %s: %v", email, err)
	}
	return id
}

func (ts *testServer) count(query string, args ...any) int {
	ts.t.Helper()
	var n int
	err := ts.pool.QueryRow(context.Background(), query, args...).Scan(&n)
	if err != nil {
		ts.t.Fatalf("count: %v", err)
	}
	return n
}

func wantStatus(t *testing.T, got response, want int) {
	t.Helper()
	if got.status != want {
		t.Fatalf("status: got %d, want %d\n%s", got.status, want, got.body)
	}
}

func wantBodyContains(t *testing.T, got response, fragments ...string) {
	t.Helper()
	for _, fragment := range fragments {
		if !strings.Contains(got.body, fragment) {
			t.Errorf("body lacks %q:\n%s", fragment, got.body)
		}
	}
}

func countLines(text, fragment string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, fragment) {
			n++
		}
	}
	return n
}

type fiberCtx = fiber.Ctx

var errDatabase = errors.New(`ERROR: relation "secret_table" does not exist (SQLSTATE 42P01)`)
