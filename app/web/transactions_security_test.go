package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestBookkeepingIsolation checks every bookkeeping route that takes an id: another user
// gets exactly the 404 of a made-up id, for a page and for htmx, and nothing changes.
func TestBookkeepingIsolation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, cash := ada.account("Checking"), ada.account("Cash")
	savings := ada.account("Savings")
	txn := ada.record(entryForm("2026-01-31", "Ada's market",
		posting{ada.account("Groceries"), "12.50"}, posting{checking, "-12.50"}))
	ada.get("/accounts")
	wantStatus(t, ada.post("/accounts/"+savings+"/close", nil), http.StatusSeeOther)

	bob := ts.bookkeeper("bob@example.org")
	bobsEntry := entryForm("2026-02-01", "Bob's amendment",
		posting{bob.account("Groceries"), "1"}, posting{bob.account("Checking"), "-1"})
	const madeUp = "6f1c1d52-3a0e-4c55-9a61-0d4cdbf0a111"

	routes := []struct {
		name   string
		method string
		path   string // with {id} for the id
		id     string // ada's
		form   url.Values
	}{
		{"account register", http.MethodGet, "/accounts/{id}", checking, nil},
		{"rename form", http.MethodGet, "/accounts/{id}/rename", cash, nil},
		{"rename", http.MethodPost, "/accounts/{id}/rename", cash,
			url.Values{"name": {"Bob's now"}}},
		{"close", http.MethodPost, "/accounts/{id}/close", cash, nil},
		{"reopen", http.MethodPost, "/accounts/{id}/reopen", savings, nil},
		{"transaction", http.MethodGet, "/transactions/{id}", txn, nil},
		{"edit form", http.MethodGet, "/transactions/{id}/edit", txn, nil},
		{"void page", http.MethodGet, "/transactions/{id}/void", txn, nil},
		{"amend", http.MethodPost, "/transactions/{id}", txn, bobsEntry},
		{"void", http.MethodPost, "/transactions/{id}/void", txn,
			url.Values{"reason": {"Bob was here"}}},
	}
	for _, route := range routes {
		for _, htmx := range []bool{false, true} {
			name := route.name
			if htmx {
				name += " with htmx"
			}
			t.Run(name, func(t *testing.T) {
				before := ada.books()
				as := bob
				if htmx {
					as = bob.htmx("")
				}
				send := func(id string) response {
					path := strings.ReplaceAll(route.path, "{id}", id)
					if route.method == http.MethodGet {
						return as.get(path)
					}
					return as.post(path, route.form)
				}

				foreign, unknown, malformed := send(route.id), send(madeUp), send("not-an-id")
				for _, got := range []response{foreign, unknown, malformed} {
					wantStatus(t, got, http.StatusNotFound)
				}
				if stripRequestID(foreign.body) != stripRequestID(unknown.body) ||
					stripRequestID(malformed.body) != stripRequestID(unknown.body) {
					t.Errorf("answers differ:\n%s\n---\n%s\n---\n%s", foreign.body,
						unknown.body, malformed.body)
				}
				if after := ada.books(); after != before {
					t.Errorf("ada's books changed:\n%s\n%s", before, after)
				}
			})
		}
	}

	t.Run("lists", func(t *testing.T) {
		for _, path := range []string{"/", "/accounts", "/transactions",
			"/transactions?account=" + checking} {
			got := bob.get(path)
			if strings.Contains(got.body, "Ada&#39;s market") || strings.Contains(got.body, "Ada's") {
				t.Errorf("%s shows ada's books:\n%s", path, got.body)
			}
		}
	})
}

// Payloads stored in every text field. Each must come back escaped, never raw.
var payloads = []struct{ raw, escaped string }{
	{`<script>alert(1)</script>`, `&lt;script&gt;alert(1)&lt;/script&gt;`},
	{`"><img src=x onerror=alert(1)>`, `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`},
	{`O'Brien`, `O&#39;Brien`},
}

// wantInert checks that the page shows the payloads (all, or those numbered in only), and
// only escaped.
func wantInert(t *testing.T, what string, got response, only ...int) {
	t.Helper()
	if len(only) == 0 {
		only = []int{0, 1, 2}
	}
	for _, i := range only {
		payload := payloads[i]
		if strings.Contains(got.body, payload.raw) {
			t.Errorf("%s: payload %q is raw in the page:\n%s", what, payload.raw, got.body)
		}
		if !strings.Contains(got.body, payload.escaped) {
			t.Errorf("%s: payload %q is not shown escaped:\n%s", what, payload.raw, got.body)
		}
	}
}

