package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var importLink = regexp.MustCompile(`/imports/([0-9a-f-]{36})`)

func TestImportPages(t *testing.T) {
	ts := newTestServer(t)
	cl := ts.client()
	cl.register("ann@example.com")
	page := cl.get("/imports")
	wantStatus(t, page, http.StatusOK)
	wantBodyContains(t, page, `name="file"`, "Checking", "No imports yet.")

	csrf := statementPart{name: "_csrf", value: cl.csrf}
	german := "Buchungstag;Verwendungszweck;Betrag\n02.02.2026;REWE Markt;-23,45\n03.02.2026;Gehalt;2.500,00\n"
	got := cl.upload("/imports/preview", nil, csrf, statementPart{name: "account", value: "Checking"},
		statementPart{name: "file", fileName: "bank.csv", value: german})
	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, "2 new lines will be imported", "How to read this CSV", `value=";" selected`,
		`<option value="DD.MM.YYYY" selected>`, "REWE Markt", "-23.45 EUR", "Uncategorized")

	// The mapping screen's fields, sent before the file, override the guess.
	fields := []statementPart{csrf, {name: "account", value: "Checking"}, {name: "mapping_delimiter", value: ";"},
		{name: "mapping_encoding", value: "utf-8"}, {name: "mapping_skip_rows", value: "0"},
		{name: "mapping_header", value: "true"}, {name: "mapping_date_format", value: "DD.MM.YYYY"},
		{name: "mapping_decimal", value: ","}, {name: "mapping_date", value: "Buchungstag"},
		{name: "mapping_amount_mode", value: "amount"}, {name: "mapping_amount", value: "Betrag"},
		{name: "mapping_description", value: "Verwendungszweck"}, {name: "mapping_payee", value: "Verwendungszweck"}}
	got = cl.upload("/imports/preview", map[string]string{"HX-Request": "true"},
		append(fields, statementPart{name: "file", fileName: "bank.csv", value: german})...)
	wantStatus(t, got, http.StatusOK)
	wantBodyContains(t, got, `id="import-preview"`, `hx-swap-oob="true"`, "<td>REWE Markt</td>")

	got = cl.upload("/imports", nil, append(fields, statementPart{name: "file", fileName: "bank.csv", value: german})...)
	wantStatus(t, got, http.StatusSeeOther)
	match := importLink.FindStringSubmatch(got.location())
	if match == nil {
		t.Fatalf("redirect: got %q", got.location())
	}
	detail := cl.get(got.location())
	wantStatus(t, detail, http.StatusOK)
	wantBodyContains(t, detail, "bank.csv", "Imported by</dt><dd>you", "Undo this import", "REWE Markt")
	list := cl.get("/imports")
	wantBodyContains(t, list, "/imports/"+match[1], "bank.csv")

	bad := cl.upload("/imports/preview", nil, csrf, statementPart{name: "account", value: "Checking"},
		statementPart{name: "file", fileName: "bad.csv", value: "Date,Text,Amount\n2026-01-01,a,1\n2026-01-02,b,x\n" +
			"2026-01-03,c,2\n2026-01-04,d,3\n2026-01-05,e,4\n"})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantBodyContains(t, bad, "line 3, column 3", "How to read this CSV")

	bob := ts.client()
	bob.register("bob@example.com")
	wantStatus(t, bob.get(got.location()), http.StatusNotFound)
	bob.get("/imports")
	wantStatus(t, bob.post(got.location()+"/undo", url.Values{}), http.StatusNotFound)

	cl.get(got.location())
	undone := cl.post(got.location()+"/undo", url.Values{})
	wantStatus(t, undone, http.StatusSeeOther)
	wantBodyContains(t, cl.get(got.location()), "undone on")
	if n := ts.count(`SELECT count(*) FROM journal WHERE NOT voided`); n != 0 {
		t.Fatalf("%d transactions left after undo", n)
	}
}

func TestImportUploadNeedsCSRF(t *testing.T) {
	ts := newTestServer(t)
	cl := ts.client()
	cl.register("ann@example.com")
	cl.get("/imports")
	got := cl.upload("/imports", nil, statementPart{name: "account", value: "Checking"},
		statementPart{name: "file", fileName: "a.csv", value: checkingCSV})
	wantStatus(t, got, http.StatusForbidden)
	if n := ts.count(`SELECT count(*) FROM imports`); n != 0 {
		t.Fatal("an upload without a CSRF token was imported")
	}
}

func TestRulesPage(t *testing.T) {
	ts := newTestServer(t)
	cl, auth := importUser(t, ts, "ann@example.com")
	importFile(t, cl, auth, "Checking", "feb.csv", checkingCSV, false)
	var groceries, rent string
	for name, id := range map[string]*string{"Groceries": &groceries, "Rent": &rent} {
		err := ts.pool.QueryRow(context.Background(), `SELECT account_id::text FROM accounts WHERE user_id = $1 AND name = $2`,
			ts.userID("ann@example.com"), name).Scan(id)
		if err != nil {
			t.Fatal(err)
		}
	}
	cl.get("/rules")
	wantStatus(t, cl.post("/rules", url.Values{"field": {"any"}, "match": {"contains"}, "pattern": {"coffee"},
		"account": {groceries}}), http.StatusSeeOther)
	wantStatus(t, cl.post("/rules", url.Values{"field": {"payee"}, "match": {"regex"}, "pattern": {"(rent"},
		"account": {rent}}), http.StatusUnprocessableEntity)

	test := cl.post("/rules/test", url.Values{"field": {"description"}, "match": {"regex"}, "pattern": {`^coffee$`}})
	wantStatus(t, test, http.StatusOK)
	wantBodyContains(t, test, "2 of the last 4 transactions match")

	page := cl.get("/rules")
	id := regexp.MustCompile(`action="/rules/([0-9a-f-]{36})"`).FindStringSubmatch(page.body)
	if id == nil {
		t.Fatalf("no rule listed:\n%s", page.body)
	}
	wantStatus(t, cl.post("/rules/"+id[1], url.Values{"field": {"any"}, "match": {"contains"}, "pattern": {"salary"},
		"account": {rent}}), http.StatusSeeOther)
	wantBodyContains(t, cl.get("/rules"), `value="salary"`)

	bob := ts.client()
	bob.register("bob@example.com")
	bob.get("/rules")
	wantStatus(t, bob.post("/rules/"+id[1]+"/delete", url.Values{}), http.StatusNotFound)
	wantStatus(t, bob.post("/rules/"+id[1], url.Values{"field": {"any"}, "match": {"contains"}, "pattern": {"x"},
		"account": {rent}}), http.StatusUnprocessableEntity)

	wantStatus(t, cl.post("/rules/"+id[1]+"/delete", url.Values{}), http.StatusSeeOther)
	if strings.Contains(cl.get("/rules").body, "salary") {
		t.Fatal("the rule was not deleted")
	}
}
