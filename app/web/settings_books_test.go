package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestBooksSettings(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, groceries := ada.account("Checking"), ada.account("Groceries")

	settings := ada.get("/settings")
	wantPage(t, settings, `hx-get="/settings/books"`, `href="/settings/books"`)
	page := ada.get("/settings/books")
	wantStatus(t, page, http.StatusOK)
	wantPage(t, page, `value="EUR"`, `<option value="1" selected>January</option>`)
	wantFragment(t, ada.htmx("books-settings").get("/settings/books"),
		`<section id="books-settings"`)

	saved := ada.post("/settings/books", url.Values{"base_currency": {"eur"},
		"fiscal_year_start_month": {"4"}, "lock_date": {"2025-12-31"}})
	wantStatus(t, saved, http.StatusSeeOther)
	wantBodyContains(t, ada.get(saved.location()), "were saved",
		`<option value="4" selected>April</option>`, `value="2025-12-31"`)

	locked := ada.post("/transactions", entryForm("2025-12-31", "Late", posting{groceries, "1"},
		posting{checking, "-1"}))
	wantStatus(t, locked, http.StatusUnprocessableEntity)
	wantPage(t, locked, "locked up to and including 2025-12-31", `value="2025-12-31"`)

	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"bad currency", url.Values{"base_currency": {"EURO"}, "fiscal_year_start_month": {"1"}},
			"is not a currency code"},
		{"bad month", url.Values{"base_currency": {"EUR"}, "fiscal_year_start_month": {"13"}},
			"choose a month"},
		{"bad lock date", url.Values{"base_currency": {"EUR"}, "fiscal_year_start_month": {"1"},
			"lock_date": {"2025-02-30"}}, "is not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ada.books()
			got := ada.post("/settings/books", tt.form)
			wantStatus(t, got, http.StatusUnprocessableEntity)
			wantPage(t, got, tt.want, `value="`+tt.form.Get("base_currency")+`"`)
			got = ada.htmx("books-settings").post("/settings/books", tt.form)
			wantStatus(t, got, http.StatusUnprocessableEntity)
			wantFragment(t, got, tt.want)
			if after := ada.books(); after != before {
				t.Errorf("books changed:\n%s\n%s", before, after)
			}
		})
	}

	unlocked := ada.htmx("books-settings").post("/settings/books",
		url.Values{"base_currency": {"USD"}, "fiscal_year_start_month": {"4"}, "lock_date": {""}})
	wantStatus(t, unlocked, http.StatusOK)
	wantFragment(t, unlocked, "were saved", `value="USD"`, `value=""`)
	ada.record(entryForm("2025-12-31", "Late", posting{groceries, "1", "EUR"},
		posting{checking, "-1"}))
}
