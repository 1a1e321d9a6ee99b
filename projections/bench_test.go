package projections_test

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/eventstore/pgtypes"
	"folio/projections"
)

// benchSize reads a size from the environment so that a quick run can use
// smaller books than the targets name.
func benchSize(name string, fallback int) int {
	if value, err := strconv.Atoi(os.Getenv(name)); err == nil && value > 0 {
		return value
	}
	return fallback
}

// benchBooks is a generator of realistic books: a dozen accounts in three
// currencies, transactions of two to four postings, some amended, some voided.
type benchBooks struct {
	accounts []domain.AccountOpened
	txns     []uuid.UUID
	n        int
}

var benchCurrencies = []string{"EUR", "USD", "CHF"}

func (g *benchBooks) opening() []domain.Event {
	events := []domain.Event{domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1}}
	for i := 0; i < 12; i++ {
		account := domain.AccountOpened{AccountID: uuid.New(), Name: fmt.Sprintf("Account %d", i),
			Type: domain.AccountTypes[i%len(domain.AccountTypes)]}
		g.accounts = append(g.accounts, account)
		events = append(events, account)
	}
	return events
}

func (g *benchBooks) entry() domain.Entry {
	g.n++
	currency := benchCurrencies[g.n%len(benchCurrencies)]
	entry := domain.Entry{Date: domain.MustDate("2023-01-01").AddDays(g.n % 1095), Description: fmt.Sprintf("Payment %d", g.n),
		Payee: fmt.Sprintf("Shop %d", g.n%200)}
	total := decimal.Zero
	for i := 0; i < 1+g.n%3; i++ {
		amount := decimal.New(int64(g.n%50000+i+1), -2)
		total = total.Add(amount)
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: g.accounts[(g.n+i)%12].AccountID, Amount: amount, Currency: currency})
	}
	entry.Postings = append(entry.Postings, domain.Posting{AccountID: g.accounts[(g.n+7)%12].AccountID, Amount: total.Neg(), Currency: currency})
	return entry
}

// next returns the next transaction event: mostly new ones, every 20th an
// amendment and every 50th a void of an earlier transaction.
func (g *benchBooks) next() domain.Event {
	switch {
	case g.n%50 == 49 && len(g.txns) > 1:
		id := g.txns[0]
		g.txns = g.txns[1:]
		g.n++
		return domain.TransactionVoided{TransactionID: id}
	case g.n%20 == 19 && len(g.txns) > 0:
		return domain.TransactionAmended{TransactionID: g.txns[len(g.txns)-1], Entry: g.entry()}
	}
	id := uuid.New()
	g.txns = append(g.txns, id)
	return domain.TransactionRecorded{TransactionID: id, Entry: g.entry()}
}

