package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var olderLink = regexp.MustCompile(`href="(/transactions\?[^"]*cursor=[^"]*)"[^>]*rel="next"`)

func TestTransactionsListFiltersAndPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, cash := ada.account("Checking"), ada.account("Cash")
	groceries, rent := ada.account("Groceries"), ada.account("Rent")
	ada.record(entryForm("2026-01-05", "Rent January", posting{rent, "800"},
		posting{checking, "-800"}))
	for day := 1; day <= 55; day++ {
		date := fmt.Sprintf("2026-02-%02d", (day-1)%28+1)
		form := entryForm(date, fmt.Sprintf("Market %02d", day), posting{groceries, "1"},
			posting{cash, "-1"})
		form.Set("payee", "Corner shop")
		ada.record(form)
	}

	first := ada.get("/transactions")
	wantStatus(t, first, http.StatusOK)
	if n := strings.Count(first.body, `class="journal-entry`); n != 50 {
		t.Errorf("first page: got %d transactions, want 50", n)
	}
	match := olderLink.FindStringSubmatch(first.body)
	if match == nil {
		t.Fatalf("no link to older transactions:\n%s", first.body)
	}
	older := ada.htmx("journal").get(strings.ReplaceAll(match[1], "&amp;", "&"))
	wantStatus(t, older, http.StatusOK)
	wantFragment(t, older, "Rent January", ">Newest</a>")
	if n := strings.Count(older.body, `class="journal-entry`); n != 6 {
		t.Errorf("second page: got %d transactions, want 6", n)
	}
	if olderLink.MatchString(older.body) {
		t.Error("the last page links to an older one")
	}

	tests := []struct {
		name  string
		query string
		want  int
		shows string
	}{
		{"text in the description", "q=rent", 1, "Rent January"},
		{"text in the payee", "q=corner", 50, "Market 55"},
		{"account", "account=" + checking, 1, "Rent January"},
		{"date range", "from=2026-02-01&to=2026-02-02", 4, "Market 29"},
		{"nothing", "q=nothing-like-this", 0, "match these filters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := ada.get("/transactions?" + tt.query)
			wantStatus(t, page, http.StatusOK)
			wantPage(t, page, tt.shows)
			fragment := ada.htmx("journal").get("/transactions?" + tt.query)
			wantFragment(t, fragment, `<div id="journal"`, tt.shows)
			if n := strings.Count(fragment.body, `class="journal-entry`); n != tt.want {
				t.Errorf("got %d transactions, want %d", n, tt.want)
			}
		})
	}

	bad := ada.get("/transactions?from=2026-13-01")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantPage(t, bad, "is not a date", `value="2026-13-01"`)
	restore := ada.htmx("journal")
	restore.header.Set("HX-History-Restore-Request", "true")
	wantPage(t, restore.get("/transactions?q=rent"), "Rent January", `id="filter-q"`)
}

func TestTransactionPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	form := entryForm("2026-01-31", "Market", posting{ada.account("Groceries"), "12.50"},
		posting{ada.account("Checking"), "-12.50"})
	form.Set("payee", "Corner shop")
	form.Set("tags", "food, weekly")
	id := ada.record(form)

	tests := []struct {
		name     string
		path     string
		page     []string
		fragment []string
	}{
		{"detail", "/transactions/" + id, []string{"<h1>Market</h1>", "Corner shop", "#food"},
			[]string{`<tbody id="txn-` + id + `"`, "Market"}},
		{"edit", "/transactions/" + id + "/edit",
			[]string{"Amend transaction", `value="food, weekly"`},
			[]string{`<tbody id="txn-` + id + `"`, `value="Corner shop"`, `value="12.50"`,
				"Save changes"}},
		{"void", "/transactions/" + id + "/void",
			[]string{"Void this transaction?", `name="reason"`}, []string{`id="void-form"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := ada.get(tt.path)
			wantStatus(t, page, http.StatusOK)
			wantPage(t, page, tt.page...)
			fragment := ada.htmx("txn-" + id).get(tt.path)
			wantStatus(t, fragment, http.StatusOK)
			wantFragment(t, fragment, tt.fragment...)
		})
	}
}

func TestAmendTransaction(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, groceries := ada.account("Checking"), ada.account("Groceries")
	eatingOut := ada.account("Eating Out")
	today := ts.clock.Now().Format("2006-01-02")
	id := ada.record(entryForm(today, "Market", posting{groceries, "12.50"},
		posting{checking, "-12.50"}))

	hx := ada.htmx("txn-" + id)
	amended := hx.post("/transactions/"+id, entryForm(today, "Dinner",
		posting{eatingOut, "40"}, posting{checking, "-40"}, posting{}))
	wantStatus(t, amended, http.StatusOK)
	wantFragment(t, amended, `<tbody id="txn-`+id+`"`, "Dinner", "Eating Out", "-40.00")
	if trigger := amended.header.Get("HX-Trigger"); !strings.Contains(trigger, "balances-changed") {
		t.Errorf("HX-Trigger: got %q, want balances-changed", trigger)
	}

	wantBodyContains(t, ada.get("/transactions"), "Dinner", "-40.00")
	wantBodyContains(t, ada.htmx("balances").get("/transactions"), "-40.00")
	accounts := ada.get("/accounts")
	wantBodyContains(t, accounts, "-40.00")
	dashboard := ada.htmx("dashboard-summary").get("/")
	wantFragment(t, dashboard, "Dinner", "-40.00")
	for _, page := range []response{accounts, dashboard} {
		if strings.Contains(page.body, "12.50") || strings.Contains(page.body, ">Market<") {
			t.Errorf("the amended content still shows:\n%s", page.body)
		}
	}

	plain := ada.post("/transactions/"+id, entryForm("2026-03-01", "Dinner out",
		posting{eatingOut, "41"}, posting{checking, "-41"}))
	wantStatus(t, plain, http.StatusSeeOther)
	if plain.location() != "/transactions/"+id {
		t.Errorf("location: got %q, want the transaction", plain.location())
	}
	wantBodyContains(t, ada.get(plain.location()), "Dinner out", "2026-03-01", "Revision")

	before := ada.books()
	rejected := ada.post("/transactions/"+id, entryForm("2026-03-01", "Lopsided",
		posting{eatingOut, "41"}, posting{checking, "-40"}))
	wantStatus(t, rejected, http.StatusUnprocessableEntity)
	wantPage(t, rejected, "do not balance", `value="Lopsided"`, `value="-40"`)
	rejected = hx.post("/transactions/"+id, entryForm("2026-03-01", "Lopsided",
		posting{eatingOut, "41"}, posting{checking, "-40"}))
	wantStatus(t, rejected, http.StatusUnprocessableEntity)
	wantFragment(t, rejected, `<tbody id="txn-`+id+`"`, "do not balance", `value="Lopsided"`)
	if after := ada.books(); after != before {
		t.Errorf("books changed:\n%s\n%s", before, after)
	}
}

func TestVoidTransaction(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, groceries := ada.account("Checking"), ada.account("Groceries")
	today := ts.clock.Now().Format("2006-01-02")
	kept := ada.record(entryForm(today, "Bakery", posting{groceries, "3"},
		posting{checking, "-3"}))
	voided := ada.record(entryForm(today, "Market", posting{groceries, "12.50"},
		posting{checking, "-12.50"}))

	hx := ada.htmx("txn-" + voided)
	got := hx.post("/transactions/"+voided+"/void", nil)
	wantStatus(t, got, http.StatusOK)
	wantFragment(t, got, `<tbody id="txn-`+voided+`" class="journal-entry voided">`,
		`<span class="badge">voided</span>`)
	if trigger := got.header.Get("HX-Trigger"); !strings.Contains(trigger, "balances-changed") {
		t.Errorf("HX-Trigger: got %q, want balances-changed", trigger)
	}

	list := ada.get("/transactions")
	wantBodyContains(t, list, "Bakery")
	dashboard := ada.get("/")
	wantBodyContains(t, dashboard, "Bakery", "-3.00")
	accounts := ada.get("/accounts")
	wantBodyContains(t, accounts, "-3.00")
	for _, page := range []response{list, dashboard, accounts} {
		if strings.Contains(page.body, "Market") || strings.Contains(page.body, "15.50") {
			t.Errorf("the voided transaction still counts:\n%s", page.body)
		}
	}

	again := hx.post("/transactions/"+voided+"/void", nil)
	wantStatus(t, again, http.StatusUnprocessableEntity)
	wantFragment(t, again, "was voided", `role="alert"`)

	before := ada.books()
	rejected := ada.post("/transactions/"+kept+"/void",
		url.Values{"reason": {"two\nlines"}})
	wantStatus(t, rejected, http.StatusUnprocessableEntity)
	wantPage(t, rejected, "remove line breaks", `value="two`)
	if after := ada.books(); after != before {
		t.Errorf("books changed:\n%s\n%s", before, after)
	}

	plain := ada.post("/transactions/"+kept+"/void", url.Values{"reason": {"duplicate"}})
	wantStatus(t, plain, http.StatusSeeOther)
	if plain.location() != "/transactions" {
		t.Errorf("location: got %q, want /transactions", plain.location())
	}
	wantBodyContains(t, ada.get("/transactions/"+kept), "voided")
	wantBodyContains(t, ada.get("/transactions/"+kept+"/void"), "already voided")
}
