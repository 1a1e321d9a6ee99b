package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const hostileName = `<img src=x onerror=alert(1)>`

// reportBooks records a few transactions for a new user: salary and
// groceries in January and February 2026, a spending in USD, and one with a
// hostile payee and account name.
func reportBooks(t *testing.T, ts *testServer, email string) *apiUser {
	t.Helper()
	user := newAPIUser(t, ts, email)
	user.object(http.MethodPost, "/api/v1/accounts", map[string]any{"name": hostileName, "type": "expense"},
		http.StatusCreated)
	user.object(http.MethodPost, "/api/v1/accounts", map[string]any{"name": "Wallet USD", "type": "asset",
		"currency": "USD"}, http.StatusCreated)
	transactions := []string{
		`{"date":"2026-01-05","description":"January pay","payee":"Employer","tags":["work"],"postings":[
			{"account":"Checking","amount":"3000.00","currency":"EUR"},
			{"account":"Salary","amount":"-3000.00","currency":"EUR"}]}`,
		`{"date":"2026-01-20","description":"Market","payee":"=HYPERLINK(\"http://evil\")","postings":[
			{"account":"Groceries","amount":"120.40","currency":"EUR"},
			{"account":"Checking","amount":"-120.40","currency":"EUR"}]}`,
		`{"date":"2026-02-03","description":"<script>alert(1)</script>","payee":"<b>Shop</b>","postings":[
			{"account":"` + hostileName + `","amount":"12.50","currency":"EUR"},
			{"account":"Checking","amount":"-12.50","currency":"EUR"}]}`,
		`{"date":"2026-02-10","description":"Dollars","postings":[
			{"account":"Wallet USD","amount":"100","currency":"USD","price":{"amount":"0.9","currency":"EUR"}},
			{"account":"Checking","amount":"-90","currency":"EUR"}]}`,
		`{"date":"2026-02-11","description":"Lunch in USD","postings":[
			{"account":"Eating Out","amount":"20","currency":"USD"},
			{"account":"Wallet USD","amount":"-20","currency":"USD"}]}`,
	}
	for _, body := range transactions {
		wantStatus(t, user.call(http.MethodPost, "/api/v1/transactions", body), http.StatusCreated)
	}
	return user
}

func TestReportPagesShowTheBooksEscaped(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")
	pages := []struct {
		path  string
		wants []string
	}{
		{"/reports", []string{"Balance sheet", "/reports/export/journal"}},
		{"/reports/trial-balance?as_of=2026-02-28", []string{"Checking", "2777.10", "3000.00", "80.00"}},
		{"/reports/balance-sheet?as_of=2026-02-28", []string{"Current year earnings", "2777.10", "<svg"}},
		{"/reports/income-statement?period=custom&from=2026-01-01&to=2026-02-28",
			[]string{"Jan 2026", "Feb 2026", "120.40", "Net income", "2867.10"}},
		{"/reports/cash-flow?period=custom&from=2026-01-01&to=2026-02-28", []string{"Money in", "<svg", "3000.00"}},
		{"/reports/by-account?period=custom&from=2026-01-01&to=2026-02-28", []string{"Groceries", "90.6%", "<svg"}},
		{"/reports/by-payee?period=custom&from=2026-01-01&to=2026-02-28", []string{"Employer", "(no payee)"}},
		{"/reports/general-ledger?account=" + ada.accountID("Checking") + "&period=custom&from=2026-01-10&to=2026-02-28",
			[]string{"Opening balance", "3000.00", "2879.60", "2777.10"}},
		{"/reports/balance-sheet?as_of=2026-02-28&convert=1", []string{"Rates used", "0.9", "EUR"}},
	}
	for _, page := range pages {
		got := ada.browser.get(page.path)
		wantStatus(t, got, http.StatusOK)
		wantBodyContains(t, got, page.wants...)
		for _, raw := range []string{hostileName, "<script>alert", "<b>Shop", " style=", " onerror=alert(1)>"} {
			if strings.Contains(got.body, raw) {
				t.Errorf("%s: page contains %q unescaped", page.path, raw)
			}
		}
	}
	hostile := ada.browser.get("/reports/by-payee?period=custom&from=2026-01-01&to=2026-02-28")
	wantBodyContains(t, hostile, "&lt;b&gt;Shop&lt;/b&gt;")

	ada.browser.header.Set("HX-Request", "true")
	fragment := ada.browser.get("/reports/trial-balance?as_of=2026-01-31")
	ada.browser.header.Del("HX-Request")
	wantStatus(t, fragment, http.StatusOK)
	if strings.Contains(fragment.body, "<html") || !strings.Contains(fragment.body, `id="report"`) {
		t.Errorf("htmx request: want the report fragment alone, got:\n%s", fragment.body)
	}
}

