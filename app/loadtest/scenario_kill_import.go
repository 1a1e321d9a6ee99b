package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// Bounds of the kill-import scenario.
const (
	killImportLines      = 50_000
	killImportWatchLimit = 2 * time.Minute // for the import's transaction to start writing
	killImportDelay      = 200 * time.Millisecond
	killImportTimeout    = 5 * time.Minute // for the re-run import to answer
)

const killImportDescription = "Kill import line "

// runKillImport sends a 50,000-line CSV statement to POST /api/v1/imports, kills the app
// with SIGKILL while the import's transaction is writing, starts the app again, and checks
// that the import is entirely present or entirely absent, that verify passes, and that
// sending the file again completes it.
func runKillImport(ctx context.Context, workDir string, opts options, logger *slog.Logger) error {
	seeded, err := seed(ctx, workDir, 0, logger)
	if err != nil {
		return err
	}
	defer seeded.close()
	app, err := startApp(ctx, workDir, seeded.databaseURL)
	if err != nil {
		return err
	}
	defer func() { app.stop() }()
	client, err := signIn(ctx, app.baseURL, seeded.email, seeded.password, 2)
	if err != nil {
		return err
	}
	token, err := createToken(ctx, client, app.baseURL)
	if err != nil {
		return err
	}
	body, contentType := statementUpload(killImportLines)
	fmt.Printf("importing %d lines (%d bytes), to be killed mid-way...\n", killImportLines, len(body))

	answered := make(chan string, 1)
	started := time.Now()
	go func() {
		status, answer := postImport(ctx, app.baseURL, token, body, contentType)
		answered <- fmt.Sprintf("%d %.200s", status, answer)
	}()
	writingAfter, err := waitForWritingTransaction(ctx, seeded, answered)
	if err != nil {
		return err
	}
	time.Sleep(killImportDelay)
	if err := app.cmd.Process.Kill(); err != nil {
		return err
	}
	_ = app.cmd.Wait()
	fmt.Printf("the import's transaction was writing %s after the upload began; SIGKILL %s later\n",
		writingAfter.Round(time.Millisecond), killImportDelay)
	select {
	case answer := <-answered:
		fmt.Println("the upload got:", answer)
	case <-time.After(time.Second):
		fmt.Println("the upload got no answer")
	}

	imported, err := countImported(ctx, seeded)
	if err != nil {
		return err
	}
	fmt.Printf("after the kill: %d of %d lines in the journal\n", imported, killImportLines)
	if imported != 0 && imported != killImportLines {
		return fmt.Errorf("the killed import is partly present: %d of %d lines", imported, killImportLines)
	}

	app, err = startApp(ctx, workDir, seeded.databaseURL)
	if err != nil {
		return err
	}
	if err := verifyBooks(ctx, app, seeded); err != nil {
		return err
	}
	rerunStarted := time.Now()
	status, answer := postImport(ctx, app.baseURL, token, body, contentType)
	var result struct {
		New        int `json:"new"`
		Duplicates int `json:"duplicates"`
	}
	_ = json.Unmarshal([]byte(answer), &result)
	fmt.Printf("re-run: status %d, %d new, %d duplicates in %s\n", status, result.New,
		result.Duplicates, time.Since(rerunStarted).Round(time.Millisecond))
	if status != http.StatusCreated || result.New+result.Duplicates != killImportLines {
		return fmt.Errorf("the re-run import answered %d: %.300s", status, answer)
	}
	imported, err = countImported(ctx, seeded)
	if err != nil {
		return err
	}
	fmt.Printf("after the re-run: %d of %d lines in the journal (whole run %s)\n", imported,
		killImportLines, time.Since(started).Round(time.Millisecond))
	if imported != killImportLines {
		return fmt.Errorf("after the re-run %d of %d lines are in the journal", imported, killImportLines)
	}
	return verifyBooks(ctx, app, seeded)
}

// statementUpload returns a multipart body for the Checking account with lines CSV lines,
// each one distinct so that none is taken for a duplicate of another.
func statementUpload(lines int) ([]byte, string) {
	var csv strings.Builder
	csv.WriteString("Date,Description,Amount\n")
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < lines; i++ {
		date := start.AddDate(0, 0, i%365).Format("2006-01-02")
		fmt.Fprintf(&csv, "%s,%s%d,-%d.%02d\n", date, killImportDescription, i, 1+i%90, i%100)
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	_ = form.WriteField("account", "Checking")
	file, _ := form.CreateFormFile("file", "kill-import.csv")
	_, _ = io.WriteString(file, csv.String())
	_ = form.Close()
	return body.Bytes(), form.FormDataContentType()
}

// postImport sends the statement with a client that waits as long as the import takes.
func postImport(ctx context.Context, baseURL, token string, body []byte, contentType string) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, killImportTimeout)
	defer cancel()
	request, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/imports",
		bytes.NewReader(body))
	request.Header.Set("Authorization", "Bearer "+token)
	request.Header.Set("Content-Type", contentType)
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return 0, err.Error()
	}
	defer response.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(response.Body, 64<<10))
	return response.StatusCode, string(answer)
}

// waitForWritingTransaction waits until another session's transaction has begun inserting
// into events, which is the import appending, and returns how long that took. It fails when the import answers first.
func waitForWritingTransaction(ctx context.Context, seeded *seeded, answered chan string) (time.Duration, error) {
	started := time.Now()
	for time.Since(started) < killImportWatchLimit {
		var writing int
		err := seeded.db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks l
			JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = 'events' AND l.mode = 'RowExclusiveLock'
			AND l.pid <> pg_backend_pid()`).Scan(&writing)
		if err != nil {
			return 0, err
		}
		if writing > 0 {
			return time.Since(started), nil
		}
		select {
		case answer := <-answered:
			return 0, fmt.Errorf("the import answered before it was seen writing: %s", answer)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("no writing transaction within %s", killImportWatchLimit)
}

func countImported(ctx context.Context, seeded *seeded) (int, error) {
	var n int
	err := seeded.db.Pool.QueryRow(ctx, `SELECT count(*) FROM journal WHERE description LIKE $1`,
		killImportDescription+"%").Scan(&n)
	return n, err
}
