package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"folio/app/config"
	"folio/app/database"
	"folio/eventstore/migrate"
)

// checkTimeout bounds every network step of check.
const checkTimeout = 10 * time.Second

// errCheckFailed makes check exit with status 1 after it printed why.
var errCheckFailed = errors.New("some checks failed")

// checkResult is one line of the report: a check that passed, or one that
// failed with what to do about it.
type checkResult struct {
	name    string
	problem string // empty when the check passed
	fix     string
}

func pass(name string) checkResult { return checkResult{name: name} }

func fail(name, problem, fix string) checkResult {
	return checkResult{name: name, problem: problem, fix: fix}
}

func runCheck(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	target := flags.String("url", "", "also probe the running instance at this https:// URL")
	httpURL := flags.String("http-url", "", "where plain HTTP is served for the redirect check (default: the --url host on port 80)")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	results := checkConfiguration(ctx, env.getenv)
	if *target != "" {
		probe := &prober{client: &http.Client{Timeout: checkTimeout}, base: strings.TrimRight(*target, "/"), httpURL: *httpURL}
		results = append(results, probe.run(ctx)...)
	}
	return report(env.stdout, results)
}

func report(w io.Writer, results []checkResult) error {
	failed := 0
	for _, result := range results {
		if result.problem == "" {
			fmt.Fprintf(w, "pass  %s\n", result.name)
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL  %s: %s\n      fix: %s\n", result.name, result.problem, result.fix)
	}
	fmt.Fprintf(w, "\n%d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		return errCheckFailed
	}
	return nil
}

// checkConfiguration validates the environment as a production instance
// would read it.
func checkConfiguration(ctx context.Context, getenv func(string) string) []checkResult {
	var results []checkResult
	if getenv("APP_ENV") != config.EnvProduction {
		results = append(results, fail("production mode", fmt.Sprintf("APP_ENV is %q", getenv("APP_ENV")),
			"set APP_ENV=production"))
	} else {
		results = append(results, pass("production mode"))
	}
	production := func(name string) string {
		if name == "APP_ENV" {
			return config.EnvProduction
		}
		return getenv(name)
	}
	cfg, err := config.Load(production, dataDir)
	if err != nil {
		// Load names the setting at fault; the other checks need a configuration.
		return append(results, fail("configuration", err.Error(), "correct the setting named above"))
	}
	results = append(results, pass("secret key (SECRET_KEY: 64+ characters, not an example value)"))
	if cfg.SessionCookieSecure {
		results = append(results, pass("secure cookies"))
	} else {
		results = append(results, fail("secure cookies", "SESSION_COOKIE_SECURE is false",
			"serve over HTTPS and set SESSION_COOKIE_SECURE=true"))
	}
	results = append(results, checkDatabase(ctx, cfg.DatabaseURL)...)
	if cfg.DocumentsS3.Enabled() {
		results = append(results, checkDocumentBucket(ctx, cfg.DocumentsS3)...)
	} else {
		results = append(results, checkUploadFolder(cfg.UploadFolder))
	}
	return append(results, checkWiseURL(cfg.WiseAPIURL))
}

func checkDatabase(ctx context.Context, databaseURL string) []checkResult {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	pool, err := database.NewPool(ctx, databaseURL, 2)
	if err != nil {
		return []checkResult{fail("database reachable", err.Error(),
			"check DATABASE_URL and that PostgreSQL accepts this host")}
	}
	defer pool.Close()
	results := []checkResult{pass("database reachable")}
	pending, err := migrate.Pending(ctx, pool)
	switch {
	case err != nil:
		results = append(results, fail("database migrated", err.Error(), "run: go run ./app migrate"))
	case len(pending) > 0:
		results = append(results, fail("database migrated", fmt.Sprintf("%d migrations pending (%s)", len(pending), pending[0]),
			"run: go run ./app migrate"))
	default:
		results = append(results, pass("database migrated"))
	}
	return results
}

func checkUploadFolder(folder string) checkResult {
	const name = "upload folder (UPLOAD_FOLDER)"
	info, err := os.Stat(folder)
	if err != nil {
		return fail(name, err.Error(), fmt.Sprintf("mkdir -m 0700 %s, owned by the user that runs Folio", folder))
	}
	if !info.IsDir() {
		return fail(name, folder+" is not a folder", "point UPLOAD_FOLDER at a folder")
	}
	if info.Mode().Perm()&0o077 != 0 {
		return fail(name, fmt.Sprintf("%s is open to other users (mode %04o)", folder, info.Mode().Perm()),
			"chmod 0700 "+folder)
	}
	return pass(name)
}

func checkWiseURL(wiseURL string) checkResult {
	const name = "Wise API URL (WISE_API_URL)"
	parsed, err := url.Parse(wiseURL)
	if err != nil || parsed.Scheme != "https" || parsed.Host == "" {
		return fail(name, fmt.Sprintf("%q is not an https:// URL", wiseURL), "set WISE_API_URL=https://api.wise.com")
	}
	return pass(name)
}
