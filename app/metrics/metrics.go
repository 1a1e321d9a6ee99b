// Package metrics counts what an operator watches on a running instance (requests by route
// and status, events appended, failed sign-ins, upload bytes, database pool use, projection
// lag) and writes it in the Prometheus text exposition format. It learns about requests and
// sign-ins from the log records the app already writes (see LogHandler) and about events
// from the inline projector (see Projector), so that handlers carry no metrics code.
//
// The counters are this process's since it started; Prometheus sums instances. The
// projection lag is read from the database at each scrape, so every instance reports the
// same figure.
package metrics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// durationBucketsSeconds are the upper bounds of the request duration histogram.
var durationBucketsSeconds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// uploadRoutes are the routes whose request bodies are uploaded files: documents and
// statements, from the screens and the API.
var uploadRoutes = map[string]bool{
	"POST /documents":        true,
	"POST /api/v1/documents": true,
	"POST /imports":          true,
	"POST /api/v1/imports":   true,
}

// Registry holds the counters. It is safe for concurrent use; the zero value is not usable,
// call New.
type Registry struct {
	mu            sync.Mutex
	requests      map[requestKey]uint64
	durations     map[routeKey]*histogram
	uploadBytes   map[routeKey]uint64
	loginFailures map[string]uint64 // by reason
	security      map[string]uint64 // security log records by message

	eventsAppended atomic.Uint64
	pools          []pool
	lag            func(context.Context) (ProjectionLag, error)
}

// ProjectionLag is how far the read models trail the event log.
type ProjectionLag struct {
	Events int64 // events no read model holds yet
	Users  int64 // users with such events
}

// lagReadTimeout bounds the database read behind the lag gauges of a scrape.
const lagReadTimeout = 2 * time.Second

type routeKey struct{ method, route string }

type requestKey struct {
	routeKey
	status int
}

type histogram struct {
	counts     []uint64 // per bucket, not cumulative
	sumSeconds float64
	count      uint64
}

type pool struct {
	name string
	stat func() *pgxpool.Stat
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{
		requests:      map[requestKey]uint64{},
		durations:     map[routeKey]*histogram{},
		uploadBytes:   map[routeKey]uint64{},
		loginFailures: map[string]uint64{},
		security:      map[string]uint64{},
	}
}

// ObserveRequest counts one finished request. route is the route pattern (never the path,
// which would make a series per transaction id); requestBytes is the request's
// Content-Length, or a negative number when unknown.
func (r *Registry) ObserveRequest(method, route string, status int, duration time.Duration,
	requestBytes int64) {
	key := routeKey{method: method, route: route}
	seconds := duration.Seconds()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[requestKey{routeKey: key, status: status}]++
	h := r.durations[key]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBucketsSeconds))}
		r.durations[key] = h
	}
	for i, bound := range durationBucketsSeconds {
		if seconds <= bound {
			h.counts[i]++
			break
		}
	}
	h.sumSeconds += seconds
	h.count++
	if requestBytes > 0 && uploadRoutes[method+" "+route] {
		r.uploadBytes[key] += uint64(requestBytes)
	}
}

// LoginFailed counts a refused sign-in, by the reason the log gives (wrong_credentials,
// disabled, throttled, …).
func (r *Registry) LoginFailed(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.loginFailures[reason]++
}

// SecurityEvent counts a record of the security log stream by its message.
func (r *Registry) SecurityEvent(message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.security[message]++
}

// EventsAppended counts events written to the event store.
func (r *Registry) EventsAppended(n int) {
	// #nosec G115 -- n counts events just appended: never negative
	r.eventsAppended.Add(uint64(n))
}

// WatchPool adds the connection pool stat reports, under name, to every scrape. Call it
// before serving.
func (r *Registry) WatchPool(name string, stat func() *pgxpool.Stat) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pools = append(r.pools, pool{name: name, stat: stat})
}

// WatchProjectionLag adds the projection lag, read by read at every scrape, to the
// scrapes. Call it before serving.
func (r *Registry) WatchProjectionLag(read func(context.Context) (ProjectionLag, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lag = read
}

// Handler serves the registry in the Prometheus text format, to any method but GET and HEAD
// with 405.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = r.Write(w)
	})
}

// Write writes every metric in the Prometheus text exposition format, series sorted so that
// two scrapes of the same state are byte for byte equal.
func (r *Registry) Write(w io.Writer) error {
	out := bufio.NewWriter(w)
	r.mu.Lock()
	r.writeRequests(out)
	r.writeDurations(out)
	writeCounterMap(out, "folio_upload_bytes_total",
		"Bytes of uploaded documents and statements, by route.", r.uploadBytes,
		func(k routeKey) string { return labels("method", k.method, "route", k.route) })
	writeCounterMap(out, "folio_login_failures_total",
		"Refused sign-ins, by reason; reason=\"throttled\" counts lockouts.", r.loginFailures,
		func(k string) string { return labels("reason", k) })
	writeCounterMap(out, "folio_security_events_total",
		"Records of the security log stream, by message.", r.security,
		func(k string) string { return labels("message", k) })
	pools := slices.Clone(r.pools)
	readLag := r.lag
	r.mu.Unlock()

	writeHeader(out, "folio_events_appended_total", "counter",
		"Events appended to the event store by this instance.")
	fmt.Fprintf(out, "folio_events_appended_total %d\n", r.eventsAppended.Load())
	writePools(out, pools)
	if readLag != nil {
		writeLag(out, readLag)
	}
	return out.Flush()
}