func benchPool(b testing.TB) *pgxpool.Pool {
	b.Helper()
	config, err := pgxpool.ParseConfig(pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	config.MaxConns = 8
	config.ConnConfig.RuntimeParams["statement_timeout"] = "0"
	pgtypes.Configure(config)
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// importBooks writes users' generated events straight into the log, in
// batches, without projecting them.
func importBooks(b testing.TB, pool *pgxpool.Pool, users, eventsPerUser int) {
	b.Helper()
	ctx := context.Background()
	template := eventstore.RecordedEvent{RecordedAt: time.Now().UTC().Truncate(time.Microsecond), CommandID: uuid.New()}
	for u := 0; u < users; u++ {
		userID, g := uuid.New(), &benchBooks{}
		events := g.opening()
		for len(events) < eventsPerUser {
			events = append(events, g.next())
		}
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
	}
}

// BenchmarkAppendWithInlineProjections appends 100k transaction events in
// batches of 1,000 with inline projections, and compares the rate with a
// bare COPY of the same rows into an unindexed table on the same server;
// and, for a broader view, with bare COPYs of the event rows plus the
// journal and posting rows the append wrote.
func BenchmarkAppendWithInlineProjections(b *testing.B) {
	const batch = 1000
	total := benchSize("FOLIO_BENCH_APPEND_EVENTS", 100_000)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		pool := benchPool(b)
		store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
		userID, g := uuid.New(), &benchBooks{}
		opened, err := store.Append(ctx, eventstore.AppendRequest{UserID: userID, ExpectedVersion: 0, CommandID: uuid.New(), Events: g.opening()})
		if err != nil {
			b.Fatal(err)
		}
		batches := make([][]domain.Event, total/batch)
		for j := range batches {
			for len(batches[j]) < batch {
				batches[j] = append(batches[j], g.next())
			}
		}

		cpuBefore := processCPUSeconds()
		if path := os.Getenv("FOLIO_BENCH_PROFILE"); path != "" {
			profile, _ := os.Create(path)
			_ = pprof.StartCPUProfile(profile)
		}
		started := time.Now()
		version := opened.LastVersion
		for _, events := range batches {
			result, err := store.Append(ctx, eventstore.AppendRequest{UserID: userID, ExpectedVersion: version, CommandID: uuid.New(), Events: events})
			if err != nil {
				b.Fatal(err)
			}
			version = result.LastVersion
		}
		appendRate := float64(total) / time.Since(started).Seconds()
		pprof.StopCPUProfile()
		b.ReportMetric(processCPUSeconds()-cpuBefore, "s_cpu_in_go")

		copyRate := bareCopyRate(b, pool, userID)
		b.ReportMetric(appendRate, "events/s")
		b.ReportMetric(copyRate, "bare_copy_events/s")
		b.ReportMetric(100*appendRate/copyRate, "%_of_bare_copy")
		// A broader baseline for comparison: the event rows and the journal and
		// posting rows the append wrote, all copied bare.
		withReadModels := float64(total) / (float64(total)/copyRate + bareCopySeconds(b, pool, userID, "journal") +
			bareCopySeconds(b, pool, userID, "journal_postings"))
		b.ReportMetric(100*appendRate/withReadModels, "%_of_bare_copy_with_journal_rows")
		// The floor: the same appends into a fresh database's event store
		// with no projector at all (events, hash chain, command ids).
		aloneRate := appendAlone(b, batches, g.opening())
		b.ReportMetric(aloneRate, "event_store_alone_events/s")
		b.ReportMetric(100*aloneRate/copyRate, "%_of_bare_copy_event_store_alone")
	}
}

// appendAlone appends the batches after opening to a new user of a fresh
// database, with no projector, and returns events per second.
func appendAlone(b *testing.B, batches [][]domain.Event, opening []domain.Event) float64 {
	ctx := context.Background()
	store := eventstore.New(benchPool(b))
	userID := uuid.New()
	result, err := store.Append(ctx, eventstore.AppendRequest{UserID: userID, ExpectedVersion: 0, CommandID: uuid.New(), Events: opening})
	if err != nil {
		b.Fatal(err)
	}
	started, total := time.Now(), 0
	for _, events := range batches {
		result, err = store.Append(ctx, eventstore.AppendRequest{UserID: userID, ExpectedVersion: result.LastVersion, CommandID: uuid.New(), Events: events})
		if err != nil {
			b.Fatal(err)
		}
		total += len(events)
	}
	return float64(total) / time.Since(started).Seconds()
}

// bareCopyRate copies the stored events, batch by batch, into an unindexed
// table and returns rows per second.
func bareCopyRate(b *testing.B, pool *pgxpool.Pool, userID uuid.UUID) float64 {
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT user_id, version, event_type, schema_version, payload, recorded_at,
		actor_id, command_id, request_id, hash FROM events WHERE user_id = $1 ORDER BY version`, userID)
	if err != nil {
		b.Fatal(err)
	}
	values, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE bare_copy AS SELECT user_id, version, event_type, schema_version, payload, recorded_at,
		actor_id, command_id, request_id, hash FROM events WITH NO DATA`); err != nil {
		b.Fatal(err)
	}
	columns := []string{"user_id", "version", "event_type", "schema_version", "payload", "recorded_at",
		"actor_id", "command_id", "request_id", "hash"}
	started := time.Now()
	for start := 0; start < len(values); start += 1000 {
		end := min(start+1000, len(values))
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{"bare_copy"}, columns, pgx.CopyFromRows(values[start:end])); err != nil {
			b.Fatal(err)
		}
	}
	return float64(len(values)) / time.Since(started).Seconds()
}