func TestReportPagesRejectBadFilters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")
	for _, path := range []string{
		"/reports/trial-balance?as_of=2026-02-30",
		"/reports/income-statement?period=custom&from=2026-03-01&to=2026-02-01",
		"/reports/income-statement?period=custom&from=2000-01-01&to=2026-02-01",
		"/reports/cash-flow?period=fortnight",
	} {
		wantStatus(t, ada.browser.get(path), http.StatusUnprocessableEntity)
	}
}

func readCSV(t *testing.T, got response) [][]string {
	t.Helper()
	wantStatus(t, got, http.StatusOK)
	if !strings.HasPrefix(got.header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("headers %v: want a CSV attachment", got.header)
	}
	records, err := csv.NewReader(strings.NewReader(got.body)).ReadAll()
	if err != nil {
		// Rows of conversion notes have fewer fields.
		reader := csv.NewReader(strings.NewReader(got.body))
		reader.FieldsPerRecord = -1
		if records, err = reader.ReadAll(); err != nil {
			t.Fatalf("not CSV: %v\n%s", err, got.body)
		}
	}
	return records
}

func TestReportCSVDownloadsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")
	period := "?period=custom&from=2026-01-01&to=2026-02-28"

	payees := readCSV(t, ada.browser.get("/reports/by-payee.csv"+period))
	found := false
	for _, record := range payees {
		if strings.Contains(record[1], "HYPERLINK") {
			found = true
			if record[1] != `'=HYPERLINK("http://evil")` || record[3] != "120.40" {
				t.Errorf("payee row %q: want the formula neutralised and the amount a plain number", record)
			}
		}
	}
	if !found {
		t.Fatalf("no row of the hostile payee in %q", payees)
	}

	balance := readCSV(t, ada.browser.get("/reports/trial-balance.csv?as_of=2026-02-28"))
	if strings.Join(balance[0], ",") != "Account,Type,Currency,Debit,Credit" {
		t.Errorf("headings: got %q", balance[0])
	}
	for _, record := range balance {
		if record[0] == "Checking" && record[3] != "2777.10" {
			t.Errorf("checking: got %q, want a debit of 2777.10", record)
		}
	}
	for _, path := range []string{"/reports/balance-sheet.csv?as_of=2026-02-28&convert=1",
		"/reports/income-statement.csv" + period, "/reports/cash-flow.csv" + period, "/reports/by-account.csv" + period,
		"/reports/general-ledger.csv" + period + "&account=" + ada.accountID("Checking")} {
		if records := readCSV(t, ada.browser.get(path)); len(records) < 2 {
			t.Errorf("%s: got %d rows", path, len(records))
		}
	}
}

func TestReportAPIAnswersRowsOfDecimalStrings(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")

	balance := ada.object(http.MethodGet, "/api/v1/reports/trial-balance?as_of=2026-02-28", nil, http.StatusOK)
	rows := balance["rows"].([]any)
	want := map[string]string{"Checking": "2777.10", "Salary": "3000.00", hostileName: "12.50", "Wallet USD": "80.00"}
	for _, row := range rows {
		fields := row.(map[string]any)
		if amount, ok := want[fields["account"].(string)]; ok && fields["amount"] != amount && fields["account"] != "Salary" {
			t.Errorf("%v: want amount %s", fields, amount)
		}
		for _, key := range []string{"account", "account_type", "currency", "amount"} {
			if _, ok := fields[key].(string); !ok {
				t.Errorf("row %v: %s is not a string", fields, key)
			}
		}
	}

	sheet := ada.object(http.MethodGet, "/api/v1/reports/balance-sheet?as_of=2026-02-28&convert=EUR", nil, http.StatusOK)
	totals := map[string]string{}
	for _, total := range sheet["totals"].([]any) {
		fields := total.(map[string]any)
		totals[fields["section"].(string)+" "+fields["currency"].(string)] = fields["amount"].(string)
	}
	// 2777.10 EUR in the bank, 80 USD at 0.90 in the wallet.
	if totals["assets EUR"] != "2849.10" {
		t.Errorf("converted assets: got %v", totals)
	}
	if sheet["conversion"].(map[string]any)["currency"] != "EUR" {
		t.Errorf("conversion: got %v", sheet["conversion"])
	}

	statement := ada.object(http.MethodGet, "/api/v1/reports/income-statement?from=2026-02-01&to=2026-02-28", nil, http.StatusOK)
	previous := statement["previous"].(map[string]any)
	if previous["from"] != "2026-01-01" || previous["to"] != "2026-01-31" {
		t.Errorf("previous period: got %v", previous)
	}
	for _, row := range statement["rows"].([]any) {
		fields := row.(map[string]any)
		if fields["account"] == "Groceries" && (fields["amount"] != "0.00" || fields["previous_amount"] != "120.40") {
			t.Errorf("groceries: got %v", fields)
		}
	}

	for _, path := range []string{"/api/v1/reports/trial-balance", "/api/v1/reports/balance-sheet?as_of=yesterday",
		"/api/v1/reports/income-statement?from=2026-02-01", "/api/v1/reports/trial-balance?as_of=2026-01-01&convert=euro"} {
		wantStatus(t, ada.call(http.MethodGet, path, nil), http.StatusBadRequest)
	}
}

