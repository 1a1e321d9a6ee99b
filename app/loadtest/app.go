package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// appStartTimeout bounds building and starting the app binary.
const appStartTimeout = 3 * time.Minute

type appProcess struct {
	cmd     *exec.Cmd
	baseURL string
}

func (a *appProcess) pid() int { return a.cmd.Process.Pid }

func (a *appProcess) stop() {
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = a.cmd.Process.Kill()
	}
}

// startApp builds the app and runs it as its own process, so that its
// resident memory is its own, against the seeded database.
func startApp(ctx context.Context, workDir, databaseURL string) (*appProcess, error) {
	ctx, cancel := context.WithTimeout(ctx, appStartTimeout)
	defer cancel()
	binary := filepath.Join(workDir, "folio")
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, "./app")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build the app: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(binary)
	cmd.Dir = workDir // its .data (development secret) stays in the work folder
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL, "ADDR="+addr, "APP_ENV=development")
	logFile, err := os.Create(filepath.Join(workDir, "app.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the app: %w", err)
	}
	app := &appProcess{cmd: cmd, baseURL: "http://" + addr}
	if err := waitReady(ctx, app.baseURL); err != nil {
		app.stop()
		return nil, err
	}
	return app, nil
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(ctx context.Context, baseURL string) error {
	for {
		response, err := http.Get(baseURL + "/readyz")
		if err == nil {
			response.Body.Close()
			if response.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the app did not become ready: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// signIn logs in through the login form, as a browser would, and returns a
// client whose cookie jar carries the session.
func signIn(ctx context.Context, baseURL, email, password string, connections int) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: connections, MaxIdleConnsPerHost: connections, MaxConnsPerHost: connections,
		IdleConnTimeout: time.Minute,
	}}
	page, err := client.Get(baseURL + "/login")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	token := csrfMeta.FindSubmatch(body)
	if token == nil {
		return nil, fmt.Errorf("the login page carries no CSRF token")
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {string(token[1])}}
	request, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/login", strings.NewReader(form.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	request.Header.Set("Origin", baseURL)
	request.Header.Set("Referer", baseURL+"/login")
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	response, err := client.Do(request)
	if err != nil {
		return nil, err
	}
	response.Body.Close()
	if response.StatusCode != http.StatusSeeOther && response.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("login answered %d", response.StatusCode)
	}
	return client, nil
}
