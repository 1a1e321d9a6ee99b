package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"folio/app/ledger"
	"folio/app/users"
	"folio/eventstore"
	"folio/projections"
)

// Bounds of the mixed scenario.
const (
	mixedUsers        = 100
	mixedDuration     = 60 * time.Second
	mixedBareDuration = 10 * time.Second
	mixedImportLines  = 20
)

// mixedAction is one kind of request a simulated user makes, with its share of the load.
type mixedAction struct {
	name   string
	weight int
	send   func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int
}

type mixedUser struct {
	token   string
	imports int // statements sent so far, to make each one's lines new
}

var mixedActions = []mixedAction{
	{"GET /api/v1/transactions", 40, func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int {
		return mixedGet(ctx, client, baseURL+"/api/v1/transactions", u.token)
	}},
	{"GET /api/v1/accounts", 15, func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int {
		return mixedGet(ctx, client, baseURL+"/api/v1/accounts", u.token)
	}},
	{"GET /api/v1/reports/trial-balance", 10, func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int {
		return mixedGet(ctx, client, baseURL+"/api/v1/reports/trial-balance?as_of=2026-12-31", u.token)
	}},
	{"GET /api/v1/reports/balance-sheet", 10, func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int {
		return mixedGet(ctx, client, baseURL+"/api/v1/reports/balance-sheet?as_of=2026-12-31", u.token)
	}},
	{"POST /api/v1/transactions", 22, func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int {
		body, _ := json.Marshal(map[string]any{
			"date": "2026-03-01", "description": "Mixed load", "command_id": uuid.NewString(),
			"postings": []map[string]string{
				{"account": "Groceries", "amount": "4.10", "currency": "EUR"},
				{"account": "Checking", "amount": "-4.10", "currency": "EUR"},
			},
		})
		status, _, _ := postJSON(ctx, client, baseURL+"/api/v1/transactions", u.token, body)
		return status
	}},
	{"POST /api/v1/imports", 3, func(ctx context.Context, client *http.Client, baseURL string, u *mixedUser) int {
		u.imports++
		body, contentType := mixedStatement(u.imports)
		request, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/imports",
			bytes.NewReader(body))
		request.Header.Set("Authorization", "Bearer "+u.token)
		request.Header.Set("Content-Type", contentType)
		return mixedDo(client, request)
	}},
}

// runMixed has 100 users read, write, import and view reports through the API at once for
// 60 s, then reports requests/s, p50 and p99 per route, errors and the app's peak memory, and
// drives a bare Fiber handler with as many connections for comparison.
func runMixed(ctx context.Context, workDir string, opts options, logger *slog.Logger) error {
	seeded, err := seed(ctx, workDir, 0, logger)
	if err != nil {
		return err
	}
	defer seeded.close()
	people, err := mixedPeople(ctx, seeded, logger)
	if err != nil {
		return err
	}
	app, err := startApp(ctx, workDir, seeded.databaseURL)
	if err != nil {
		return err
	}
	defer app.stop()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: mixedUsers, MaxIdleConnsPerHost: mixedUsers, MaxConnsPerHost: mixedUsers,
		IdleConnTimeout: time.Minute}}

	fmt.Printf("%d users for %s: reads, writes, imports, reports...\n", mixedUsers, mixedDuration)
	runCtx, cancel := context.WithTimeout(ctx, mixedDuration)
	defer cancel()
	memory := sampleMemory(runCtx, app.pid())
	stats := newRouteStats()
	var wg sync.WaitGroup
	started := time.Now()
	for _, person := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				action := pickAction()
				begun := time.Now()
				status := action.send(runCtx, client, app.baseURL, person)
				if runCtx.Err() != nil {
					return // cut off by the deadline, not the server's fault
				}
				stats.add(action.name, time.Since(begun), status)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	peakKiB := <-memory

	bare, err := startBareFiber()
	if err != nil {
		return err
	}
	defer bare.stop()
	bareResult, err := drive(ctx, client, target{name: "bare fiber handler", url: bare.baseURL + "/"},
		options{connections: mixedUsers, duration: mixedBareDuration})
	if err != nil {
		return err
	}

	errorCount := stats.print(os.Stdout, elapsed, peakKiB, bareResult)
	if err := verifyBooks(ctx, app, seeded); err != nil {
		return err
	}
	if errorCount > 0 {
		return fmt.Errorf("%d requests failed", errorCount)
	}
	return nil
}

