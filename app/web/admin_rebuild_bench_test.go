package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"folio/projections"
)

// rebuildBenchEvents is the size of the log the rebuild benchmark rebuilds, over 100 users;
// FOLIO_BENCH_REBUILD_EVENTS overrides it for a quick run.
func rebuildBenchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("FOLIO_BENCH_REBUILD_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// percentile returns the p-th percentile (0–100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p/100))]
}

// BenchmarkOnlineRebuildUnderLoad starts the online rebuild of a 1M-event log from the admin
// page while two clients keep requesting pages of one user's books (accounts and journal,
// which read the read models being rebuilt, and a trial balance folded from the events), and
// reports the rebuild's duration and the latency of those requests before and during it.
func BenchmarkOnlineRebuildUnderLoad(b *testing.B) {
	n := rebuildBenchEvents()
	server, pool := newBenchServer(b)
	ctx := context.Background()
	reader, secret := benchUser(b, pool, "reader@example.com", false)
	benchUser(b, pool, "root@example.com", true)
	started := time.Now()
	const users = 100
	for i := 0; i < users; i++ {
		userID := uuid.New()
		if i == 0 {
			userID = reader.ID
		}
		benchBook(b, pool, userID, n/users)
	}
	if _, err := projections.Rebuild(ctx, pool, projections.RebuildOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote and projected %d events of %d users in %s", n, users, time.Since(started).Round(time.Second))
	token, admin := benchCSRF(b, server.App(), benchSession(b, server.App(), "root@example.com"),
		"/admin")

	request := func(path string) time.Duration {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		began := time.Now()
		got, err := server.App().Test(req, -1)
		if err != nil {
			b.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, got.Body)
		if got.StatusCode != http.StatusOK {
			b.Errorf("GET %s: %d", path, got.StatusCode)
		}
		return time.Since(began)
	}
	paths := []string{"/api/v1/accounts", "/api/v1/transactions?limit=50", "/api/v1/as-of?version=100"}
	load := func(stop <-chan struct{}) []time.Duration {
		var mu sync.Mutex
		var latencies []time.Duration
		var wg sync.WaitGroup
		for client := 0; client < 2; client++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := client; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					latency := request(paths[i%len(paths)])
					mu.Lock()
					latencies = append(latencies, latency)
					mu.Unlock()
				}
			}()
		}
		<-stop
		wg.Wait()
		slices.Sort(latencies)
		return latencies
	}

	for b.Loop() {
		stop := make(chan struct{})
		time.AfterFunc(5*time.Second, func() { close(stop) })
		before := load(stop)

		stop = make(chan struct{})
		done := make(chan []time.Duration)
		go func() { done <- load(stop) }()
		began := time.Now()
		start := httptest.NewRequest(http.MethodPost, "/admin/rebuild", nil)
		start.Header.Set("X-CSRF-Token", token)
		start.Header.Set("HX-Request", "true")
		for _, cookie := range admin {
			start.AddCookie(cookie)
		}
		if got, err := server.App().Test(start, -1); err != nil || got.StatusCode != http.StatusOK {
			b.Fatalf("start the rebuild: %v %v", got.StatusCode, err)
		}
		var outcome string
		for outcome == "" {
			time.Sleep(100 * time.Millisecond)
			err := pool.QueryRow(ctx, `SELECT coalesce(outcome, '') FROM rebuild_runs
				ORDER BY started_at DESC LIMIT 1`).Scan(&outcome)
			if err != nil {
				b.Fatal(err)
			}
		}
		duration := time.Since(began)
		close(stop)
		during := <-done
		if outcome != "done" {
			b.Fatalf("rebuild: %s", outcome)
		}

		b.ReportMetric(duration.Seconds(), "s_rebuild")
		b.ReportMetric(float64(n)/duration.Seconds(), "events/s")
		b.ReportMetric(float64(percentile(before, 99).Microseconds())/1000, "ms_p99_before")
		b.ReportMetric(float64(percentile(during, 50).Microseconds())/1000, "ms_p50_during")
		b.ReportMetric(float64(percentile(during, 99).Microseconds())/1000, "ms_p99_during")
		b.ReportMetric(float64(len(during)), "requests_during")
		b.Logf("before: %d requests, p50 %s, p99 %s; during: %d requests, p50 %s, p99 %s, max %s",
			len(before), percentile(before, 50), percentile(before, 99), len(during),
			percentile(during, 50), percentile(during, 99), percentile(during, 100))
	}
}

// benchCSRF opens path with cookies and returns the page's CSRF token and the cookies to
// send with it.
func benchCSRF(b *testing.B, app interface {
	Test(*http.Request, ...int) (*http.Response, error)
}, cookies []*http.Cookie, path string) (string, []*http.Cookie) {
	b.Helper()
	request := httptest.NewRequest(http.MethodGet, path, nil)
	for _, cookie := range cookies {
		request.AddCookie(cookie)
	}
	page, err := app.Test(request, -1)
	if err != nil || page.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %v", path, err)
	}
	body, _ := io.ReadAll(page.Body)
	match := csrfMeta.FindSubmatch(body)
	if match == nil {
		b.Fatalf("GET %s: no CSRF token", path)
	}
	merged := map[string]*http.Cookie{}
	for _, cookie := range append(cookies, page.Cookies()...) {
		merged[cookie.Name] = cookie
	}
	cookies = cookies[:0]
	for _, cookie := range merged {
		cookies = append(cookies, cookie)
	}
	return string(match[1]), cookies
}
