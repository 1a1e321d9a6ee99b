package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"folio/app/ledger"
	"folio/app/metrics"
	"folio/app/web"
	"folio/eventstore"
	"folio/projections"
)

// withMetrics wires the server as the serve command does: the log through the metrics
// handler, the event store through the counting projector.
func withMetrics(registry *metrics.Registry) serverOption {
	return func(deps *web.Deps) {
		deps.Logger = slog.New(metrics.NewLogHandler(deps.Logger.Handler(), registry))
		deps.Store = eventstore.New(deps.Pool, eventstore.WithProjector(
			metrics.Projector{Next: projections.Projector{}, Registry: registry}))
		deps.Ledger = ledger.New(deps.Store, deps.Logger, 16)
		registry.WatchPool("main", deps.Pool.Stat)
	}
}

func TestMetricsCountRequestsEventsAndFailedLogins(t *testing.T) {
	t.Parallel()
	registry := metrics.New()
	ts := newTestServer(t, withMetrics(registry))
	browser := ts.client()
	browser.register("ada@example.org")
	browser.get("/settings")
	browser.get("/settings")
	ts.client().login("ada@example.org", "a wrong password guess")
	ts.client().api(http.MethodGet, "/api/v1/me", nil, nil)

	var out bytes.Buffer
	if err := registry.Write(&out); err != nil {
		t.Fatal(err)
	}
	exposition := out.String()

	for _, line := range []string{
		`folio_http_requests_total{method="GET",route="/settings",status="200"} 2`,
		`folio_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`,
		`folio_http_request_duration_seconds_count{method="GET",route="/settings"} 2`,
		`folio_login_failures_total{reason="wrong_credentials"} 1`,
		`folio_security_events_total{message="access denied"} 1`,
		`folio_db_pool_connections_max{pool="main"} `,
	} {
		if !strings.Contains(exposition, line) {
			t.Errorf("no %q in:\n%s", line, exposition)
		}
	}
	if strings.Contains(exposition, "folio_events_appended_total 0\n") ||
		!strings.Contains(exposition, "folio_events_appended_total ") {
		t.Errorf("registering appended no events:\n%s", exposition)
	}
	if !strings.Contains(ts.logs.String(), `reason=wrong_credentials stream=security`) {
		t.Errorf("the failed login is not in the security stream:\n%s", ts.logs.String())
	}
}