// mixedPeople creates the users with opened books and an API token each.
func mixedPeople(ctx context.Context, seeded *seeded, logger *slog.Logger) ([]*mixedUser, error) {
	store := users.NewStore(seeded.db.Pool, nil)
	service := ledger.New(eventstore.New(seeded.db.Pool,
		eventstore.WithProjector(projections.Projector{})), logger, 4)
	people := make([]*mixedUser, 0, mixedUsers)
	for i := 0; i < mixedUsers; i++ {
		user, err := store.Create(ctx, fmt.Sprintf("mixed%03d@example.com", i), seeded.password, false)
		if err != nil {
			return nil, err
		}
		if err := service.EnsureOpened(ctx, user.ID, user.ID, "mixed-"+user.ID.String()); err != nil {
			return nil, err
		}
		_, token, err := store.CreateToken(ctx, user.ID, "mixed load")
		if err != nil {
			return nil, err
		}
		people = append(people, &mixedUser{token: token})
	}
	return people, nil
}

func pickAction() mixedAction {
	total := 0
	for _, a := range mixedActions {
		total += a.weight
	}
	n := rand.IntN(total)
	for _, a := range mixedActions {
		if n < a.weight {
			return a
		}
		n -= a.weight
	}
	return mixedActions[0]
}

func mixedGet(ctx context.Context, client *http.Client, url, token string) int {
	request, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	request.Header.Set("Authorization", "Bearer "+token)
	return mixedDo(client, request)
}

func mixedDo(client *http.Client, request *http.Request) int {
	response, err := client.Do(request)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	return response.StatusCode
}

// mixedStatement is a small CSV statement whose lines no earlier statement of the user had.
func mixedStatement(n int) ([]byte, string) {
	var csv strings.Builder
	csv.WriteString("Date,Description,Amount\n")
	for i := 0; i < mixedImportLines; i++ {
		fmt.Fprintf(&csv, "2026-03-%02d,Statement %d line %d,-%d.%02d\n", 1+i%28, n, i, 1+i, n%100)
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	_ = form.WriteField("account", "Checking")
	file, _ := form.CreateFormFile("file", fmt.Sprintf("statement-%d.csv", n))
	_, _ = io.WriteString(file, csv.String())
	_ = form.Close()
	return body.Bytes(), form.FormDataContentType()
}

// routeStats collects latencies and statuses by route.
type routeStats struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	statuses  map[string]map[int]int
}

func newRouteStats() *routeStats {
	return &routeStats{latencies: map[string][]time.Duration{}, statuses: map[string]map[int]int{}}
}

func (s *routeStats) add(route string, latency time.Duration, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies[route] = append(s.latencies[route], latency)
	if s.statuses[route] == nil {
		s.statuses[route] = map[int]int{}
	}
	s.statuses[route][status]++
}

// print writes the table and returns how many requests failed (no answer, or a status
// other than 200 and 201).
func (s *routeStats) print(w io.Writer, elapsed time.Duration, peakKiB int, bare result) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	routes := make([]string, 0, len(s.latencies))
	for route := range s.latencies {
		routes = append(routes, route)
	}
	sort.Strings(routes)
	table := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(table, "route\trequests\trequests/s\tp50\tp99\terrors")
	total, failed := 0, 0
	var all []time.Duration
	for _, route := range routes {
		latencies := s.latencies[route]
		slices.Sort(latencies)
		errors := 0
		var odd []string
		for status, n := range s.statuses[route] {
			if status != http.StatusOK && status != http.StatusCreated {
				errors += n
				odd = append(odd, fmt.Sprintf("%d×%d", status, n))
			}
		}
		total += len(latencies)
		failed += errors
		all = append(all, latencies...)
		fmt.Fprintf(table, "%s\t%d\t%.0f\t%s\t%s\t%d %s\n", route, len(latencies),
			float64(len(latencies))/elapsed.Seconds(), percentile(latencies, 50), percentile(latencies, 99),
			errors, strings.Join(odd, " "))
	}
	slices.Sort(all)
	fmt.Fprintf(table, "all routes\t%d\t%.0f\t%s\t%s\t%d\n", total, float64(total)/elapsed.Seconds(),
		percentile(all, 50), percentile(all, 99), failed)
	fmt.Fprintf(table, "bare fiber handler (%d connections)\t%d\t%.0f\t%s\t%s\t%d\n", mixedUsers,
		bare.requests, float64(bare.requests)/bare.elapsed.Seconds(), bare.p50.Round(10*time.Microsecond),
		bare.p99.Round(10*time.Microsecond), bare.errors)
	table.Flush()
	fmt.Fprintf(w, "app resident memory peak: %.1f MiB\n", float64(peakKiB)/1024)
	return failed
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[len(sorted)*p/100].Round(10 * time.Microsecond)
}
