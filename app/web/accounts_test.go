package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

func TestAccountsPage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	ada.record(entryForm("2026-01-31", "Market", posting{ada.account("Groceries"), "12.50"},
		posting{ada.account("Checking"), "-12.50"}))

	page := ada.get("/accounts")
	wantStatus(t, page, http.StatusOK)
	wantPage(t, page, "<h2 id=\"group-asset\">Assets</h2>", "<h2 id=\"group-expense\">Expenses</h2>",
		">Checking</a>", "-12.50", `id="open-account-form"`)

	fragment := ada.htmx("").get("/accounts")
	wantStatus(t, fragment, http.StatusOK)
	wantFragment(t, fragment, `<div id="accounts">`, ">Groceries</a>", "12.50")
}

func TestOpenAccount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	ada.get("/accounts")

	plain := ada.post("/accounts", url.Values{"name": {"Wallet"}, "type": {"asset"},
		"currency": {"usd"}})
	wantStatus(t, plain, http.StatusSeeOther)
	if plain.location() != "/accounts" {
		t.Errorf("location: got %q, want /accounts", plain.location())
	}
	wantBodyContains(t, ada.get("/accounts"), ">Wallet</a>", "<td>USD</td>")

	hx := ada.htmx("accounts").post("/accounts", url.Values{"name": {"Books"},
		"type": {"expense"}})
	wantStatus(t, hx, http.StatusOK)
	wantFragment(t, hx, `<div id="accounts">`, ">Books</a>", "is open")

	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"name taken", url.Values{"name": {"wallet"}, "type": {"asset"}}, "already exists"},
		{"no name", url.Values{"name": {""}, "type": {"asset"}}, "enter a name"},
		{"unknown type", url.Values{"name": {"Odd"}, "type": {"gold"}}, "is not an account type"},
		{"bad currency", url.Values{"name": {"Odd"}, "type": {"asset"}, "currency": {"EURO"}},
			"is not a currency code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ada.books()
			got := ada.post("/accounts", tt.form)
			wantStatus(t, got, http.StatusUnprocessableEntity)
			wantPage(t, got, tt.want, `value="`+tt.form.Get("name")+`"`)
			got = ada.htmx("accounts").post("/accounts", tt.form)
			wantStatus(t, got, http.StatusUnprocessableEntity)
			wantFragment(t, got, tt.want)
			if after := ada.books(); after != before {
				t.Errorf("books changed:\n%s\n%s", before, after)
			}
		})
	}
}

// TestOpenAccountNamesOutliveTheRequest opens accounts and sends more requests after them:
// the ledger keeps each name in its cached books, so a name must not share memory with a
// request buffer that a later request overwrites, or a taken name would look free.
func TestOpenAccountNamesOutliveTheRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	ada.get("/accounts")

	for i := range 20 {
		names := []string{fmt.Sprintf("<b>%d</b>", i), fmt.Sprintf(`"><i>%d</i>`, i),
			fmt.Sprintf("O'Brien %d", i)}
		for _, name := range names {
			got := ada.post("/accounts", url.Values{"name": {name}, "type": {"asset"}})
			wantStatus(t, got, http.StatusSeeOther)
		}
		again := ada.post("/accounts", url.Values{"name": {names[0]}, "type": {"asset"}})
		wantStatus(t, again, http.StatusUnprocessableEntity)
	}
}

func TestRenameAccount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	cash := ada.account("Cash")

	form := ada.htmx("accounts").get("/accounts/" + cash + "/rename")
	wantStatus(t, form, http.StatusOK)
	wantFragment(t, form, `id="rename-`+cash+`"`, `value="Cash"`)
	page := ada.get("/accounts/" + cash + "/rename")
	wantPage(t, page, `id="rename-`+cash+`"`)

	taken := ada.post("/accounts/"+cash+"/rename", url.Values{"name": {"Savings"}})
	wantStatus(t, taken, http.StatusUnprocessableEntity)
	wantPage(t, taken, "already exists", `value="Savings"`, `id="rename-`+cash+`"`)

	renamed := ada.htmx("accounts").post("/accounts/"+cash+"/rename",
		url.Values{"name": {"Petty Cash"}})
	wantStatus(t, renamed, http.StatusOK)
	wantFragment(t, renamed, ">Petty Cash</a>")

	plain := ada.post("/accounts/"+cash+"/rename", url.Values{"name": {"Till"}})
	wantStatus(t, plain, http.StatusSeeOther)
	wantBodyContains(t, ada.get("/accounts"), ">Till</a>")
}

func TestCloseAndReopenAccount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, cash := ada.account("Checking"), ada.account("Cash")
	ada.record(entryForm("2026-01-31", "Withdrawal", posting{cash, "50"},
		posting{checking, "-50"}))
	ada.get("/accounts")

	before := ada.books()
	refused := ada.post("/accounts/"+cash+"/close", nil)
	wantStatus(t, refused, http.StatusUnprocessableEntity)
	wantPage(t, refused, "still holds 50 EUR")
	refused = ada.htmx("accounts").post("/accounts/"+cash+"/close", nil)
	wantStatus(t, refused, http.StatusUnprocessableEntity)
	wantFragment(t, refused, "still holds 50 EUR", `role="alert"`)
	if after := ada.books(); after != before {
		t.Errorf("books changed:\n%s\n%s", before, after)
	}

	savings := ada.account("Savings")
	closed := ada.htmx("accounts").post("/accounts/"+savings+"/close", nil)
	wantStatus(t, closed, http.StatusOK)
	wantFragment(t, closed, `<span class="badge">closed</span>`, `/accounts/`+savings+`/reopen`)

	reopened := ada.post("/accounts/"+savings+"/reopen", nil)
	wantStatus(t, reopened, http.StatusSeeOther)
	again := ada.post("/accounts/"+savings+"/reopen", nil)
	wantStatus(t, again, http.StatusUnprocessableEntity)
	wantPage(t, again, "already open")
}
