package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// bookkeeper is a signed-in user of the bookkeeping screens.
type bookkeeper struct {
	*client
	email string
	id    uuid.UUID
}

func (ts *testServer) bookkeeper(email string) *bookkeeper {
	ts.t.Helper()
	cl := ts.client()
	cl.register(email)
	return &bookkeeper{client: cl, email: email, id: ts.userID(email)}
}

// account returns the id of the bookkeeper's account called name.
func (b *bookkeeper) account(name string) string {
	b.t.Helper()
	var id uuid.UUID
	err := b.server.pool.QueryRow(context.Background(),
		`SELECT account_id FROM accounts WHERE user_id = $1 AND name = $2`, b.id, name).Scan(&id)
	if err != nil {
		b.t.Fatalf("account %q of %s: %v", name, b.email, err)
	}
	return id.String()
}

// htmx sends the next requests as htmx would: HX-Request, the CSRF header and the target.
func (b *bookkeeper) htmx(target string) *bookkeeper {
	hx := &bookkeeper{client: &client{t: b.t, server: b.server, cookies: b.cookies,
		csrf: b.csrf, header: http.Header{}}, email: b.email, id: b.id}
	hx.header.Set("HX-Request", "true")
	hx.header.Set("X-CSRF-Token", b.csrf)
	if target != "" {
		hx.header.Set("HX-Target", target)
	}
	return hx
}

// posting is one row of the entry form: account id, amount, currency, price.
type posting [4]string

// entryForm returns the fields of an entry form with postings in its rows.
func entryForm(date, description string, postings ...posting) url.Values {
	form := url.Values{"date": {date}, "description": {description}}
	for _, row := range postings {
		form.Add("account", row[0])
		form.Add("amount", row[1])
		form.Add("currency", row[2])
		form.Add("price", row[3])
	}
	return form
}

// record records a transaction through the plain form and returns its id.
func (b *bookkeeper) record(form url.Values) string {
	b.t.Helper()
	b.get("/transactions")
	before := b.transactionIDs()
	got := b.post("/transactions", form)
	wantStatus(b.t, got, http.StatusSeeOther)
	for id := range b.transactionIDs() {
		if !before[id] {
			return id
		}
	}
	b.t.Fatalf("no transaction was recorded:\n%s", got.body)
	return ""
}

func (b *bookkeeper) transactionIDs() map[string]bool {
	b.t.Helper()
	rows, err := b.server.pool.Query(context.Background(),
		`SELECT transaction_id::text FROM journal WHERE user_id = $1`, b.id)
	if err != nil {
		b.t.Fatalf("select transactions: %v", err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.t.Fatalf("scan transaction id: %v", err)
		}
		ids[id] = true
	}
	return ids
}

