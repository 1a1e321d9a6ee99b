package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// freeLoopbackAddr returns a loopback address nobody listens on.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	listener.Close()
	return addr
}

func serveEnvironment(t *testing.T, settings map[string]string) *environment {
	databaseURL := newCLI(t).url
	values := map[string]string{
		"DATABASE_URL":  databaseURL,
		"SECRET_KEY":    strings.Repeat("metrics-test-secret-", 4),
		"UPLOAD_FOLDER": t.TempDir(),
	}
	for name, value := range settings {
		values[name] = value
	}
	return &environment{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &bytes.Buffer{},
		getenv: func(name string) string { return values[name] }, logger: slog.New(slog.DiscardHandler)}
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	response, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	return response.StatusCode, string(body)
}

func TestServeExposesMetricsOnlyOnMetricsAddr(t *testing.T) {
	addr, metricsAddr := freeLoopbackAddr(t), freeLoopbackAddr(t)
	env := serveEnvironment(t, map[string]string{"ADDR": addr, "METRICS_ADDR": metricsAddr})
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, env, []string{"serve"}) }()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		response, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			response.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer: %v\n%s", err, env.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}

	if status, _ := getBody(t, "http://"+addr+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on ADDR: got %d, want 404", status)
	}
	status, body := getBody(t, "http://"+metricsAddr+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics on METRICS_ADDR: got %d", status)
	}
	for _, want := range []string{
		`folio_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`folio_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`folio_db_pool_connections_max{pool="main"}`,
		`folio_events_appended_total 0`,
		"folio_projection_lag_events 0\n",
		"folio_projection_lag_users 0\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in:\n%s", want, body)
		}
	}
}

func TestServeRefusesMetricsOnTheAppAddress(t *testing.T) {
	addr := freeLoopbackAddr(t)
	env := serveEnvironment(t, map[string]string{"ADDR": addr, "METRICS_ADDR": addr})

	code := run(context.Background(), env, []string{"serve"})

	if stderr := env.stderr.(*bytes.Buffer).String(); code == 0 ||
		!strings.Contains(stderr, "METRICS_ADDR must differ from ADDR") {
		t.Errorf("got exit %d, stderr %q", code, stderr)
	}
}