func TestReportsOfOneUserAreNotAnothers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")
	adaChecking := ada.accountID("Checking")

	for _, path := range []string{"/reports/trial-balance?as_of=2026-02-28", "/reports/by-payee?period=last-year",
		"/reports/by-payee?period=custom&from=2026-01-01&to=2026-02-28", "/reports/export/journal",
		"/reports/export/beancount", "/reports/rates"} {
		got := bob.browser.get(path)
		wantStatus(t, got, http.StatusOK)
		for _, secret := range []string{"Employer", "HYPERLINK", "2777.10", "Wallet USD", "onerror"} {
			if strings.Contains(got.body, secret) {
				t.Errorf("bob sees %q of ada's books on %s", secret, path)
			}
		}
	}
	balance := bob.object(http.MethodGet, "/api/v1/reports/trial-balance?as_of=2026-02-28", nil, http.StatusOK)
	if rows := balance["rows"].([]any); len(rows) != 0 {
		t.Errorf("bob's trial balance: got %v", rows)
	}

	ledger := "/reports/general-ledger?period=last-year&account="
	theirs := bob.browser.get(ledger + adaChecking)
	madeUp := bob.browser.get(ledger + "00000000-0000-4000-8000-000000000000")
	wantStatus(t, theirs, http.StatusNotFound)
	wantStatus(t, madeUp, http.StatusNotFound)
	wantStatus(t, bob.browser.get("/reports/general-ledger.csv?period=last-year&account="+adaChecking), http.StatusNotFound)
}

func TestExportsDownloadTheWholeBook(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")
	journal := ada.browser.get("/reports/export/journal")
	wantStatus(t, journal, http.StatusOK)
	if !strings.HasPrefix(journal.header.Get("Content-Disposition"), `attachment; filename="folio-`) ||
		!strings.HasPrefix(journal.header.Get("Content-Type"), "text/plain") {
		t.Errorf("journal headers: %v", journal.header)
	}
	wantBodyContains(t, journal, "2026-02-10 * () Dollars", "Assets:Wallet USD  100.00 USD @ 0.9 EUR",
		"Expenses:"+hostileName+"  12.50 EUR", "work:")
	beancount := ada.browser.get("/reports/export/beancount")
	wantStatus(t, beancount, http.StatusOK)
	wantBodyContains(t, beancount, `option "operating_currency" "EUR"`, "Assets:Wallet-USD  100.00 USD @ 0.9 EUR",
		`"<script>alert(1)</script>"`)
}

func TestRatesAreEnteredUsedAndRemoved(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := reportBooks(t, ts, "ada@example.org")
	bob := newAPIUser(t, ts, "bob@example.org")

	ada.browser.get("/reports/rates")
	rejected := ada.browser.post("/reports/rates", url.Values{"date": {"2026-02-20"}, "commodity": {"USD"},
		"amount": {"-1"}, "currency": {"EUR"}})
	wantStatus(t, rejected, http.StatusUnprocessableEntity)
	wantBodyContains(t, rejected, "more than zero")

	saved := ada.browser.post("/reports/rates", url.Values{"date": {"2026-02-20"}, "commodity": {"usd"},
		"amount": {"0.95"}, "currency": {"EUR"}})
	wantStatus(t, saved, http.StatusSeeOther)
	sheet := ada.object(http.MethodGet, "/api/v1/reports/balance-sheet?as_of=2026-02-28&convert=EUR", nil, http.StatusOK)
	rates := sheet["conversion"].(map[string]any)["rates"].([]any)
	if len(rates) != 1 || rates[0].(map[string]any)["rate"] != "0.95" || rates[0].(map[string]any)["entered"] != true {
		t.Fatalf("rates used: got %v, want the entered 0.95", rates)
	}

	page := ada.browser.get("/reports/rates")
	start := strings.Index(page.body, `action="/reports/rates/`)
	if start < 0 {
		t.Fatalf("no remove button:\n%s", page.body)
	}
	action := page.body[start+len(`action="`):]
	action = action[:strings.IndexByte(action, '"')]

	bob.browser.get("/reports/rates")
	wantStatus(t, bob.browser.post(action, nil), http.StatusNotFound)
	wantStatus(t, ada.browser.post(action, nil), http.StatusSeeOther)
	wantStatus(t, ada.browser.post(action, nil), http.StatusNotFound)
}
