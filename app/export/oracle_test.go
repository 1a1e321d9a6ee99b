package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/app/export"
	"folio/app/export/randombooks"
	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// requireTool returns the path of a command-line tool. In CI a missing tool
// fails the test, as .ci/run installs it; elsewhere the test is skipped.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; .ci/run installs it with apt-get", name)
	}
	t.Skipf("%s is not installed (apt-get install hledger beancount)", name)
	return ""
}

// oracleBooks are written through the inline projections, so that the
// reports read the same tables as in production.
type oracleBooks struct {
	pool    *pgxpool.Pool
	userID  uuid.UUID
	books   *domain.Books
	names   map[uuid.UUID]string
	journal string
}

func newOracleBooks(t *testing.T) *oracleBooks {
	t.Helper()
	ctx := context.Background()
	o := &oracleBooks{pool: pgtest.NewPool(t), userID: uuid.New()}
	generated := randombooks.Generate(randombooks.Options{Seed: 2026, Transactions: 1200,
		Start: domain.MustDate("2023-01-01"), Days: 3 * 365, FiscalYearStartMonth: 4})
	store := eventstore.New(o.pool, eventstore.WithProjector(projections.Projector{}))
	version := int64(0)
	for start, size := 0, 1; start < len(generated.Events); start, size = start+size, size%41+1 {
		end := min(start+size, len(generated.Events))
		result, err := store.Append(ctx, eventstore.AppendRequest{UserID: o.userID, ExpectedVersion: version,
			CommandID: uuid.New(), Events: generated.Events[start:end]})
		if err != nil {
			t.Fatal(err)
		}
		version = result.LastVersion
	}
	var err error
	if o.books, err = projections.Fold(ctx, o.pool, o.userID, 0); err != nil {
		t.Fatal(err)
	}
	o.names = export.JournalAccountNames(o.books)
	var journal bytes.Buffer
	if err := export.WriteJournal(&journal, o.books); err != nil {
		t.Fatal(err)
	}
	o.journal = filepath.Join(t.TempDir(), "books.journal")
	if err := os.WriteFile(o.journal, journal.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return o
}

// hledgerBalances runs hledger balance and returns "account commodity" to amount.
func (o *oracleBooks) hledgerBalances(t *testing.T, args ...string) map[string]decimal.Decimal {
	t.Helper()
	args = append([]string{"-f", o.journal, "balance", "--flat", "--layout=bare", "-O", "csv", "--no-total"}, args...)
	output, err := exec.Command("hledger", args...).Output()
	if err != nil {
		t.Fatalf("hledger %s: %v", strings.Join(args, " "), err)
	}
	records, err := csv.NewReader(bytes.NewReader(output)).ReadAll()
	if err != nil {
		t.Fatalf("hledger output: %v\n%s", err, output)
	}
	balances := map[string]decimal.Decimal{}
	for _, record := range records[1:] {
		amount, err := decimal.NewFromString(record[2])
		if err != nil {
			t.Fatalf("hledger amount %q: %v", record[2], err)
		}
		if !amount.IsZero() {
			balances[record[0]+" "+record[1]] = amount
		}
	}
	return balances
}

func (o *oracleBooks) compare(t *testing.T, what string, got, want map[string]decimal.Decimal) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: hledger found nothing; the comparison would prove nothing", what)
	}
	for key, amount := range want {
		if !got[key].Equal(amount) {
			t.Errorf("%s: %s: ours %s, hledger %s", what, key, got[key], amount)
		}
	}
	for key, amount := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("%s: %s: ours %s, hledger nothing", what, key, amount)
		}
	}
}

// key names an amount the way hledger's CSV does.
func (o *oracleBooks) key(account projections.ReportAccount, currency string) string {
	return o.names[account.ID] + " " + currency
}

