package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Bounds of the pg-restart scenario.
const (
	pgRestartClients      = 20
	pgRestartWarmUp       = 5 * time.Second
	pgRestartOutage       = 5 * time.Second
	pgRestartAfter        = 10 * time.Second
	pgRestartFinishWrites = 60 * time.Second // a writer's last write, resent until answered
	pgRestartRetryPause   = 200 * time.Millisecond
)

// leakedInternals matches what must never reach a client: Go stack frames, panics and
// driver messages.
var leakedInternals = regexp.MustCompile(`goroutine \d+|\.go:\d+|panic|SQLSTATE|pgx|dial unix|connection refused`)

// runPGRestart has 20 clients record transactions through the API while the private
// PostgreSQL cluster is stopped for a few seconds and started again. It checks that
// failures during the outage are clean 503 answers without internals, that the app serves
// again by itself, and that every acknowledged write is in the books once.
func runPGRestart(ctx context.Context, workDir string, opts options, logger *slog.Logger) error {
	seeded, err := seed(ctx, workDir, 0, logger)
	if err != nil {
		return err
	}
	defer seeded.close()
	app, err := startApp(ctx, workDir, seeded.databaseURL)
	if err != nil {
		return err
	}
	defer app.stop()
	client, err := signIn(ctx, app.baseURL, seeded.email, seeded.password, pgRestartClients)
	if err != nil {
		return err
	}
	token, err := createToken(ctx, client, app.baseURL)
	if err != nil {
		return err
	}

	tally := &writeTally{statuses: map[int]int{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < pgRestartClients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				tally.writeUntilAnswered(ctx, client, app.baseURL, token,
					fmt.Sprintf("Restart writer %d entry %d", w, n))
			}
		}()
	}

	time.Sleep(pgRestartWarmUp)
	dataDir := filepath.Join(workDir, "data", "postgres")
	fmt.Printf("stopping PostgreSQL for %s under %d writers...\n", pgRestartOutage, pgRestartClients)
	stoppedAt := time.Now()
	if err := stopCluster(ctx, dataDir); err != nil {
		return err
	}
	readiness := pollReadiness(ctx, client, app.baseURL, pgRestartOutage)
	if err := startCluster(ctx, dataDir); err != nil {
		return err
	}
	startedAt := time.Now()
	recovered := tally.firstSuccessAfter(ctx, startedAt, pgRestartAfter)
	time.Sleep(pgRestartAfter)
	close(stop)
	wg.Wait()

	tally.print(stoppedAt, startedAt, recovered)
	fmt.Printf("/readyz during the outage: %s\n", readiness)
	if err := scanLogForPanics(filepath.Join(workDir, "app.log")); err != nil {
		return err
	}
	if err := checkWrites(ctx, seeded, tally.acknowledged); err != nil {
		return err
	}
	if err := verifyBooks(ctx, app, seeded); err != nil {
		return err
	}
	return tally.check(recovered)
}

// writeTally gathers what the writers saw.
type writeTally struct {
	mu           sync.Mutex
	acknowledged []string
	successes    []time.Time
	statuses     map[int]int // every answer, by status; 0 is a transport error
	leaks        []string
}

