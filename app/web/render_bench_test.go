package web

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/projections"
	"folio/static"
	"folio/templates"
)

// The render benchmarks time the two busiest htmx fragments, the journal (one page of the
// transaction list) and the dashboard's summary, from the views their handlers build to the
// escaped HTML, without a database or HTTP. Rendered repeatedly, the same entries come from
// the rendered-entry cache after the first round; the Uncached benchmark renders new ones.

func BenchmarkRenderJournalFragment(b *testing.B) {
	benchmarkRender(b, "transactions", "journal", benchmarkTransactionsView())
}

// BenchmarkRenderJournalFragmentUncached renders a page of entries never
// rendered before: the cost of a first visit, without the rendered-entry
// cache's help.
func BenchmarkRenderJournalFragmentUncached(b *testing.B) {
	s := templateServer(b)
	set := s.pages["transactions"]
	var buffer bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := benchmarkTransactionsView()
		buffer.Reset()
		b.StartTimer()
		err := set.ExecuteTemplate(&buffer, "journal", view{Path: "/", Data: data})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buffer.Len()), "bytes/page")
}

func BenchmarkRenderDashboardFragment(b *testing.B) {
	benchmarkRender(b, "dashboard", "dashboard_summary", benchmarkDashboardView())
}

// templateServer is a Server with only its assets and templates, enough to
// render pages without a database.
func templateServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{}
	var err error
	s.assets, err = loadAssets(static.FS)
	if err != nil {
		tb.Fatal(err)
	}
	s.pages, err = parsePages(templates.FS, s.templateFuncs())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func benchmarkRender(b *testing.B, page, fragment string, data any) {
	b.Helper()
	set := templateServer(b).pages[page]
	var buffer bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buffer.Reset()
		err := set.ExecuteTemplate(&buffer, fragment, view{Path: "/", Data: data})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buffer.Len()), "bytes/page")
}

// benchmarkAccounts is the starter chart with a balance on each balance-sheet account.
func benchmarkAccounts() []projections.AccountBalance {
	var accounts []projections.AccountBalance
	for i, opened := range domain.StarterChart("EUR") {
		account := projections.AccountBalance{AccountRow: projections.AccountRow{
			AccountID: uuid.New(), Name: opened.Name, Type: opened.Type, Currency: opened.Currency},
			Balances: map[string]decimal.Decimal{}}
		if opened.Type == domain.Asset || opened.Type == domain.Liability {
			account.Balances["EUR"] = decimal.New(int64(1234567-i*1000000), -2)
		}
		accounts = append(accounts, account)
	}
	return accounts
}

// benchmarkEntries is count purchases like the load test's: two postings each.
func benchmarkEntries(accounts []projections.AccountBalance, count int) []projections.JournalEntry {
	entries := make([]projections.JournalEntry, count)
	for i := range entries {
		amount := decimal.New(int64(i%9000+100), -2)
		id := uuid.New()
		entries[i] = projections.JournalEntry{
			JournalRow: projections.JournalRow{TransactionID: id,
				Date:        domain.MustDate("2024-01-01").AddDays(i),
				Description: fmt.Sprintf("Purchase %d", i), Payee: fmt.Sprintf("Shop %d", i%300)},
			Postings: []projections.JournalPosting{
				{PostingRow: projections.PostingRow{TransactionID: id, AccountID: accounts[8].AccountID,
					Amount: amount, Currency: "EUR"}, AccountName: accounts[8].Name},
				{PostingRow: projections.PostingRow{TransactionID: id, Line: 1,
					AccountID: accounts[0].AccountID, Amount: amount.Neg(), Currency: "EUR"},
					AccountName: accounts[0].Name},
			},
		}
	}
	return entries
}

func benchmarkTransactionsView() transactionsView {
	accounts := benchmarkAccounts()
	filter := journalFilterForm{Errors: map[string]string{}}
	return transactionsView{Filter: filter, ListURL: filter.url(""),
		Entries:  transactionViews(benchmarkEntries(accounts, journalPageSize)),
		OlderURL: filter.url("2024-01-01.123")}
}

func benchmarkDashboardView() dashboardView {
	accounts := benchmarkAccounts()
	totals := projections.TypeTotals{
		domain.Income:  {"EUR": decimal.New(-250000, -2)},
		domain.Expense: {"EUR": decimal.New(123456, -2)},
	}
	return dashboardView{Sheet: newBalanceSheet(accounts), MonthLabel: "December 2026",
		Month: monthSummaries(totals), Recent: transactionViews(benchmarkEntries(accounts,
			recentTransactionsMax))}
}
