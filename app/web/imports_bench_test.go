package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/config"
	"folio/app/ledger"
	"folio/app/users"
	"folio/app/web"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

// watchHeap samples the heap in use until the returned function is called, which
// reports the most seen, so that a benchmark can show its memory stays bounded.
func watchHeap() func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(20 * time.Millisecond)
		defer ticker.Stop()
		for {
			var stats runtime.MemStats
			runtime.ReadMemStats(&stats)
			mu.Lock()
			peak = max(peak, stats.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// benchmarkCSV is a bank statement of n lines, about 60 bytes each.
func benchmarkCSV(n int) []byte {
	var file bytes.Buffer
	file.WriteString("Date;Payee;Description;Amount\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&file, "%02d.%02d.2025;Shop %d;Card payment %d ref %07d;-%d,%02d\n",
			i%28+1, i%12+1, i%500, i%97, i, i%300+1, i%100)
	}
	return file.Bytes()
}

// BenchmarkImportCSV50k imports a 50,000-line CSV through POST /api/v1/imports, from the
// upload to the committed append, into fresh books each time.
//
//	go test ./app/web -run '^$' -bench ImportCSV50k -benchtime 3x -benchmem
func BenchmarkImportCSV50k(b *testing.B) {
	const lines = 50_000
	ctx := context.Background()
	databaseURL := pgtest.NewDatabase(b)
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	service := ledger.New(store, logger, 16)
	server, err := web.New(web.Deps{Config: config.Config{Addr: "127.0.0.1:0", Env: config.EnvDevelopment,
		SecretKey: testSecret, DatabaseURL: databaseURL, WiseAPIURL: config.DefaultWiseAPIURL},
		Pool: pool, Logger: logger, Store: store, Ledger: service})
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	file := benchmarkCSV(lines)
	contentType, body := statementBody(b, statementPart{name: "account", value: "Checking"},
		statementPart{name: "file", fileName: "big.csv", value: string(file)})
	accounts := users.NewStore(pool, nil)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	peak := watchHeap()
	defer func() { b.ReportMetric(float64(peak()>>20), "peak-heap-MB") }()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		user, err := accounts.Create(ctx, fmt.Sprintf("bench%d@example.com", i), testPassword, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := service.EnsureOpened(ctx, user.ID, user.ID, "bench"); err != nil {
			b.Fatal(err)
		}
		_, token, err := accounts.CreateToken(ctx, user.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		request := httptest.NewRequest(http.MethodPost, "/api/v1/imports", bytes.NewReader(body))
		request.Header.Set("Content-Type", contentType)
		request.Header.Set("Authorization", "Bearer "+token)
		b.StartTimer()

		response, err := server.App().Test(request, -1)
		if err != nil {
			b.Fatal(err)
		}
		answer, _ := io.ReadAll(response.Body)
		if response.StatusCode != http.StatusCreated || !strings.Contains(string(answer), fmt.Sprintf(`"new":%d`, lines)) {
			b.Fatalf("import: %d %.300s", response.StatusCode, answer)
		}
	}
}