// writeUntilAnswered records one transaction, resending it with the same command id after
// each failure until the app acknowledges it, so that every write ends acknowledged once.
func (t *writeTally) writeUntilAnswered(ctx context.Context, client *http.Client, baseURL,
	token, description string) {
	body, _ := json.Marshal(map[string]any{
		"date": "2026-02-10", "description": description, "command_id": uuid.NewString(),
		"postings": []map[string]string{
			{"account": "Groceries", "amount": "2.50", "currency": "EUR"},
			{"account": "Checking", "amount": "-2.50", "currency": "EUR"},
		},
	})
	deadline := time.Now().Add(pgRestartFinishWrites)
	for time.Now().Before(deadline) {
		status, id, answer := postJSON(ctx, client, baseURL+"/api/v1/transactions", token, body)
		t.mu.Lock()
		t.statuses[status]++
		if status >= 500 && leakedInternals.MatchString(answer) {
			t.leaks = append(t.leaks, fmt.Sprintf("%d: %.200s", status, answer))
		}
		if id != "" {
			t.acknowledged = append(t.acknowledged, id)
			t.successes = append(t.successes, time.Now())
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		if status != 0 && status < 500 {
			return // a rejection: resending would not change it
		}
		time.Sleep(pgRestartRetryPause)
	}
}

// postJSON sends one request and returns the status (0 when no answer came), the created
// transaction's id, and the body.
func postJSON(ctx context.Context, client *http.Client, url, token string, body []byte) (int, string, string) {
	request, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	request.Header.Set("Authorization", "Bearer "+token)
	request.Header.Set("Content-Type", "application/json")
	response, err := client.Do(request)
	if err != nil {
		return 0, "", err.Error()
	}
	defer response.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	var created struct {
		ID string `json:"id"`
	}
	if response.StatusCode == http.StatusCreated || response.StatusCode == http.StatusOK {
		if json.Unmarshal(answer, &created) == nil {
			return response.StatusCode, created.ID, string(answer)
		}
	}
	return response.StatusCode, "", string(answer)
}

// firstSuccessAfter waits up to limit for a write acknowledged after since.
func (t *writeTally) firstSuccessAfter(ctx context.Context, since time.Time, limit time.Duration) time.Duration {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		t.mu.Lock()
		for _, at := range t.successes {
			if at.After(since) {
				t.mu.Unlock()
				return at.Sub(since)
			}
		}
		t.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	return -1
}

func (t *writeTally) print(stoppedAt, startedAt time.Time, recovered time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	statuses := make([]int, 0, len(t.statuses))
	for status := range t.statuses {
		statuses = append(statuses, status)
	}
	sort.Ints(statuses)
	var parts []string
	for _, status := range statuses {
		parts = append(parts, fmt.Sprintf("%d×%d", status, t.statuses[status]))
	}
	fmt.Printf("outage %s; first acknowledged write %s after PostgreSQL was back\n",
		startedAt.Sub(stoppedAt).Round(time.Millisecond), recovered.Round(time.Millisecond))
	fmt.Printf("answers by status (0 = no answer): %s\n", strings.Join(parts, " "))
	fmt.Printf("acknowledged writes %d, answers with internals %d\n", len(t.acknowledged), len(t.leaks))
	for i, leak := range t.leaks {
		if i == 3 {
			break
		}
		fmt.Println("  leaked:", leak)
	}
}

func (t *writeTally) check(recovered time.Duration) error {
	var problems []string
	if recovered < 0 {
		problems = append(problems, fmt.Sprintf("no write succeeded within %s of the restart", pgRestartAfter))
	}
	for status, n := range t.statuses {
		if status >= 500 && status != http.StatusServiceUnavailable {
			problems = append(problems, fmt.Sprintf("%d answers with status %d, not 503", n, status))
		}
	}
	if len(t.leaks) > 0 {
		problems = append(problems, fmt.Sprintf("%d error answers showed internals", len(t.leaks)))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("pg-restart: %s", strings.Join(problems, "; "))
	}
	return nil
}

// stopCluster stops the private cluster (fast shutdown: open connections are cut).
func stopCluster(ctx context.Context, dataDir string) error {
	return pgCtl(ctx, dataDir, "stop", "-w", "-m", "fast")
}

// startCluster starts the private cluster again with the options it last ran with, which
// PostgreSQL keeps in postmaster.opts.
func startCluster(ctx context.Context, dataDir string) error {
	opts, err := os.ReadFile(filepath.Join(dataDir, "postmaster.opts"))
	if err != nil {
		return err
	}
	args := regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(string(opts), -1)
	var serverArgs []string
	for i := 0; i+1 < len(args); i++ {
		if args[i][1] == "-c" {
			serverArgs = append(serverArgs, "-c '"+args[i+1][1]+"'")
			i++
		}
	}
	return pgCtl(ctx, dataDir, "start", "-w", "-l", filepath.Join(dataDir, "restart.log"),
		"-o", strings.Join(serverArgs, " "))
}

// pgCtl runs pg_ctl on dataDir as the data folder's owner (postgres when run as root).
func pgCtl(ctx context.Context, dataDir string, args ...string) error {
	opts, err := os.ReadFile(filepath.Join(dataDir, "postmaster.opts"))
	if err != nil {
		return err
	}
	postgres := strings.Fields(string(opts))[0]
	pgCtlPath := filepath.Join(filepath.Dir(postgres), "pg_ctl")
	command := append([]string{pgCtlPath, "-D", dataDir}, args...)
	if os.Geteuid() == 0 {
		command = append([]string{"runuser", "-u", "postgres", "--"}, command...)
	}
	output, err := exec.CommandContext(ctx, command[0], command[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", args[0], err, output)
	}
	return nil
}

// pollReadiness asks /readyz every 100 ms for the given time and returns the answers by
// status.
func pollReadiness(ctx context.Context, client *http.Client, baseURL string, period time.Duration) string {
	counts := map[int]int{}
	deadline := time.Now().Add(period)
	for time.Now().Before(deadline) {
		request, _ := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/readyz", nil)
		status := 0
		if response, err := client.Do(request); err == nil {
			_, _ = io.Copy(io.Discard, response.Body)
			response.Body.Close()
			status = response.StatusCode
		}
		counts[status]++
		time.Sleep(100 * time.Millisecond)
	}
	var parts []string
	for status, n := range counts {
		parts = append(parts, fmt.Sprintf("%d×%d", status, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// scanLogForPanics fails when the app logged a panic or a stack trace.
func scanLogForPanics(path string) error {
	log, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	panics := strings.Count(string(log), "msg=panic") + strings.Count(string(log), "goroutine ")
	fmt.Printf("app log: %d lines, %d panics or stack traces\n", strings.Count(string(log), "\n"), panics)
	if panics > 0 {
		return fmt.Errorf("the app logged %d panics or stack traces", panics)
	}
	return nil
}
