package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// writeRetriesMax bounds how often a writer resends one transaction (with
// the same command id) after a failure that may not have been stored.
const writeRetriesMax = 5

// runWriters has opts.connections clients record transactions in one
// user's books for opts.duration, then checks the books.
func runWriters(ctx context.Context, client *http.Client, app *appProcess, seeded *seeded, opts options) error {
	token, err := createToken(ctx, client, app.baseURL)
	if err != nil {
		return err
	}
	fmt.Printf("%d writers for %s on one user's books...\n", opts.connections, opts.duration)
	writeCtx, cancel := context.WithTimeout(ctx, opts.duration)
	defer cancel()
	var mu sync.Mutex
	var acknowledged []string
	var latencies []time.Duration
	failures := map[int]int{}
	var wg sync.WaitGroup
	started := time.Now()
	for w := 0; w < opts.connections; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; writeCtx.Err() == nil; n++ {
				id, latency, status := writeOnce(ctx, client, app.baseURL, token, fmt.Sprintf("Writer %d entry %d", w, n))
				mu.Lock()
				latencies = append(latencies, latency)
				if id != "" {
					acknowledged = append(acknowledged, id)
				} else {
					failures[status]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	slices.Sort(latencies)
	fmt.Printf("\n%d acknowledged writes in %s: %.0f/s, p50 %s, p99 %s, failures %v\n", len(acknowledged),
		elapsed.Round(time.Millisecond), float64(len(acknowledged))/elapsed.Seconds(),
		latencies[len(latencies)/2].Round(10*time.Microsecond), latencies[len(latencies)*99/100].Round(10*time.Microsecond), failures)
	if err := checkWrites(ctx, seeded, acknowledged); err != nil {
		return err
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d writes failed", len(failures))
	}
	return verifyBooks(ctx, app, seeded)
}

// writeOnce records one transaction, resending it with the same command id
// when the answer was lost, so that a retry can never store it twice.
func writeOnce(ctx context.Context, client *http.Client, baseURL, token, description string) (string, time.Duration, int) {
	body, _ := json.Marshal(map[string]any{
		"date": "2026-01-15", "description": description, "command_id": uuid.NewString(),
		"postings": []map[string]string{
			{"account": "Groceries", "amount": "1.25", "currency": "EUR"},
			{"account": "Checking", "amount": "-1.25", "currency": "EUR"},
		},
	})
	started := time.Now()
	status := 0
	for attempt := 0; attempt < writeRetriesMax; attempt++ {
		request, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/transactions", bytes.NewReader(body))
		request.Header.Set("Authorization", "Bearer "+token)
		request.Header.Set("Content-Type", "application/json")
		response, err := client.Do(request)
		if err != nil {
			continue
		}
		var created struct {
			ID string `json:"id"`
		}
		decodeErr := json.NewDecoder(io.LimitReader(response.Body, 1<<20)).Decode(&created)
		response.Body.Close()
		status = response.StatusCode
		if (status == http.StatusCreated || status == http.StatusOK) && decodeErr == nil && created.ID != "" {
			return created.ID, time.Since(started), status
		}
		if status < 500 {
			break // a rejection: resending would not change it
		}
	}
	return "", time.Since(started), status
}

// checkWrites asserts that every acknowledged transaction is in the
// journal once and that the stream's versions run 1..N without a gap.
func checkWrites(ctx context.Context, seeded *seeded, acknowledged []string) error {
	pool := seeded.db.Pool
	var events, highest int64
	if err := pool.QueryRow(ctx, `SELECT count(*), coalesce(max(e.version), 0) FROM events e JOIN users u ON u.id = e.user_id
		WHERE u.email = $1`, seeded.email).Scan(&events, &highest); err != nil {
		return err
	}
	if events != highest {
		return fmt.Errorf("versions are not contiguous: %d events, highest version %d", events, highest)
	}
	var missing int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM unnest($1::uuid[]) AS a(id)
		WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.transaction_id = a.id)`, acknowledged).Scan(&missing); err != nil {
		return err
	}
	var journal int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM journal j JOIN users u ON u.id = j.user_id WHERE u.email = $1`,
		seeded.email).Scan(&journal); err != nil {
		return err
	}
	fmt.Printf("events %d (versions 1..%d contiguous), journal %d, acknowledged %d, missing %d\n",
		events, highest, journal, len(acknowledged), missing)
	if missing > 0 || journal != len(acknowledged) {
		return fmt.Errorf("%d acknowledged writes missing; journal holds %d of %d", missing, journal, len(acknowledged))
	}
	return nil
}

// verifyBooks runs the app's own verify command against the database.
func verifyBooks(ctx context.Context, app *appProcess, seeded *seeded) error {
	command := exec.CommandContext(ctx, app.cmd.Path, "verify")
	command.Dir = filepath.Dir(app.cmd.Path)
	command.Env = append(os.Environ(), "DATABASE_URL="+seeded.databaseURL)
	output, err := command.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(output)), "\n")
	fmt.Println("verify:", lines[len(lines)-1])
	if err != nil {
		return fmt.Errorf("verify failed: %s", output)
	}
	return nil
}

// createToken creates an API token through the session, as the settings
// page does.
func createToken(ctx context.Context, client *http.Client, baseURL string) (string, error) {
	page, err := client.Get(baseURL + "/settings")
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	csrf := csrfMeta.FindSubmatch(body)
	if csrf == nil {
		return "", fmt.Errorf("the settings page carries no CSRF token")
	}
	request, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/tokens", strings.NewReader(`{"name":"load test"}`))
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("X-CSRF-Token", string(csrf[1]))
	request.Header.Set("Origin", baseURL)
	request.Header.Set("Referer", baseURL+"/settings")
	response, err := client.Do(request)
	if err != nil {
		return "", err
	}
	defer response.Body.Close()
	var created struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(response.Body).Decode(&created); err != nil || created.Token == "" {
		return "", fmt.Errorf("create a token: status %d", response.StatusCode)
	}
	return created.Token, nil
}