// books returns a fingerprint of everything stored for the bookkeeper: events and read models.
func (b *bookkeeper) books() string {
	b.t.Helper()
	var fingerprint string
	err := b.server.pool.QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT count(*) FROM events WHERE user_id = $1),
		(SELECT string_agg(name || closed::text, ',' ORDER BY name) FROM accounts WHERE user_id = $1),
		(SELECT string_agg(description || revision || voided::text, ',' ORDER BY description)
			FROM journal WHERE user_id = $1),
		(SELECT string_agg(account_id::text || amount::text, ',' ORDER BY account_id, currency)
			FROM account_balances WHERE user_id = $1))`, b.id).Scan(&fingerprint)
	if err != nil {
		b.t.Fatalf("fingerprint books: %v", err)
	}
	return fingerprint
}

var fullPage = regexp.MustCompile(`(?s)^<!doctype html>.*</html>\s*$`)

func wantFragment(t *testing.T, got response, contains ...string) {
	t.Helper()
	if fullPage.MatchString(got.body) {
		t.Errorf("got a whole page, want a fragment:\n%s", got.body)
	}
	if !strings.Contains(got.header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary: got %q, want HX-Request in it", got.header.Get("Vary"))
	}
	wantBodyContains(t, got, contains...)
}

func wantPage(t *testing.T, got response, contains ...string) {
	t.Helper()
	if !fullPage.MatchString(got.body) {
		t.Errorf("got a fragment, want a whole page:\n%s", got.body)
	}
	wantBodyContains(t, got, contains...)
}

func TestRecordTransaction(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, groceries := ada.account("Checking"), ada.account("Groceries")

	t.Run("plain form", func(t *testing.T) {
		ada.get("/transactions")
		form := entryForm("2026-01-31", "Market", posting{groceries, "12.50"},
			posting{checking, "-12.50"}, posting{}, posting{})
		form.Set("next", "/")
		got := ada.post("/transactions", form)
		wantStatus(t, got, http.StatusSeeOther)
		if got.location() != "/" {
			t.Errorf("location: got %q, want /", got.location())
		}
		wantPage(t, ada.get("/transactions"), "Market", "-12.50")
	})

	t.Run("htmx", func(t *testing.T) {
		ada.get("/transactions")
		hx := ada.htmx("")
		got := hx.post("/transactions", entryForm("2026-02-01", "Bakery",
			posting{groceries, "3.20", "eur"}, posting{checking, "-3.20"}))
		wantStatus(t, got, http.StatusOK)
		wantFragment(t, got, `id="new-entry-form"`)
		if strings.Contains(got.body, "Bakery") {
			t.Error("the form after recording still holds the input")
		}
		trigger := got.header.Get("HX-Trigger")
		for _, event := range []string{"transactions-changed", "balances-changed"} {
			if !strings.Contains(trigger, event) {
				t.Errorf("HX-Trigger: got %q, want %s in it", trigger, event)
			}
		}
		wantFragment(t, ada.htmx("journal").get("/transactions"), "Bakery", "3.20")
		wantFragment(t, ada.htmx("balances").get("/transactions"), `id="balances"`, "-15.70")
	})

	t.Run("same form twice records once", func(t *testing.T) {
		ada.get("/transactions")
		form := entryForm("2026-02-02", "Twice", posting{groceries, "1"}, posting{checking, "-1"})
		form.Set("command_id", uuid.NewString())
		wantStatus(t, ada.post("/transactions", form), http.StatusSeeOther)
		wantStatus(t, ada.post("/transactions", form), http.StatusSeeOther)
		n := ts.count(`SELECT count(*) FROM journal WHERE user_id = $1 AND description = 'Twice'`,
			ada.id)
		if n != 1 {
			t.Errorf("got %d transactions, want 1", n)
		}
	})
}

func TestRecordTransactionRejected(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, groceries := ada.account("Checking"), ada.account("Groceries")
	bob := ts.bookkeeper("bob@example.org")

	tests := []struct {
		name string
		form url.Values
		want []string // in the answer, beside the field or kept
	}{
		{"unbalanced", entryForm("2026-01-31", "Unbalanced", posting{groceries, "12.50"},
			posting{checking, "-12.49"}),
			[]string{"do not balance", "0.01 EUR", `value="Unbalanced"`, `value="12.50"`,
				`value="-12.49"`}},
		{"amount with a comma", entryForm("2026-01-31", "Comma", posting{groceries, "12,50"},
			posting{checking, "-12.50"}),
			[]string{"is not an amount", `value="12,50"`}},
		{"no date", entryForm("", "Dateless", posting{groceries, "1"}, posting{checking, "-1"}),
			[]string{"enter the date", `value="Dateless"`}},
		{"one posting", entryForm("2026-01-31", "Lonely", posting{groceries, "1"}),
			[]string{"at least two postings"}},
		{"account without an amount", entryForm("2026-01-31", "Half", posting{groceries, ""},
			posting{checking, "-1"}),
			[]string{"enter an amount"}},
		{"another user's account", entryForm("2026-01-31", "Foreign",
			posting{bob.account("Groceries"), "1"}, posting{checking, "-1"}),
			[]string{"this account does not exist"}},
		{"wrong currency for the account", entryForm("2026-01-31", "Dollars",
			posting{groceries, "1", "USD"}, posting{checking, "-1", "USD"}),
			[]string{"only holds EUR", `value="USD"`}},
		{"bad price", entryForm("2026-01-31", "Priced", posting{groceries, "1", "USD", "1.1"},
			posting{checking, "-1.1"}),
			[]string{"write a price as an amount and a currency", `value="1.1"`}},
		{"bad tag", func() url.Values {
			form := entryForm("2026-01-31", "Tagged", posting{groceries, "1"},
				posting{checking, "-1"})
			form.Set("tags", "fine, not/fine")
			return form
		}(), []string{"is not a tag", `value="fine, not/fine"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ada.books()
			ada.get("/transactions")
			plain := ada.post("/transactions", tt.form)
			wantStatus(t, plain, http.StatusUnprocessableEntity)
			wantPage(t, plain, tt.want...)
			wantBodyContains(t, plain, `class="field-error"`)

			hx := ada.htmx("")
			fragment := hx.post("/transactions", tt.form)
			wantStatus(t, fragment, http.StatusUnprocessableEntity)
			wantFragment(t, fragment, tt.want...)

			if after := ada.books(); after != before {
				t.Errorf("books changed:\n%s\n%s", before, after)
			}
		})
	}
}

