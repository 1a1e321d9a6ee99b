package projections_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/export"
	"folio/app/export/randombooks"
	"folio/domain"
	"folio/eventstore"
	"folio/projections"
)

// importGenerated writes generated events straight into the log, in
// batches, and rebuilds every projection from it, as an operator would
// after a restore.
func importGenerated(b *testing.B, pool *pgxpool.Pool, userID uuid.UUID, events []domain.Event) {
	b.Helper()
	ctx := context.Background()
	template := eventstore.RecordedEvent{RecordedAt: time.Now().UTC().Truncate(time.Microsecond), CommandID: uuid.New()}
	var previous []byte
	for start := 0; start < len(events); start += 10_000 {
		end := min(start+10_000, len(events))
		chained, err := eventstore.Chain(userID, int64(start), previous, template, events[start:end])
		if err != nil {
			b.Fatal(err)
		}
		previous = chained[len(chained)-1].Hash
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return eventstore.Import(ctx, tx, chained) }); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := projections.Rebuild(ctx, pool, projections.RebuildOptions{}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReports times the balance sheet, the trial balance and a
// 12-month income statement on books of 200,000 transactions (three years,
// three currencies, tags, payees, conversions, amendments and voids), and
// in the same run times hledger's balance report on the same books
// exported as a journal.
func BenchmarkReports(b *testing.B) {
	transactions := benchSize("FOLIO_BENCH_REPORT_TRANSACTIONS", 200_000)
	ctx := context.Background()
	pool := benchPool(b)
	generated := randombooks.Generate(randombooks.Options{Seed: 200, Transactions: transactions,
		Start: domain.MustDate("2023-01-01"), Days: 3 * 365, FiscalYearStartMonth: 4})
	userID := uuid.New()
	started := time.Now()
	importGenerated(b, pool, userID, generated.Events)
	b.Logf("%d transactions in %d events imported and projected in %s", transactions, len(generated.Events),
		time.Since(started).Round(time.Second))

	asOf := domain.MustDate("2025-08-17")
	year := projections.Period{From: domain.MustDate("2024-09-01"), To: domain.MustDate("2025-08-31")}
	reports := []struct {
		name string
		run  func() error
	}{
		{"BalanceSheet", func() error {
			_, err := projections.BuildBalanceSheet(ctx, pool, userID, asOf, 4, projections.ReportOptions{})
			return err
		}},
		{"TrialBalance", func() error {
			_, err := projections.BuildTrialBalance(ctx, pool, userID, asOf, projections.ReportOptions{})
			return err
		}},
		{"IncomeStatement12Months", func() error {
			_, err := projections.BuildIncomeStatement(ctx, pool, userID, year, projections.ReportOptions{})
			return err
		}},
		{"BalanceSheetInBaseCurrency", func() error {
			_, err := projections.BuildBalanceSheet(ctx, pool, userID, asOf, 4, projections.ReportOptions{ConvertTo: "EUR"})
			return err
		}},
		{"IncomeStatement12MonthsTagged", func() error {
			_, err := projections.BuildIncomeStatement(ctx, pool, userID, year, projections.ReportOptions{Tag: "trip"})
			return err
		}},
	}
	timings := map[string]time.Duration{}
	for _, report := range reports {
		b.Run(report.name, func(b *testing.B) {
			if err := report.run(); err != nil { // warm the connection and the cache
				b.Fatal(err)
			}
			b.ResetTimer()
			started := time.Now()
			for i := 0; i < b.N; i++ {
				if err := report.run(); err != nil {
					b.Fatal(err)
				}
			}
			perReport := time.Since(started) / time.Duration(b.N)
			b.ReportMetric(float64(perReport.Microseconds())/1000, "ms/report")
			timings[report.name] = perReport
		})
	}

	if _, err := exec.LookPath("hledger"); err != nil {
		b.Log("hledger is not installed: no comparison")
		return
	}
	journal := filepath.Join(b.TempDir(), "books.journal")
	file, err := os.Create(journal)
	if err != nil {
		b.Fatal(err)
	}
	out := bufio.NewWriter(file)
	if err := export.WriteJournal(out, generated.Books); err != nil {
		b.Fatal(err)
	}
	if err := out.Flush(); err != nil {
		b.Fatal(err)
	}
	_ = file.Close()
	started = time.Now()
	if output, err := exec.Command("hledger", "-f", journal, "balance", "-e", asOf.AddDays(1).String()).CombinedOutput(); err != nil {
		b.Fatalf("hledger: %v\n%s", err, output)
	}
	hledger := time.Since(started)
	b.Logf("hledger balance -e %s on the exported journal: %s", asOf.AddDays(1), hledger.Round(time.Millisecond))
	for _, report := range reports {
		b.Logf("%s: %s, hledger takes %.0f times as long", report.name, timings[report.name].Round(10*time.Microsecond),
			float64(hledger)/float64(timings[report.name]))
	}
}