func TestOracleHledgerAgreesWithEveryReport(t *testing.T) {
	requireTool(t, "hledger")
	o := newOracleBooks(t)
	ctx := context.Background()

	for _, text := range []string{"2023-01-31", "2023-06-17", "2024-02-29", "2024-12-31", "2025-03-31", "2025-11-05", "2026-01-01"} {
		asOf := domain.MustDate(text)
		for _, tag := range []string{"", "trip", "été"} {
			report, err := projections.BuildTrialBalance(ctx, o.pool, o.userID, asOf, projections.ReportOptions{Tag: tag})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]decimal.Decimal{}
			for _, line := range report.Lines {
				got[o.key(line.Account, line.Currency)] = line.Amount
			}
			args := []string{"-e", asOf.AddDays(1).String()}
			if tag != "" {
				args = append(args, "tag:"+tag)
			}
			o.compare(t, fmt.Sprintf("trial balance %s tag %q", asOf, tag), got, o.hledgerBalances(t, args...))
		}
		o.checkEarnings(t, asOf)
	}

	periods := []projections.Period{
		{From: domain.MustDate("2023-04-01"), To: domain.MustDate("2024-03-31")},
		{From: domain.MustDate("2024-07-01"), To: domain.MustDate("2024-09-30")},
		{From: domain.MustDate("2025-02-01"), To: domain.MustDate("2025-02-28")},
		{From: domain.MustDate("2024-05-13"), To: domain.MustDate("2025-01-09")},
	}
	for _, period := range periods {
		o.checkIncomeStatement(t, period)
		o.checkPayees(t, period)
	}
}