func TestBookkeepingPayloadsAreInert(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking := ada.account("Checking")
	ada.get("/accounts")
	for i, payload := range payloads {
		accountType := []string{"asset", "expense", "liability"}[i]
		got := ada.post("/accounts", url.Values{"name": {payload.raw}, "type": {accountType}})
		wantStatus(t, got, http.StatusSeeOther)
	}
	script, img, quote := ada.account(payloads[0].raw), ada.account(payloads[1].raw),
		ada.account(payloads[2].raw)
	every := payloads[0].raw + " " + payloads[1].raw + " " + payloads[2].raw
	form := entryForm(ts.clock.Now().Format("2006-01-02"), every, posting{script, "10"},
		posting{img, "5"}, posting{quote, "-15"})
	form.Set("payee", every)
	txn := ada.record(form)

	pages := []string{"/", "/accounts", "/accounts/" + script, "/accounts/" + img,
		"/accounts/" + quote, "/accounts/" + script + "/rename", "/transactions",
		"/transactions?q=" + url.QueryEscape(payloads[2].raw), "/transactions/" + txn,
		"/transactions/" + txn + "/edit"}
	for _, path := range pages {
		wantInert(t, path, ada.get(path))
		wantInert(t, path+" with htmx", ada.htmx("").get(path))
	}
	wantInert(t, "void page", ada.get("/transactions/"+txn+"/void"))
	wantInert(t, "balances", ada.htmx("balances").get("/transactions"), 0, 2) // no expenses
	wantInert(t, "posting row", ada.htmx("").get("/transactions/posting-row"))
	for _, payload := range payloads {
		query := "/transactions?q=" + url.QueryEscape(payload.raw)
		got := ada.get(query)
		if strings.Contains(got.body, payload.raw) {
			t.Errorf("%s: the filter is raw in the page:\n%s", query, got.body)
		}
	}

	// Rejected input comes back in the form: tags (which the domain refuses to store with
	// these characters), a void reason, a taken account name, a rename.
	tagged := entryForm("2026-01-31", "Tagged", posting{script, "1"}, posting{checking, "-1"})
	tagged.Set("tags", every)
	wantInert(t, "rejected tags", ada.post("/transactions", tagged))
	wantInert(t, "rejected tags with htmx", ada.htmx("").post("/transactions", tagged))
	reason := url.Values{"reason": {every + "\nand more"}}
	wantInert(t, "rejected void reason", ada.post("/transactions/"+txn+"/void", reason))
	for _, payload := range payloads {
		taken := url.Values{"name": {payload.raw}, "type": {"asset"}}
		got := ada.post("/accounts", taken)
		wantStatus(t, got, http.StatusUnprocessableEntity)
		wantInert(t, "taken account name", got)
	}
	for _, payload := range payloads[1:] {
		taken := url.Values{"name": {payload.raw}}
		wantInert(t, "rejected rename", ada.post("/accounts/"+script+"/rename", taken))
	}

	voided := ada.htmx("txn-"+txn).post("/transactions/"+txn+"/void",
		url.Values{"reason": {every}})
	wantStatus(t, voided, http.StatusOK)
	wantInert(t, "voided rows", voided)
	wantInert(t, "voided transaction", ada.get("/transactions/"+txn))
}

// TestBookkeepingPagesHaveNoInlineScripts checks what the Content-Security-Policy would
// block anyway: no inline script, style or event handler on any bookkeeping page.
func TestBookkeepingPagesHaveNoInlineScripts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking := ada.account("Checking")
	txn := ada.record(entryForm("2026-01-31", "Market", posting{ada.account("Groceries"), "1"},
		posting{checking, "-1"}))

	inline := regexp.MustCompile(`(?i)<script(\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	for _, path := range []string{"/", "/accounts", "/accounts/" + checking,
		"/accounts/" + checking + "/rename", "/transactions", "/transactions/" + txn,
		"/transactions/" + txn + "/edit", "/transactions/" + txn + "/void", "/settings/books"} {
		got := ada.get(path)
		wantStatus(t, got, http.StatusOK)
		if match := inline.FindString(got.body); match != "" {
			t.Errorf("%s: inline script or style %q", path, match)
		}
	}
}