// TestRejectionBesideItsRow checks that a message lands in the row it is about, counting
// the empty rows the form skipped.
func TestRejectionBesideItsRow(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	ada.get("/transactions")
	form := entryForm("2026-01-31", "Rows", posting{}, posting{ada.account("Groceries"), "0"},
		posting{ada.account("Checking"), "0"})

	got := ada.post("/transactions", form)
	wantStatus(t, got, http.StatusUnprocessableEntity)
	rows := strings.Split(got.body, `<div class="posting-row">`)
	if len(rows) < 4 {
		t.Fatalf("got %d rows, want 3:\n%s", len(rows)-1, got.body)
	}
	if strings.Contains(rows[1], "field-error") || !strings.Contains(rows[2], "other than zero") {
		t.Errorf("the message is not beside the second row:\n%s", got.body)
	}
}

func TestBalanceCheck(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")
	checking, groceries := ada.account("Checking"), ada.account("Groceries")
	ada.get("/transactions")

	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"balanced", entryForm("", "", posting{groceries, "12.50"}, posting{checking, "-12.50"},
			posting{}), `<span class="balanced">Balanced.</span>`},
		{"off by a cent", entryForm("", "", posting{groceries, "12.50"},
			posting{checking, "-12.49"}), "Off by 0.01 EUR."},
		{"converted", entryForm("", "", posting{groceries, "10", "USD", "0.9 EUR"},
			posting{checking, "-9"}), "Balanced."},
		{"nothing yet", entryForm("", "", posting{}, posting{}), "Enter the postings"},
		{"not an amount", entryForm("", "", posting{groceries, "x"}), "Row 1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ada.htmx("").post("/transactions/check", tt.form)
			wantStatus(t, got, http.StatusOK)
			wantFragment(t, got, tt.want)
		})
	}

	if n := ts.count(`SELECT count(*) FROM journal`); n != 0 {
		t.Errorf("the check stored %d transactions", n)
	}
}

func TestPostingRow(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ada := ts.bookkeeper("ada@example.org")

	got := ada.htmx("").get("/transactions/posting-row")
	wantStatus(t, got, http.StatusOK)
	wantFragment(t, got, `<div class="posting-row">`, `name="account"`, ">Checking (EUR)<",
		`name="amount"`, `name="currency"`, `name="price"`)

	plain := ada.get("/transactions/posting-row")
	wantStatus(t, plain, http.StatusSeeOther)
}
