package projections_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/app/export/randombooks"
	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

// appendInBatches appends events in batches of varied sizes, so that
// amendments and voids land both in the batch that recorded their
// transaction and in later ones.
func appendInBatches(t testing.TB, store *eventstore.Store, userID uuid.UUID, events []domain.Event) {
	t.Helper()
	version := int64(0)
	for start, size := 0, 1; start < len(events); start, size = start+size, size%37+1 {
		end := min(start+size, len(events))
		result, err := store.Append(context.Background(), eventstore.AppendRequest{UserID: userID,
			ExpectedVersion: version, CommandID: uuid.New(), Events: events[start:end]})
		if err != nil {
			t.Fatal(err)
		}
		version = result.LastVersion
	}
}

// randomBooksInDatabase writes generated books through the inline projections.
func randomBooksInDatabase(t testing.TB, pool *pgxpool.Pool, options randombooks.Options) (uuid.UUID, *domain.Books) {
	t.Helper()
	generated := randombooks.Generate(options)
	userID := uuid.New()
	appendInBatches(t, eventstore.New(pool, eventstore.WithProjector(projections.Projector{})), userID, generated.Events)
	return userID, generated.Books
}

var reportBooks = randombooks.Options{Seed: 5, Transactions: 600, Start: domain.MustDate("2024-01-01"),
	Days: 900, FiscalYearStartMonth: 4}