// checkIncomeStatement compares the totals of a period and of the previous
// period, and for whole months every month column, with hledger.
func (o *oracleBooks) checkIncomeStatement(t *testing.T, period projections.Period) {
	t.Helper()
	report, err := projections.BuildIncomeStatement(context.Background(), o.pool, o.userID, period, projections.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total, previous := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	months := make([]map[string]decimal.Decimal, len(report.Months))
	for i := range months {
		months[i] = map[string]decimal.Decimal{}
	}
	for _, line := range append(report.Income, report.Expenses...) {
		sign := decimal.NewFromInt(1)
		if line.Account.Type == domain.Income {
			sign = sign.Neg() // back to the books' sign, as hledger shows it
		}
		key := o.key(line.Account, line.Currency)
		if !line.Total.IsZero() {
			total[key] = line.Total.Mul(sign)
		}
		if !line.Previous.IsZero() {
			previous[key] = line.Previous.Mul(sign)
		}
		for i, amount := range line.Months {
			if !amount.IsZero() {
				months[i][key] = amount.Mul(sign)
			}
		}
	}
	query := "^(Income|Expenses)(:|$)"
	what := fmt.Sprintf("income statement %s..%s", period.From, period.To)
	o.compare(t, what, total, o.hledgerBalances(t, "-b", period.From.String(), "-e", period.To.AddDays(1).String(), query))
	o.compare(t, what+" previous period", previous, o.hledgerBalances(t, "-b", report.Previous.From.String(),
		"-e", report.Previous.To.AddDays(1).String(), query))
	for i, month := range report.Months {
		o.compare(t, what+" month "+month.From.String(), months[i],
			o.hledgerBalances(t, "-b", month.From.String(), "-e", month.To.AddDays(1).String(), query))
	}
}

// checkEarnings compares the balance sheet's current year earnings with
// hledger's income and expenses since the fiscal year began.
func (o *oracleBooks) checkEarnings(t *testing.T, asOf domain.Date) {
	t.Helper()
	sheet, err := projections.BuildBalanceSheet(context.Background(), o.pool, o.userID, asOf, 4, projections.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]decimal.Decimal{}
	for _, line := range sheet.Equity.Lines {
		if line.Account.Name == projections.CurrentYearEarnings && line.Account.ID == uuid.Nil {
			got[line.Currency] = line.Amount
		}
	}
	want := map[string]decimal.Decimal{}
	for key, amount := range o.hledgerBalances(t, "-b", sheet.FiscalYearStart.String(), "-e", asOf.AddDays(1).String(),
		"^(Income|Expenses)(:|$)") {
		currency := key[strings.LastIndexByte(key, ' ')+1:]
		want[currency] = want[currency].Sub(amount)
	}
	for currency, amount := range want {
		if !got[currency].Equal(amount) {
			t.Errorf("current year earnings on %s in %s: ours %s, hledger %s", asOf, currency, got[currency], amount)
		}
	}
}

// checkPayees compares the breakdown by payee with hledger's payee query for
// payees whose names survive the journal format unchanged.
func (o *oracleBooks) checkPayees(t *testing.T, period projections.Period) {
	t.Helper()
	report, err := projections.BuildBreakdown(context.Background(), o.pool, o.userID, period, true, projections.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, payee := range []string{"Market", "Café du Nord"} {
		got := map[string]decimal.Decimal{}
		for _, line := range append(report.Income, report.Expenses...) {
			if line.Payee != payee {
				continue
			}
			root := "Expenses"
			amount := line.Amount
			if line.Account.Type == domain.Income {
				root, amount = "Income", amount.Neg()
			}
			got[root+" "+line.Currency] = amount
		}
		want := map[string]decimal.Decimal{}
		for key, amount := range o.hledgerBalances(t, "-b", period.From.String(), "-e", period.To.AddDays(1).String(),
			"--depth", "1", "payee:^"+payee+"$", "^(Income|Expenses)(:|$)") {
			want[key] = amount
		}
		o.compare(t, fmt.Sprintf("payee %s %s..%s", payee, period.From, period.To), got, want)
	}
}

func TestOracleHledgerAgreesWithTheGeneralLedger(t *testing.T) {
	requireTool(t, "hledger")
	o := newOracleBooks(t)
	checking, _ := o.books.AccountByName("Checking")
	period := projections.Period{From: domain.MustDate("2024-03-10"), To: domain.MustDate("2025-08-20")}
	var balances []string
	var after *projections.LedgerCursor
	for {
		ledger, err := projections.BuildGeneralLedger(context.Background(), o.pool, o.userID, checking.ID, period, 50, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range ledger.Lines {
			balances = append(balances, line.Balance.String())
		}
		if after = ledger.Next; after == nil {
			break
		}
	}
	output, err := exec.Command("hledger", "-f", o.journal, "register", "-H", "-O", "csv", "-b", period.From.String(),
		"-e", period.To.AddDays(1).String(), "acct:^"+o.names[checking.ID]+"$").Output()
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(output)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, record := range records[1:] {
		total := strings.TrimSuffix(record[len(record)-1], " EUR")
		want = append(want, decimal.RequireFromString(total).String())
	}
	if len(want) < 50 || strings.Join(balances, " ") != strings.Join(want, " ") {
		t.Fatalf("running balances:\nours    %v\nhledger %v", balances, want)
	}
}

func TestOracleBeancountChecksTheExport(t *testing.T) {
	beanCheck := requireTool(t, "bean-check")
	o := newOracleBooks(t)
	var file bytes.Buffer
	if err := export.WriteBeancount(&file, o.books); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "books.beancount")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	output, err := exec.Command(beanCheck, path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(output)) > 0 {
		t.Fatalf("bean-check: %v\n%s", err, output)
	}
}

func TestJournalReadsInLedger(t *testing.T) {
	ledger, err := exec.LookPath("ledger")
	if err != nil {
		t.Skip("ledger is not installed; hledger checks the journal in the other tests")
	}
	o := newOracleBooks(t)
	output, err := exec.Command(ledger, "-f", o.journal, "balance", "--flat", "-e", "2025-06-01").CombinedOutput()
	if err != nil || !strings.Contains(string(output), "Assets:Checking") {
		t.Fatalf("ledger: %v\n%s", err, output)
	}
}
