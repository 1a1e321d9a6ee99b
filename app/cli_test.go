package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"folio/app/ledger"
	"folio/domain"
	"folio/eventstore/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// cli runs commands against one test database, as an operator would.
type cli struct {
	t   *testing.T
	url string
}

func newCLI(t *testing.T) *cli { return &cli{t: t, url: pgtest.NewDatabase(t)} }

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errs bytes.Buffer
	env := &environment{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errs,
		getenv: func(name string) string {
			if name == "DATABASE_URL" {
				return c.url
			}
			return ""
		},
		logger: slog.New(slog.DiscardHandler),
	}
	code = run(context.Background(), env, args)
	return code, out.String(), errs.String()
}

func (c *cli) mustRun(stdin string, args ...string) string {
	c.t.Helper()
	code, stdout, stderr := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("%v exited %d: %s%s", args, code, stdout, stderr)
	}
	return stdout
}

func (c *cli) exec(sql string) {
	c.t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.SuperuserURL(c.t, c.url))
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		c.t.Fatal(err)
	}
}

func TestCreateUserReadsThePasswordFromStdin(t *testing.T) {
	c := newCLI(t)
	out := c.mustRun("correct horse battery staple\n", "create-user", "--email", "Ann@Example.com", "--admin")
	if !strings.Contains(out, "created admin ann@example.com") {
		t.Fatalf("got %q", out)
	}
	if code, _, stderr := c.run("", "create-user", "--email", "bob@example.com"); code != exitCodeUsage || !strings.Contains(stderr, "stdin") {
		t.Errorf("empty stdin: got exit %d, %q", code, stderr)
	}
	if code, _, stderr := c.run("short\n", "create-user", "--email", "bob@example.com"); code != exitCodeFailure || !strings.Contains(stderr, "password") {
		t.Errorf("short password: got exit %d, %q", code, stderr)
	}
	if code, _, _ := c.run("correct horse battery staple\n", "create-user", "--email", "ann@example.com"); code != exitCodeFailure {
		t.Errorf("duplicate email: got exit %d", code)
	}
}

func TestVerifyPassesThenNamesTheTamperedEvent(t *testing.T) {
	c := newCLI(t)
	c.mustRun("correct horse battery staple\n", "create-user", "--email", "ann@example.com")
	c.mustRun("correct horse battery staple\n", "create-user", "--email", "bob@example.com")
	if out := c.mustRun("", "verify"); !strings.Contains(out, "verified 2 users") {
		t.Fatalf("got %q", out)
	}

	c.exec(`ALTER TABLE events DISABLE TRIGGER events_append_only;
		UPDATE events SET payload = replace(payload, 'Groceries', 'Food')
		WHERE user_id = (SELECT id FROM users WHERE email = 'bob@example.com') AND event_type = 'AccountOpened'
		  AND payload LIKE '%Groceries%';
		ALTER TABLE events ENABLE TRIGGER events_append_only;`)
	code, out, _ := c.run("", "verify")
	if code != exitCodeFailure || !strings.Contains(out, "FAIL bob@example.com: hash chain broken at event") {
		t.Fatalf("got exit %d, %q", code, out)
	}
	if out := c.mustRun("", "verify", "--user", "ann@example.com"); !strings.Contains(out, "ok   ann@example.com") {
		t.Errorf("ann's books should still verify: %q", out)
	}
}

func TestVerifyNamesADriftedReadModelAndRebuildRepairsIt(t *testing.T) {
	c := newCLI(t)
	c.mustRun("correct horse battery staple\n", "create-user", "--email", "ann@example.com")
	c.exec(`UPDATE accounts SET name = 'Drifted' WHERE name = 'Cash'`)
	code, out, _ := c.run("", "verify")
	if code != exitCodeFailure || !strings.Contains(out, "read model differs: accounts") || !strings.Contains(out, "Drifted") {
		t.Fatalf("got exit %d, %q", code, out)
	}
	if out := c.mustRun("", "rebuild", "--user", "ann@example.com"); !strings.Contains(out, "rebuilt ann@example.com") {
		t.Fatalf("got %q", out)
	}
	c.mustRun("", "verify")
	c.exec(`UPDATE accounts SET name = 'Drifted again' WHERE name = 'Cash'`)
	if _, _, stderr := c.run("", "rebuild", "--projection", "accounts"); !strings.Contains(stderr, "done") {
		t.Errorf("rebuild printed no progress: %q", stderr)
	}
	c.mustRun("", "verify")
	if code, _, stderr := c.run("", "rebuild", "--projection", "nonsense"); code != exitCodeUsage || !strings.Contains(stderr, "accounts, journal, monthly_totals") {
		t.Errorf("unknown projection: got exit %d, %q", code, stderr)
	}
}