// writeLag writes the projection lag gauges. When the database cannot tell, the scrape
// leaves them out, which Prometheus reports as absent rather than as a false zero.
func writeLag(out *bufio.Writer, read func(context.Context) (ProjectionLag, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), lagReadTimeout)
	defer cancel()
	lag, err := read(ctx)
	if err != nil {
		return
	}
	writeHeader(out, "folio_projection_lag_events", "gauge",
		"Events in the log that the read models do not hold yet: 0 while inline projection keeps up; restored events count until a rebuild.")
	fmt.Fprintf(out, "folio_projection_lag_events %d\n", lag.Events)
	writeHeader(out, "folio_projection_lag_users", "gauge",
		"Users whose read models trail their event stream.")
	fmt.Fprintf(out, "folio_projection_lag_users %d\n", lag.Users)
}

func (r *Registry) writeRequests(out *bufio.Writer) {
	writeHeader(out, "folio_http_requests_total", "counter",
		"Finished HTTP requests, by method, route pattern and status.")
	keys := sortedKeys(r.requests, func(a, b requestKey) int {
		return compareRoute(a.routeKey, b.routeKey)*2 + sign(a.status-b.status)
	})
	for _, k := range keys {
		fmt.Fprintf(out, "folio_http_requests_total%s %d\n",
			labels("method", k.method, "route", k.route, "status", strconv.Itoa(k.status)),
			r.requests[k])
	}
}

func (r *Registry) writeDurations(out *bufio.Writer) {
	const name = "folio_http_request_duration_seconds"
	writeHeader(out, name, "histogram", "Time from request to response, by method and route.")
	for _, k := range sortedKeys(r.durations, compareRoute) {
		h := r.durations[k]
		var cumulative uint64
		for i, bound := range durationBucketsSeconds {
			cumulative += h.counts[i]
			fmt.Fprintf(out, "%s_bucket%s %d\n", name, labels("method", k.method, "route", k.route,
				"le", strconv.FormatFloat(bound, 'g', -1, 64)), cumulative)
		}
		route := labels("method", k.method, "route", k.route)
		fmt.Fprintf(out, "%s_bucket%s %d\n", name,
			labels("method", k.method, "route", k.route, "le", "+Inf"), h.count)
		fmt.Fprintf(out, "%s_sum%s %s\n", name, route, strconv.FormatFloat(h.sumSeconds, 'g', -1, 64))
		fmt.Fprintf(out, "%s_count%s %d\n", name, route, h.count)
	}
}

func writePools(out *bufio.Writer, pools []pool) {
	gauges := []struct {
		name, help string
		value      func(*pgxpool.Stat) float64
	}{
		{"folio_db_pool_connections", "Open connections.",
			func(s *pgxpool.Stat) float64 { return float64(s.TotalConns()) }},
		{"folio_db_pool_connections_acquired", "Connections in use.",
			func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) }},
		{"folio_db_pool_connections_idle", "Idle connections.",
			func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) }},
		{"folio_db_pool_connections_max", "The pool's size limit.",
			func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) }},
	}
	counters := []struct {
		name, help string
		value      func(*pgxpool.Stat) float64
	}{
		{"folio_db_pool_acquires_total", "Connections handed out.",
			func(s *pgxpool.Stat) float64 { return float64(s.AcquireCount()) }},
		{"folio_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.",
			func(s *pgxpool.Stat) float64 { return float64(s.EmptyAcquireCount()) }},
		{"folio_db_pool_acquire_wait_seconds_total", "Time spent acquiring connections.",
			func(s *pgxpool.Stat) float64 { return s.AcquireDuration().Seconds() }},
	}
	stats := make([]*pgxpool.Stat, len(pools))
	for i, p := range pools {
		stats[i] = p.stat()
	}
	for _, g := range gauges {
		writeHeader(out, g.name, "gauge", g.help)
		for i, p := range pools {
			fmt.Fprintf(out, "%s%s %s\n", g.name, labels("pool", p.name),
				strconv.FormatFloat(g.value(stats[i]), 'g', -1, 64))
		}
	}
	for _, c := range counters {
		writeHeader(out, c.name, "counter", c.help)
		for i, p := range pools {
			fmt.Fprintf(out, "%s%s %s\n", c.name, labels("pool", p.name),
				strconv.FormatFloat(c.value(stats[i]), 'g', -1, 64))
		}
	}
}

func writeHeader(out *bufio.Writer, name, kind, help string) {
	fmt.Fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

func writeCounterMap[K comparable](out *bufio.Writer, name, help string, values map[K]uint64,
	label func(K) string) {
	writeHeader(out, name, "counter", help)
	rendered := make([]string, 0, len(values))
	for k, v := range values {
		rendered = append(rendered, fmt.Sprintf("%s%s %d\n", name, label(k), v))
	}
	slices.Sort(rendered)
	for _, line := range rendered {
		// #nosec G104 -- out is a bufio.Writer: it keeps the first error, which Flush returns
		out.WriteString(line)
	}
}

func sortedKeys[K comparable, V any](m map[K]V, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	return keys
}

func compareRoute(a, b routeKey) int {
	if c := strings.Compare(a.route, b.route); c != 0 {
		return c
	}
	return strings.Compare(a.method, b.method)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// labels renders name/value pairs as {a="1",b="2"}, escaped as the format requires.
func labels(pairs ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i])
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(pairs[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