// bareCopySeconds copies a user's rows of a read-model table, in batches of
// 1,000, into an unindexed copy of it and returns the seconds taken.
func bareCopySeconds(b *testing.B, pool *pgxpool.Pool, userID uuid.UUID, table string) float64 {
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT * FROM `+table+` WHERE user_id = $1`, userID)
	if err != nil {
		b.Fatal(err)
	}
	columns := make([]string, 0, len(rows.FieldDescriptions()))
	for _, field := range rows.FieldDescriptions() {
		columns = append(columns, field.Name)
	}
	values, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
	if err != nil {
		b.Fatal(err)
	}
	bare := "bare_" + table
	if _, err := pool.Exec(ctx, `CREATE TABLE `+bare+` AS SELECT * FROM `+table+` WITH NO DATA`); err != nil {
		b.Fatal(err)
	}
	started := time.Now()
	for start := 0; start < len(values); start += 1000 {
		end := min(start+1000, len(values))
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{bare}, columns, pgx.CopyFromRows(values[start:end])); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(started).Seconds()
}

// BenchmarkRebuildAllProjections rebuilds every projection from 1M events
// of 100 users.
func BenchmarkRebuildAllProjections(b *testing.B) {
	total := benchSize("FOLIO_BENCH_REBUILD_EVENTS", 1_000_000)
	users := 100
	for i := 0; i < b.N; i++ {
		pool := benchPool(b)
		importBooks(b, pool, users, total/users)
		cpuBefore := processCPUSeconds()
		if path := os.Getenv("FOLIO_BENCH_PROFILE"); path != "" {
			profile, _ := os.Create(path)
			_ = pprof.StartCPUProfile(profile)
			defer pprof.StopCPUProfile()
		}
		started := time.Now()
		phaseStarted, phase := started, ""
		report, err := projections.Rebuild(context.Background(), pool, projections.RebuildOptions{
			Progress: func(p projections.Progress) {
				if p.Phase != phase {
					if phase != "" {
						b.ReportMetric(time.Since(phaseStarted).Seconds(), "s_"+phase)
					}
					phase, phaseStarted = p.Phase, time.Now()
				}
			},
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(report.Events)/time.Since(started).Seconds(), "events/s")
		b.ReportMetric(time.Since(started).Seconds(), "s")
		b.ReportMetric(processCPUSeconds()-cpuBefore, "s_cpu_in_go")
	}
}

// BenchmarkFoldOneUser folds one user's 100k events: read from the log and
// decoded (Fold), and the in-memory part alone (Books.Apply).
func BenchmarkFoldOneUser(b *testing.B) {
	total := benchSize("FOLIO_BENCH_FOLD_EVENTS", 100_000)
	ctx := context.Background()
	pool := benchPool(b)
	importBooks(b, pool, 1, total)
	userID, err := eventstore.Users(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	var events []domain.Event
	err = eventstore.ReadStream(ctx, pool, userID[0], 0, 0, func(e eventstore.RecordedEvent) error {
		events = append(events, e.Event)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		started := time.Now()
		books, err := projections.Fold(ctx, pool, userID[0], 0)
		if err != nil || books.Version != int64(total) {
			b.Fatalf("fold: %v, version %d", err, books.Version)
		}
		b.ReportMetric(time.Since(started).Seconds(), "s_from_log")
		started = time.Now()
		inMemory := domain.NewBooks()
		for _, event := range events {
			if err := inMemory.Apply(event); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(started).Seconds(), "s_in_memory")
	}
}

// processCPUSeconds is the CPU time this process used so far, to tell Go's
// share of a rebuild from the database server's.
func processCPUSeconds() float64 {
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}
