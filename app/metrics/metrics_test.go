package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"folio/app/metrics"
)

func scrape(t *testing.T, registry *metrics.Registry) string {
	t.Helper()
	var out bytes.Buffer
	if err := registry.Write(&out); err != nil {
		t.Fatalf("write metrics: %v", err)
	}
	return out.String()
}

func wantLines(t *testing.T, exposition string, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if !strings.Contains(exposition, "\n"+line+"\n") {
			t.Errorf("no line %q in:\n%s", line, exposition)
		}
	}
}

func TestLogHandlerCountsRequestsAndSignIns(t *testing.T) {
	registry := metrics.New()
	var logs bytes.Buffer
	logger := slog.New(metrics.NewLogHandler(slog.NewTextHandler(&logs, nil), registry)).
		With("request_id", "abc")

	for _, ms := range []float64{3, 40, 700} {
		logger.Info("request", "method", "GET", "route", "/transactions/:id",
			"path", "/transactions/1", "status", 200, "duration_ms", ms, "ip", "::1",
			"request_bytes", -1)
	}
	logger.Info("request", "method", "POST", "route", "/api/v1/documents", "path",
		"/api/v1/documents", "status", 201, "duration_ms", 12.5, "request_bytes", 2048)
	logger.Info("request", "method", "GET", "route", "/", "path", "/wp-admin", "status", 404,
		"duration_ms", 0.2, "request_bytes", 0)
	logger.Info("request", "method", "GET", "route", "/api/v1/me", "path", "/api/v1/me",
		"status", 401, "duration_ms", 1.0, "request_bytes", 0)
	logger.Warn("login failed", "email", "a@example.org", "reason", "wrong_credentials")
	logger.Warn("login failed", "email", "a@example.org", "reason", "throttled")
	logger.Warn("csrf token rejected", "reason", "missing")
	logger.Info("account opened", "user_id", "u")
	logger.Debug("not counted")

	exposition := scrape(t, registry)
	wantLines(t, exposition,
		`folio_http_requests_total{method="GET",route="/transactions/:id",status="200"} 3`,
		`folio_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`folio_http_request_duration_seconds_bucket{method="GET",route="/transactions/:id",le="0.005"} 1`,
		`folio_http_request_duration_seconds_bucket{method="GET",route="/transactions/:id",le="0.05"} 2`,
		`folio_http_request_duration_seconds_bucket{method="GET",route="/transactions/:id",le="1"} 3`,
		`folio_http_request_duration_seconds_bucket{method="GET",route="/transactions/:id",le="+Inf"} 3`,
		`folio_http_request_duration_seconds_count{method="GET",route="/transactions/:id"} 3`,
		`folio_upload_bytes_total{method="POST",route="/api/v1/documents"} 2048`,
		`folio_login_failures_total{reason="throttled"} 1`,
		`folio_login_failures_total{reason="wrong_credentials"} 1`,
		`folio_security_events_total{message="access denied"} 1`,
		`folio_security_events_total{message="csrf token rejected"} 1`,
		`folio_security_events_total{message="login failed"} 2`,
		`folio_events_appended_total 0`,
	)

	text := logs.String()
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		security := strings.Contains(line, "login failed") || strings.Contains(line, "csrf") ||
			strings.Contains(line, "status=401")
		if got := strings.HasSuffix(line, " stream=security"); got != security {
			t.Errorf("stream=security on %q: got %v, want %v", line, got, security)
		}
	}
	if strings.Contains(text, "not counted") {
		t.Error("a debug record passed a handler set to info")
	}
}

func TestLabelsAreEscaped(t *testing.T) {
	registry := metrics.New()
	registry.LoginFailed("odd \"reason\"\\\nhere")

	wantLines(t, scrape(t, registry),
		`folio_login_failures_total{reason="odd \"reason\"\\\nhere"} 1`)
}

func TestHandlerServesTextFormatToGetOnly(t *testing.T) {
	registry := metrics.New()
	registry.EventsAppended(7)
	server := httptest.NewServer(registry.Handler())
	defer server.Close()

	response, err := http.Get(server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(response.Body)
	response.Body.Close()
	if got := response.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain; version=0.0.4") {
		t.Errorf("content type: got %q", got)
	}
	wantLines(t, "\n"+string(body), "# TYPE folio_events_appended_total counter",
		"folio_events_appended_total 7")

	request, _ := http.NewRequestWithContext(context.Background(), http.MethodPost,
		server.URL+"/metrics", nil)
	response, err = http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	response.Body.Close()
	if response.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: got %d, want 405", response.StatusCode)
	}
}

func TestScrapesOfOneStateAreEqual(t *testing.T) {
	registry := metrics.New()
	for _, route := range []string{"/b", "/a", "/c", "/a"} {
		registry.ObserveRequest("GET", route, 200, time.Millisecond, -1)
		registry.ObserveRequest("POST", route, 303, time.Millisecond, -1)
	}
	if first, second := scrape(t, registry), scrape(t, registry); first != second {
		t.Errorf("two scrapes differ:\n%s\n%s", first, second)
	}
}

func TestProjectionLagIsReadAtEveryScrape(t *testing.T) {
	registry := metrics.New()
	lag, failure := metrics.ProjectionLag{Events: 7, Users: 2}, error(nil)
	registry.WatchProjectionLag(func(context.Context) (metrics.ProjectionLag, error) { return lag, failure })
	body := scrape(t, registry)
	for _, want := range []string{"folio_projection_lag_events 7\n", "folio_projection_lag_users 2\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in:\n%s", want, body)
		}
	}
	lag = metrics.ProjectionLag{}
	if body := scrape(t, registry); !strings.Contains(body, "folio_projection_lag_events 0\n") {
		t.Errorf("the lag did not follow the database:\n%s", body)
	}
	failure = errors.New("database down")
	if body := scrape(t, registry); strings.Contains(body, "folio_projection_lag") {
		t.Errorf("a lag that could not be read is reported:\n%s", body)
	}
}
