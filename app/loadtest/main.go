// Command loadtest measures Folio's busiest screens under load, on loopback
// only: it seeds one user's books with many transactions, runs the real app
// binary against them, drives the dashboard and transaction-list fragments
// with concurrent keep-alive connections, and compares the rates with a bare
// Fiber handler measured in the same run. It stops by itself.
//
//	go run ./app/loadtest [-transactions 100000] [-connections 32] [-duration 10s] [-data DIR]
//	go run ./app/loadtest -scenario writers [-connections 50] [-duration 30s]
//	go run ./app/loadtest -scenario pg-restart   # PostgreSQL restarted under 20 writers
//	go run ./app/loadtest -scenario kill-import  # SIGKILL during a 50,000-line import
//	go run ./app/loadtest -scenario mixed        # 100 users for 60 s, against a bare handler
//
// With -data, the seeded cluster stays in DIR, and a later run with the same
// DIR and -transactions uses it again instead of seeding; psql can look at
// it in between (-data is for the fragments only).
//
// The writers scenario has many clients record transactions in one user's
// books at once through the JSON API, then checks that every acknowledged
// write is in the books, that the stream's versions are contiguous, and that
// `folio verify` passes.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"folio/domain"
)

// scenarios are the failure and load scenarios that seed and run the app themselves.
var scenarios = map[string]func(ctx context.Context, workDir string, opts options, logger *slog.Logger) error{
	"pg-restart":  runPGRestart,
	"kill-import": runKillImport,
	"mixed":       runMixed,
}

type options struct {
	cpuProfile   string
	dataDir      string
	scenario     string
	transactions int
	connections  int
	duration     time.Duration
}

func main() {
	var opts options
	flag.StringVar(&opts.cpuProfile, "cpuprofile", "", "serve the app in this process and write its CPU profile here")
	flag.StringVar(&opts.dataDir, "data", "", "keep the seeded cluster in this folder and reuse it in later runs")
	flag.StringVar(&opts.scenario, "scenario", "fragments", "fragments, writers, pg-restart, kill-import or mixed")
	flag.IntVar(&opts.transactions, "transactions", 100_000, "transactions in the seeded user's books")
	flag.IntVar(&opts.connections, "connections", 32, "concurrent keep-alive connections")
	flag.DurationVar(&opts.duration, "duration", 10*time.Second, "how long each target is driven")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, opts, logger); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// rowsWritten is how many rows the database has inserted and updated so
// far. Statistics arrive with a short delay, so it waits for them first.
func rowsWritten(ctx context.Context, s *seeded) (int64, error) {
	time.Sleep(600 * time.Millisecond) // the statistics collector flushes about every 500 ms
	var rows int64
	err := s.db.Pool.QueryRow(ctx, `SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables`).Scan(&rows)
	return rows, err
}

func run(ctx context.Context, opts options, logger *slog.Logger) error {
	workDir, err := os.MkdirTemp("", "folio-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	seedDir := workDir
	if opts.dataDir != "" && opts.scenario == "fragments" {
		seedDir, err = filepath.Abs(opts.dataDir)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(seedDir, 0o711); err != nil {
			return err
		}
	}
	// The private cluster runs as the postgres user under root: it must be
	// able to pass through the work folder.
	if err := os.Chmod(workDir, 0o711); err != nil {
		return err
	}

	if scenario, ok := scenarios[opts.scenario]; ok {
		return scenario(ctx, workDir, opts, logger)
	}
	if opts.scenario == "writers" {
		opts.transactions = 0
	}
	fmt.Printf("seeding %d transactions...\n", opts.transactions)
	started := time.Now()
	seeded, err := seedOnce(ctx, seedDir, opts.transactions, logger)
	if err != nil {
		return err
	}
	defer seeded.close()
	fmt.Printf("seeded in %s\n", time.Since(started).Round(time.Millisecond))

	if opts.cpuProfile != "" {
		return profileFragments(ctx, workDir, seeded, opts)
	}
	app, err := startApp(ctx, workDir, seeded.databaseURL)
	if err != nil {
		return err
	}
	defer app.stop()
	client, err := signIn(ctx, app.baseURL, seeded.email, seeded.password, opts.connections)
	if err != nil {
		return err
	}
	if opts.scenario == "writers" {
		return runWriters(ctx, client, app, seeded, opts)
	}
	bare, err := startBareFiber()
	if err != nil {
		return err
	}
	defer bare.stop()

	targets := []target{
		{name: "bare fiber handler", url: bare.baseURL + "/"},
		{name: "dashboard fragment", url: app.baseURL + "/", htmxTarget: "dashboard-summary", pid: app.pid(),
			postmaster: seeded.postmaster()},
		{name: "transaction list fragment", url: app.baseURL + "/transactions", htmxTarget: "journal", pid: app.pid(),
			postmaster: seeded.postmaster()},
		{name: "list, random older pages", pageURL: randomListPage(app.baseURL, opts.transactions), htmxTarget: "journal",
			pid: app.pid(), postmaster: seeded.postmaster()},
	}
	var results []result
	for _, t := range targets {
		before, err := rowsWritten(ctx, seeded)
		if err != nil {
			return err
		}
		r, err := drive(ctx, client, t, opts)
		if err != nil {
			return err
		}
		after, err := rowsWritten(ctx, seeded)
		if err != nil {
			return err
		}
		r.writesPerRequest = float64(after-before) / float64(r.requests)
		results = append(results, r)
	}
	printResults(os.Stdout, opts, results)
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%s answered %d requests with an error", r.name, r.errors)
		}
	}
	return nil
}

// profileFragments drives the fragments against the app served in this
// process while a CPU profile records.
func profileFragments(ctx context.Context, workDir string, seeded *seeded, opts options) error {
	app, err := startInProcess(seeded, workDir, opts.cpuProfile)
	if err != nil {
		return err
	}
	defer app.stop()
	client, err := signIn(ctx, app.baseURL, seeded.email, seeded.password, opts.connections)
	if err != nil {
		return err
	}
	var results []result
	for _, t := range []target{
		{name: "dashboard fragment", url: app.baseURL + "/", htmxTarget: "dashboard-summary",
			postmaster: seeded.postmaster()},
		{name: "transaction list fragment", url: app.baseURL + "/transactions", htmxTarget: "journal",
			postmaster: seeded.postmaster()},
	} {
		r, err := drive(ctx, client, t, opts)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	printResults(os.Stdout, opts, append([]result{{name: "(no bare handler in a profile run)", requests: 1, elapsed: time.Second}}, results...))
	return nil
}

// randomListPage returns addresses of list pages that start at a random
// day and version of the seeded books: pages a bookkeeper paging back or
// following a link would open, nearly all of them different, so that their
// entries are rendered rather than found in the rendered-entry cache.
func randomListPage(baseURL string, versionsMax int) func() string {
	return func() string {
		day := domain.MustDate(seedFirstDay).AddDays(rand.IntN(seedDays))
		return fmt.Sprintf("%s/transactions?cursor=%s_%d", baseURL, day, 1+rand.IntN(versionsMax))
	}
}