func TestReportTablesMatchAFoldInlineAndAfterRebuild(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	userID, _ := randomBooksInDatabase(t, pool, reportBooks)
	if diff, err := projections.Verify(ctx, pool, userID); err != nil || diff != "" {
		t.Fatalf("inline: %q %v", diff, err)
	}
	var zeros int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM dimension_monthly_totals WHERE amount = 0`).Scan(&zeros)
	if err != nil || zeros != 0 {
		t.Fatalf("zero totals left behind: %d %v", zeros, err)
	}
	for table, tamper := range map[string]string{
		"dimension_monthly_totals": `DELETE FROM dimension_monthly_totals WHERE month > '2024-06-01'`,
		"prices":                   `DELETE FROM prices WHERE entered`,
	} {
		if _, err := pool.Exec(ctx, tamper); err != nil {
			t.Fatal(err)
		}
		if diff, _ := projections.Verify(ctx, pool, userID); !strings.Contains(diff, table) {
			t.Fatalf("tampered %s: got %q", table, diff)
		}
		if _, err := projections.RebuildUser(ctx, pool, userID); err != nil {
			t.Fatal(err)
		}
	}
	if diff, err := projections.Verify(ctx, pool, userID); err != nil || diff != "" {
		t.Fatalf("after rebuild: %q %v", diff, err)
	}
}

// postingKey names an account's amounts in one currency.
type postingKey struct {
	accountID uuid.UUID
	currency  string
}

// foldSums sums, straight from the books, the counted postings dated in
// [from, to] (from zero: every date up to to), of transactions with tag
// when tag is not "".
func foldSums(books *domain.Books, from, to domain.Date, tag string) map[postingKey]decimal.Decimal {
	sums := map[postingKey]decimal.Decimal{}
	for _, txn := range books.Transactions() {
		if txn.Voided || txn.Date.After(to) || (!from.IsZero() && txn.Date.Before(from)) {
			continue
		}
		if tag != "" && !slices.Contains(txn.Tags, tag) {
			continue
		}
		for _, posting := range txn.Postings {
			key := postingKey{posting.AccountID, posting.Currency}
			sums[key] = sums[key].Add(posting.Amount)
		}
	}
	for key, amount := range sums {
		if amount.IsZero() {
			delete(sums, key)
		}
	}
	return sums
}

// payeeKey is one line of a breakdown by payee.
type payeeKey struct {
	accountType domain.AccountType
	payee       string
	currency    string
}

// foldPayeeSums sums income and expense postings per payee from the fold,
// of the transactions with tag when it is set.
func foldPayeeSums(books *domain.Books, period projections.Period, tag string) map[payeeKey]decimal.Decimal {
	sums := map[payeeKey]decimal.Decimal{}
	for _, txn := range books.Transactions() {
		if txn.Voided || txn.Date.After(period.To) || txn.Date.Before(period.From) {
			continue
		}
		if tag != "" && !slices.Contains(txn.Tags, tag) {
			continue
		}
		for _, posting := range txn.Postings {
			account, _ := books.Account(posting.AccountID)
			if account.Type != domain.Income && account.Type != domain.Expense {
				continue
			}
			key := payeeKey{account.Type, txn.Payee, posting.Currency}
			sums[key] = sums[key].Add(posting.Amount)
		}
	}
	for key, amount := range sums {
		if amount.IsZero() {
			delete(sums, key)
		}
	}
	return sums
}

func compareSums(t *testing.T, what string, got, want map[postingKey]decimal.Decimal) {
	t.Helper()
	for key, amount := range want {
		if !got[key].Equal(amount) {
			t.Errorf("%s: account %s %s: got %s, want %s", what, key.accountID, key.currency, got[key], amount)
		}
	}
	for key, amount := range got {
		if _, ok := want[key]; !ok && !amount.IsZero() {
			t.Errorf("%s: account %s %s: got %s, want nothing", what, key.accountID, key.currency, amount)
		}
	}
}

func TestReportsAgreeWithAFoldOfTheBooks(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	userID, books := randomBooksInDatabase(t, pool, reportBooks)
	dates := []string{"2023-12-31", "2024-01-01", "2024-02-29", "2024-07-15", "2025-03-31", "2025-04-01", "2026-06-30"}
	periods := []projections.Period{
		{From: domain.MustDate("2024-01-01"), To: domain.MustDate("2024-12-31")},
		{From: domain.MustDate("2024-02-10"), To: domain.MustDate("2024-02-20")},
		{From: domain.MustDate("2024-03-17"), To: domain.MustDate("2025-01-05")},
		{From: domain.MustDate("2025-04-01"), To: domain.MustDate("2025-04-30")},
	}
	for _, tag := range []string{"", "trip", "été"} {
		options := projections.ReportOptions{Tag: tag}
		for _, text := range dates {
			asOf := domain.MustDate(text)
			report, err := projections.BuildTrialBalance(ctx, pool, userID, asOf, options)
			if err != nil {
				t.Fatal(err)
			}
			got := map[postingKey]decimal.Decimal{}
			for _, line := range report.Lines {
				got[postingKey{line.Account.ID, line.Currency}] = line.Amount
			}
			compareSums(t, fmt.Sprintf("trial balance %s tag %q", asOf, tag), got, foldSums(books, domain.Date{}, asOf, tag))
		}
		for _, period := range periods {
			checkPeriodReports(t, pool, userID, books, period, options)
		}
	}
}

// checkPeriodReports compares every period report with sums from the fold.
func checkPeriodReports(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID, books *domain.Books, period projections.Period,
	options projections.ReportOptions) {
	t.Helper()
	ctx := context.Background()
	what := fmt.Sprintf("%s..%s tag %q", period.From, period.To, options.Tag)
	statement, err := projections.BuildIncomeStatement(ctx, pool, userID, period, options)
	if err != nil {
		t.Fatal(err)
	}
	for i, month := range statement.Months {
		want := foldSums(books, month.From, month.To, options.Tag)
		got := map[postingKey]decimal.Decimal{}
		for _, line := range append(statement.Income, statement.Expenses...) {
			got[postingKey{line.Account.ID, line.Currency}] = unpresent(line.Account.Type, line.Months[i])
		}
		compareSums(t, "income statement "+what+" month "+month.From.String(), got, onlyTypes(books, want, domain.Income, domain.Expense))
	}
	previous := map[postingKey]decimal.Decimal{}
	for _, line := range append(statement.Income, statement.Expenses...) {
		previous[postingKey{line.Account.ID, line.Currency}] = unpresent(line.Account.Type, line.Previous)
	}
	compareSums(t, "previous period of "+what, previous,
		onlyTypes(books, foldSums(books, statement.Previous.From, statement.Previous.To, options.Tag), domain.Income, domain.Expense))

	breakdown, err := projections.BuildBreakdown(ctx, pool, userID, period, false, options)
	if err != nil {
		t.Fatal(err)
	}
	got := map[postingKey]decimal.Decimal{}
	for _, line := range append(breakdown.Income, breakdown.Expenses...) {
		got[postingKey{line.Account.ID, line.Currency}] = unpresent(line.Account.Type, line.Amount)
	}
	compareSums(t, "breakdown "+what, got, onlyTypes(books, foldSums(books, period.From, period.To, options.Tag), domain.Income, domain.Expense))

	byPayee, err := projections.BuildBreakdown(ctx, pool, userID, period, true, options)
	if err != nil {
		t.Fatal(err)
	}
	gotPayees := map[payeeKey]decimal.Decimal{}
	for _, line := range append(byPayee.Income, byPayee.Expenses...) {
		key := payeeKey{line.Account.Type, line.Payee, line.Currency}
		gotPayees[key] = gotPayees[key].Add(unpresent(line.Account.Type, line.Amount))
	}
	wantPayees := foldPayeeSums(books, period, options.Tag)
	for key, amount := range wantPayees {
		if !gotPayees[key].Equal(amount) {
			t.Errorf("breakdown by payee %s: %s %q %s: got %s, want %s", what, key.accountType, key.payee, key.currency, gotPayees[key], amount)
		}
	}
	for key, amount := range gotPayees {
		if _, ok := wantPayees[key]; !ok {
			t.Errorf("breakdown by payee %s: unexpected %s %q %s: %s", what, key.accountType, key.payee, key.currency, amount)
		}
	}

	flow, err := projections.BuildCashFlow(ctx, pool, userID, period, options)
	if err != nil {
		t.Fatal(err)
	}
	netWorth := map[postingKey]decimal.Decimal{}
	for _, series := range flow.Series {
		netWorth[postingKey{currency: series.Currency}] = series.Total.NetWorthChange
	}
	wantNetWorth := map[postingKey]decimal.Decimal{}
	for key, amount := range onlyTypes(books, foldSums(books, period.From, period.To, options.Tag), domain.Asset, domain.Liability) {
		wantNetWorth[postingKey{currency: key.currency}] = wantNetWorth[postingKey{currency: key.currency}].Add(amount)
	}
	for key, amount := range wantNetWorth {
		if amount.IsZero() {
			delete(wantNetWorth, key)
		}
	}
	compareSums(t, "cash flow net worth change "+what, netWorth, wantNetWorth)
}

func unpresent(accountType domain.AccountType, amount decimal.Decimal) decimal.Decimal {
	if accountType == domain.Income || accountType == domain.Liability || accountType == domain.Equity {
		return amount.Neg()
	}
	return amount
}

func onlyTypes(books *domain.Books, sums map[postingKey]decimal.Decimal, types ...domain.AccountType) map[postingKey]decimal.Decimal {
	kept := map[postingKey]decimal.Decimal{}
	for key, amount := range sums {
		account, _ := books.Account(key.accountID)
		if slices.Contains(types, account.Type) {
			kept[key] = amount
		}
	}
	return kept
}

func TestBalanceSheetBalancesInEveryCurrency(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	userID, books := randomBooksInDatabase(t, pool, reportBooks)
	asOf := domain.MustDate("2025-06-15")
	for _, options := range []projections.ReportOptions{{}, {ConvertTo: "EUR"}, {ConvertTo: "USD"}} {
		sheet, err := projections.BuildBalanceSheet(ctx, pool, userID, asOf, 4, options)
		if err != nil {
			t.Fatal(err)
		}
		if sheet.FiscalYearStart != domain.MustDate("2025-04-01") {
			t.Fatalf("fiscal year start: got %s, want 2025-04-01", sheet.FiscalYearStart)
		}
		other := sheet.LiabilitiesAndEquity()
		for _, currency := range unionOf(sheet.Assets.Totals, other) {
			if !sheet.Assets.Totals[currency].Equal(other[currency]) {
				t.Errorf("convert %q: %s: assets %s, liabilities and equity %s", options.ConvertTo, currency,
					sheet.Assets.Totals[currency], other[currency])
			}
		}
		if options.ConvertTo != "" {
			continue
		}
		// Current year earnings are income less expenses since the fiscal year began.
		want := map[string]decimal.Decimal{}
		for key, amount := range onlyTypes(books, foldSums(books, sheet.FiscalYearStart, asOf, ""), domain.Income, domain.Expense) {
			want[key.currency] = want[key.currency].Sub(amount)
		}
		for _, line := range sheet.Equity.Lines {
			if line.Account.Name == projections.CurrentYearEarnings && !line.Amount.Equal(want[line.Currency]) {
				t.Errorf("current year earnings %s: got %s, want %s", line.Currency, line.Amount, want[line.Currency])
			}
		}
	}
}

func unionOf(sets ...projections.Amounts) []string {
	union := projections.Amounts{}
	for _, set := range sets {
		for currency := range set {
			union[currency] = decimal.Zero
		}
	}
	return union.Currencies()
}

func TestGeneralLedgerRunsTheBalanceAcrossPages(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	userID, books := randomBooksInDatabase(t, pool, reportBooks)
	checking, _ := books.AccountByName("Checking")
	period := projections.Period{From: domain.MustDate("2024-02-14"), To: domain.MustDate("2026-02-03")}

	var lines []projections.LedgerLine
	var first projections.GeneralLedger
	var after *projections.LedgerCursor
	for page := 0; ; page++ {
		ledger, err := projections.BuildGeneralLedger(ctx, pool, userID, checking.ID, period, 7, after)
		if err != nil {
			t.Fatal(err)
		}
		if page == 0 {
			first = ledger
		}
		lines = append(lines, ledger.Lines...)
		if ledger.Next == nil {
			break
		}
		after = ledger.Next
	}
	opening := foldSums(books, domain.Date{}, period.From.AddDays(-1), "")
	running := map[string]decimal.Decimal{}
	for key, amount := range opening {
		if key.accountID == checking.ID {
			running[key.currency] = amount
		}
	}
	if !first.Opening["EUR"].Equal(running["EUR"]) {
		t.Fatalf("opening: got %s, want %s", first.Opening["EUR"], running["EUR"])
	}
	count := 0
	for _, line := range lines {
		running[line.Currency] = running[line.Currency].Add(line.Amount)
		if !line.Balance.Equal(running[line.Currency]) {
			t.Fatalf("line %d on %s: balance %s, want %s", count, line.Date, line.Balance, running[line.Currency])
		}
		count++
	}
	want := 0
	for _, txn := range books.Transactions() {
		if txn.Voided || txn.Date.Before(period.From) || txn.Date.After(period.To) {
			continue
		}
		for _, posting := range txn.Postings {
			if posting.AccountID == checking.ID {
				want++
			}
		}
	}
	if count != want || count < 20 {
		t.Fatalf("lines: got %d, want %d (and enough for several pages)", count, want)
	}
	if !first.Closing["EUR"].Equal(running["EUR"]) {
		t.Fatalf("closing: got %s, want %s", first.Closing["EUR"], running["EUR"])
	}

	_, err := projections.BuildGeneralLedger(ctx, pool, uuid.New(), checking.ID, period, 7, nil)
	if domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("another user's account: got %v, want not found", err)
	}
}

// queryLog records the SQL a pool runs.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries = append(l.queries, data.SQL)
	return ctx
}

func (l *queryLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	queries := l.queries
	l.queries = nil
	return queries
}

// TestReportsReadOnlyAggregates checks that reports sum whole months from the
// aggregates and read the journal only for the days of a month their
// period cuts (a balance as of the 17th), never for a whole period.
func TestReportsReadOnlyAggregates(t *testing.T) {
	databaseURL := pgtest.NewDatabase(t)
	plain, err := pgxpool.New(context.Background(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plain.Close)
	userID, books := randomBooksInDatabase(t, plain, reportBooks)
	log := &queryLog{}
	config, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	config.ConnConfig.Tracer = log
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ctx := context.Background()
	asOf := domain.MustDate("2025-05-17")
	year := projections.Period{From: domain.MustDate("2024-06-01"), To: domain.MustDate("2025-05-31")}
	checking, _ := books.AccountByName("Checking")
	converted := projections.ReportOptions{ConvertTo: "EUR", Tag: "trip"}

	// journal: "" never reads it; "days" reads the days of the month that
	// asOf cuts; "page" reads one page of one account's postings.
	reports := []struct {
		name       string
		run        func() error
		queriesMax int
		journal    string
	}{
		{"trial balance", func() error {
			_, err := projections.BuildTrialBalance(ctx, pool, userID, asOf, converted)
			return err
		}, 3, "days"},
		{"balance sheet", func() error {
			_, err := projections.BuildBalanceSheet(ctx, pool, userID, asOf, 4, converted)
			return err
		}, 4, "days"},
		{"income statement", func() error {
			_, err := projections.BuildIncomeStatement(ctx, pool, userID, year, converted)
			return err
		}, 4, ""},
		{"cash flow", func() error {
			_, err := projections.BuildCashFlow(ctx, pool, userID, year, converted)
			return err
		}, 3, ""},
		{"net worth", func() error {
			_, err := projections.BuildNetWorth(ctx, pool, userID, asOf, 12, converted)
			return err
		}, 3, "days"},
		{"by account", func() error {
			_, err := projections.BuildBreakdown(ctx, pool, userID, year, false, converted)
			return err
		}, 3, ""},
		{"by payee", func() error {
			_, err := projections.BuildBreakdown(ctx, pool, userID, year, true, converted)
			return err
		}, 3, ""},
		{"general ledger, later page", func() error {
			_, err := projections.BuildGeneralLedger(ctx, pool, userID, checking.ID, year, 5,
				&projections.LedgerCursor{Date: domain.MustDate("2024-09-10"), RecordedVersion: 1 << 40, Line: 9})
			return err
		}, 6, "page"},
	}
	for _, report := range reports {
		log.take()
		if err := report.run(); err != nil {
			t.Fatalf("%s: %v", report.name, err)
		}
		queries := log.take()
		t.Logf("%s: %d queries", report.name, len(queries))
		if len(queries) == 0 || len(queries) > report.queriesMax {
			t.Errorf("%s: %d queries, want 1 to %d", report.name, len(queries), report.queriesMax)
		}
		for _, query := range queries {
			if !strings.Contains(query, "journal") {
				continue
			}
			switch report.journal {
			case "":
				t.Errorf("%s reads the journal:\n%s", report.name, query)
			case "days":
				if !strings.Contains(query, "p.date BETWEEN") {
					t.Errorf("%s reads the journal beyond the days its period cuts:\n%s", report.name, query)
				}
			case "page":
				// One page of one account's postings, and one day of them
				// for the balance before a later page.
				if !strings.Contains(query, "LIMIT") && !strings.Contains(query, "date = $3") && !strings.Contains(query, "p.date BETWEEN") {
					t.Errorf("%s reads the journal without bounds:\n%s", report.name, query)
				}
			}
		}
	}
}
