package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/projections"
)

// randomBooks runs commands of every kind, chosen by a seeded random source, against b.
type randomBooks struct {
	t      *testing.T
	b      *auditBooks
	random *rand.Rand
	names  int
}

func (r *randomBooks) amount() decimal.Decimal {
	return decimal.New(int64(r.random.IntN(100_000)+1), -2)
}

func (r *randomBooks) pick(accounts []*domain.Account) uuid.UUID {
	return accounts[r.random.IntN(len(accounts))].ID
}

// entry balances two to four postings in one currency; USD goes only to accounts that take
// any currency.
func (r *randomBooks) entry(books *domain.Books) domain.Entry {
	currency := "EUR"
	if r.random.IntN(4) == 0 {
		currency = "USD"
	}
	var open []*domain.Account
	for _, account := range books.Accounts() {
		if !account.Closed && account.AcceptsCurrency(currency) {
			open = append(open, account)
		}
	}
	entry := domain.Entry{Date: domain.MustDate("2025-01-01").AddDays(r.random.IntN(500)),
		Description: fmt.Sprintf("Entry %d", r.random.IntN(1000))}
	total := decimal.Zero
	for i := 0; i < 1+r.random.IntN(3); i++ {
		amount := r.amount()
		total = total.Add(amount)
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: r.pick(open),
			Amount: amount, Currency: currency})
	}
	entry.Postings = append(entry.Postings, domain.Posting{AccountID: r.pick(open),
		Amount: total.Neg(), Currency: currency})
	return entry
}

// command returns the next command: mostly new transactions, then amendments, voids,
// renames and new accounts.
func (r *randomBooks) command() domain.Command {
	books := r.b.read()
	var live []*domain.Transaction
	for _, txn := range books.Transactions() {
		if !txn.Voided {
			live = append(live, txn)
		}
	}
	choice := r.random.IntN(20)
	switch {
	case choice < 3 && len(live) > 0:
		return domain.AmendTransaction{TransactionID: live[r.random.IntN(len(live))].ID,
			Entry: r.entry(books)}
	case choice < 5 && len(live) > 0:
		return domain.VoidTransaction{TransactionID: live[r.random.IntN(len(live))].ID}
	case choice == 5:
		r.names++
		accounts := books.Accounts()
		return domain.RenameAccount{AccountID: r.pick(accounts), Name: fmt.Sprintf("Renamed %d", r.names)}
	case choice == 6:
		r.names++
		return domain.OpenAccount{Name: fmt.Sprintf("Account %d", r.names),
			Type: domain.AccountTypes[r.random.IntN(len(domain.AccountTypes))]}
	}
	return domain.RecordTransaction{Entry: r.entry(books)}
}

// captured is the read models as they were right after an event.
type captured struct {
	version int64
	model   projections.Model
}

func TestTimeTravelEqualsTheReadModelsAsTheyWere(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.signedIn("owner@example.com")
	ownerID := ts.userID("owner@example.com")
	ctx := context.Background()
	random := &randomBooks{t: t, b: ts.books("owner@example.com"), random: rand.New(rand.NewPCG(6, 2026))}

	capture := func() captured {
		model, err := projections.Load(ctx, ts.pool, ownerID)
		if err != nil {
			t.Fatal(err)
		}
		return captured{version: int64(ts.streamVersion(ownerID)), model: model}
	}
	history := []captured{{version: 0}, capture()}
	for i := 0; i < 150; i++ {
		random.b.execute(random.command())
		history = append(history, capture())
	}

	for _, past := range history {
		books, err := projections.FoldAt(ctx, ts.pool, ownerID, projections.HistoryPoint{Version: past.version})
		if past.version == 0 {
			books, err = projections.FoldAt(ctx, ts.pool, ownerID, projections.HistoryPoint{Before: time.Unix(0, 0)})
		}
		if err != nil {
			t.Fatal(err)
		}
		if diff := projections.Diff(past.model, projections.Derive(books)); diff != "" {
			t.Fatalf("fold at version %d differs from the read models then: %s", past.version, diff)
		}
		if got, want := asOfRows(t, owner, past.version), balanceRows(past.model); got != want {
			t.Fatalf("GET /api/v1/as-of?version=%d:\n got %s\nwant %s", past.version, got, want)
		}
	}

	last := history[len(history)-1].version
	for _, version := range []int64{0, 1, last / 2, last} {
		page := owner.get(fmt.Sprintf("/time-travel?version=%d", version))
		wantStatus(t, page, http.StatusOK)
		wantBodyContains(t, page, fmt.Sprintf("right after event %d of %d", version, last),
			"Trial balance", "Balance sheet", "Journal")
	}
	wantStatus(t, owner.get(fmt.Sprintf("/time-travel?version=%d", last+1)), http.StatusNotFound)
	wantStatus(t, owner.get("/api/v1/as-of"), http.StatusUnprocessableEntity)
	wantStatus(t, owner.get("/api/v1/as-of?version=x"), http.StatusUnprocessableEntity)
	today := time.Now().UTC().Format(time.DateOnly)
	if got := asOfVersion(t, owner, "date="+today); got != last {
		t.Errorf("as recorded by the end of today: version %d, want %d", got, last)
	}
	if got := asOfVersion(t, owner, "date=2000-01-01"); got != 0 {
		t.Errorf("as recorded by the end of 2000-01-01: version %d, want 0", got)
	}
}

type asOfBody struct {
	Book         string
	Version      int64
	TrialBalance []struct {
		AccountID string `json:"account_id"`
		Currency  string
		Amount    string
	} `json:"trial_balance"`
}

func asOf(t *testing.T, cl *client, query string) asOfBody {
	t.Helper()
	got := cl.get("/api/v1/as-of?" + query)
	wantStatus(t, got, http.StatusOK)
	var body asOfBody
	decode(t, got, &body)
	return body
}

func asOfVersion(t *testing.T, cl *client, query string) int64 {
	t.Helper()
	return asOf(t, cl, query).Version
}

// asOfRows renders the API's trial balance as sorted "account currency amount" lines.
func asOfRows(t *testing.T, cl *client, version int64) string {
	t.Helper()
	body := asOf(t, cl, fmt.Sprintf("version=%d", version))
	if body.Version != version {
		t.Fatalf("as-of version %d: folded %d events", version, body.Version)
	}
	var lines []string
	for _, row := range body.TrialBalance {
		lines = append(lines, row.AccountID+" "+row.Currency+" "+row.Amount)
	}
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}

// balanceRows renders a read model's balances like asOfRows.
func balanceRows(model projections.Model) string {
	var lines []string
	for _, row := range model.Balances {
		lines = append(lines, row.AccountID.String()+" "+row.Currency+" "+domain.FormatAmount(row.Amount))
	}
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}
