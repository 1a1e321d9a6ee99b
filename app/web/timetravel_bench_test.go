package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/app/config"
	"folio/app/users"
	"folio/app/web"
	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

// timeTravelBenchEvents is the size of the benchmarked book; FOLIO_BENCH_TIMETRAVEL_EVENTS
// overrides it for a quick run.
func timeTravelBenchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("FOLIO_BENCH_TIMETRAVEL_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchBook writes a book of n events straight into the log: books, twelve accounts, then
// transactions in three currencies, every 20th an amendment and every 50th a void. It
// projects nothing: callers rebuild the read models.
func benchBook(b *testing.B, pool *pgxpool.Pool, userID uuid.UUID, n int) {
	b.Helper()
	ctx := context.Background()
	events := []domain.Event{domain.BooksOpened{BaseCurrency: "EUR", FiscalYearStartMonth: 1}}
	var accounts []uuid.UUID
	for i := 0; i < 12; i++ {
		id := uuid.New()
		accounts = append(accounts, id)
		events = append(events, domain.AccountOpened{AccountID: id, Name: fmt.Sprintf("Account %d", i),
			Type: domain.AccountTypes[i%len(domain.AccountTypes)]})
	}
	currencies := []string{"EUR", "USD", "CHF"}
	var live []uuid.UUID
	for i := 0; len(events) < n; i++ {
		amount := decimal.New(int64(i%50_000+1), -2)
		entry := domain.Entry{Date: domain.MustDate("2023-01-01").AddDays(i % 1095),
			Description: fmt.Sprintf("Payment %d", i), Payee: fmt.Sprintf("Shop %d", i%200),
			Postings: []domain.Posting{
				{AccountID: accounts[i%12], Amount: amount, Currency: currencies[i%3]},
				{AccountID: accounts[(i+7)%12], Amount: amount.Neg(), Currency: currencies[i%3]},
			}}
		switch {
		case i%50 == 49 && len(live) > 1:
			events = append(events, domain.TransactionVoided{TransactionID: live[0]})
			live = live[1:]
		case i%20 == 19 && len(live) > 0:
			events = append(events, domain.TransactionAmended{TransactionID: live[len(live)-1], Entry: entry})
		default:
			id := uuid.New()
			live = append(live, id)
			events = append(events, domain.TransactionRecorded{TransactionID: id, Entry: entry})
		}
	}

	template := eventstore.RecordedEvent{RecordedAt: time.Now().UTC().Truncate(time.Microsecond),
		ActorID: userID, CommandID: uuid.New()}
	var previous []byte
	for start := 0; start < len(events); start += 10_000 {
		end := min(start+10_000, len(events))
		chained, err := eventstore.Chain(userID, int64(start), previous, template, events[start:end])
		if err != nil {
			b.Fatal(err)
		}
		previous = chained[len(chained)-1].Hash
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return eventstore.Import(ctx, tx, chained) })
		if err != nil {
			b.Fatal(err)
		}
	}
}

// newBenchServer starts a server on a fresh database whose pool has no statement timeout.
func newBenchServer(b *testing.B) (*web.Server, *pgxpool.Pool) {
	b.Helper()
	databaseURL := pgtest.NewDatabase(b)
	poolConfig, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	poolConfig.MaxConns = 16
	poolConfig.ConnConfig.RuntimeParams["statement_timeout"] = "0"
	pool, err := pgxpool.NewWithConfig(context.Background(), poolConfig)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	server, err := web.New(web.Deps{
		Config: config.Config{Addr: "127.0.0.1:0", Env: config.EnvDevelopment, SecretKey: testSecret,
			DatabaseURL: databaseURL, WiseAPIURL: config.DefaultWiseAPIURL},
		Pool: pool, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = server.Close() })
	return server, pool
}

// benchUser creates a user and an API token of theirs.
func benchUser(b *testing.B, pool *pgxpool.Pool, email string, admin bool) (users.User, string) {
	b.Helper()
	store := users.NewStore(pool, nil)
	user, err := store.Create(context.Background(), email, testPassword, admin)
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := store.CreateToken(context.Background(), user.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return user, secret
}

// benchSession signs email in through the login form and returns the cookies of the session.
func benchSession(b *testing.B, app interface {
	Test(*http.Request, ...int) (*http.Response, error)
}, email string) []*http.Cookie {
	b.Helper()
	page, err := app.Test(httptest.NewRequest(http.MethodGet, "/login", nil), -1)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	token := csrfMeta.FindSubmatch(body)
	form := url.Values{"email": {email}, "password": {testPassword}, "_csrf": {string(token[1])}}
	request := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, cookie := range page.Cookies() {
		request.AddCookie(cookie)
	}
	signedIn, err := app.Test(request, -1)
	if err != nil || signedIn.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", signedIn.StatusCode, err)
	}
	return signedIn.Cookies()
}

// BenchmarkTimeTravel goes to random points of a 100k-event book: the JSON trial balance
// (GET /api/v1/as-of) and the whole page with the trial balance, balance sheet and journal
// (GET /time-travel). Each operation folds the events from the first one: from the log
// (fold-from-log, what a first visit costs) or from the server's cache of decoded events
// (the requests). The target is under a second per operation.
func BenchmarkTimeTravel(b *testing.B) {
	n := timeTravelBenchEvents()
	server, pool := newBenchServer(b)
	user, secret := benchUser(b, pool, "bench@example.com", false)
	started := time.Now()
	benchBook(b, pool, user.ID, n)
	if _, err := projections.RebuildUser(context.Background(), pool, user.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote and projected %d events in %s", n, time.Since(started).Round(time.Millisecond))
	cookies := benchSession(b, server.App(), "bench@example.com")
	random := rand.New(rand.NewPCG(1, 2))

	get := func(b *testing.B, path string, authorize func(*http.Request)) {
		request := httptest.NewRequest(http.MethodGet, path, nil)
		authorize(request)
		got, err := server.App().Test(request, -1)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, got.Body)
		if got.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, got.StatusCode)
		}
	}
	// The first visit to a book reads and decodes its events, as every fold without the
	// server's cache of decoded events would.
	b.Run("fold-from-log", func(b *testing.B) {
		for b.Loop() {
			books, err := projections.FoldAt(context.Background(), pool, user.ID,
				projections.HistoryPoint{Version: int64(1 + random.IntN(n))})
			if err != nil {
				b.Fatal(err)
			}
			books.TrialBalance(domain.Date{})
		}
	})
	b.Run("api-as-of", func(b *testing.B) {
		for b.Loop() {
			get(b, fmt.Sprintf("/api/v1/as-of?version=%d", 1+random.IntN(n)), func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer "+secret)
			})
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			get(b, fmt.Sprintf("/time-travel?version=%d", 1+random.IntN(n)), func(r *http.Request) {
				for _, cookie := range cookies {
					r.AddCookie(cookie)
				}
			})
		}
	})
	b.Run("history-page", func(b *testing.B) {
		for b.Loop() {
			get(b, fmt.Sprintf("/history?before=%d", 2+random.IntN(n-1)), func(r *http.Request) {
				for _, cookie := range cookies {
					r.AddCookie(cookie)
				}
			})
		}
	})
	b.Run("page-latest", func(b *testing.B) {
		for b.Loop() {
			get(b, fmt.Sprintf("/time-travel?version=%d", n), func(r *http.Request) {
				for _, cookie := range cookies {
					r.AddCookie(cookie)
				}
			})
		}
	})
}