// recordSpend records a grocery purchase from checking for the user.
func (c *cli) recordSpend(email, amount string) uuid.UUID {
	c.t.Helper()
	ctx := context.Background()
	env := &environment{logger: slog.New(slog.DiscardHandler), getenv: func(string) string { return c.url }}
	db, err := openDatabase(ctx, env)
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	_, service := newLedger(db, env)
	userID, err := userIDByEmail(ctx, db, email)
	if err != nil {
		c.t.Fatal(err)
	}
	var entry domain.Entry
	_ = service.Read(ctx, userID, func(books *domain.Books) error {
		checking, _ := books.AccountByName("Checking")
		groceries, _ := books.AccountByName("Groceries")
		entry = domain.Entry{Date: domain.MustDate("2026-01-15"), Description: "Market", Postings: []domain.Posting{
			{AccountID: groceries.ID, Amount: decimal.RequireFromString(amount), Currency: "EUR"},
			{AccountID: checking.ID, Amount: decimal.RequireFromString(amount).Neg(), Currency: "EUR"},
		}}
		return nil
	})
	result, err := service.Execute(ctx, ledger.Meta{UserID: userID}, domain.RecordTransaction{Entry: entry})
	if err != nil {
		c.t.Fatal(err)
	}
	return result.Events[0].(domain.TransactionRecorded).TransactionID
}

func TestReplayPrintsTheTrialBalanceAtAVersion(t *testing.T) {
	c := newCLI(t)
	c.mustRun("correct horse battery staple\n", "create-user", "--email", "ann@example.com")
	c.recordSpend("ann@example.com", "12.50")
	c.recordSpend("ann@example.com", "7.25")
	var opened int
	conn, _ := pgx.Connect(context.Background(), c.url)
	_ = conn.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE event_type <> 'TransactionRecorded'`).Scan(&opened)
	conn.Close(context.Background())

	afterFirst := c.mustRun("", "replay", "--user", "ann@example.com", "--version", fmt.Sprint(opened+1))
	if !strings.Contains(afterFirst, "Groceries") || !strings.Contains(afterFirst, "12.50") || strings.Contains(afterFirst, "19.75") {
		t.Errorf("after the first purchase: got %q", afterFirst)
	}
	afterBoth := c.mustRun("", "replay", "--user", "ann@example.com", "--version", fmt.Sprint(opened+2))
	if !strings.Contains(afterBoth, "19.75") || !strings.Contains(afterBoth, "-19.75") {
		t.Errorf("after both purchases: got %q", afterBoth)
	}
	asOfBefore := c.mustRun("", "replay", "--user", "ann@example.com", "--version", fmt.Sprint(opened+2), "--as-of", "2026-01-14")
	if strings.Contains(asOfBefore, "Groceries") {
		t.Errorf("accounting date before the purchases still shows them: %q", asOfBefore)
	}
	if code, _, _ := c.run("", "replay", "--user", "ann@example.com", "--version", "999"); code != exitCodeFailure {
		t.Errorf("a version past the end: got exit %d", code)
	}
	if code, _, _ := c.run("", "replay", "--user", "ann@example.com"); code != exitCodeUsage {
		t.Errorf("no point: got exit %d", code)
	}
	if out := c.mustRun("", "replay", "--user", "ann@example.com", "--date", "2000-01-01"); !strings.Contains(out, "(event 0)") {
		t.Errorf("before any event: got %q", out)
	}
	if out := c.mustRun("", "replay", "--user", "ann@example.com", "--date", "2999-01-01"); !strings.Contains(out, "19.75") {
		t.Errorf("by a future date: got %q", out)
	}
}

func TestMigrateReportsUpToDate(t *testing.T) {
	c := newCLI(t)
	if out := c.mustRun("", "migrate"); !strings.Contains(out, "up to date") {
		t.Errorf("got %q", out)
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("", "frobnicate"); code != exitCodeUsage || !strings.Contains(stderr, "usage") {
		t.Errorf("got exit %d, %q", code, stderr)
	}
}
