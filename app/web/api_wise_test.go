package web_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"folio/app/web"
	"folio/app/wise/wisetest"
)

func withWiseAPI(baseURL string) serverOption {
	return func(deps *web.Deps) { deps.Config.WiseAPIURL = baseURL }
}

func wiseDay(text string, hour int) time.Time {
	day, err := time.Parse("2006-01-02", text)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(hour) * time.Hour)
}

// wiseStatementLines is a month of a business profile: a transfer with a fee, a deposit,
// a card payment in dollars, a conversion to the USD balance (both legs) and a refund
// that reuses the transfer's reference.
var wiseStatementLines = []wisetest.Transaction{
	{BalanceID: 200001, Date: wiseDay("2026-01-04", 9), Amount: "-200.60", Fee: "0.60", DetailsType: "TRANSFER",
		Description: "Sent money to John Doe", Reference: "TRANSFER-123", Payee: "John Doe"},
	{BalanceID: 200001, Date: wiseDay("2026-01-05", 7), Amount: "250.00", DetailsType: "DEPOSIT",
		Description: "Received money from ACME", Reference: "TRANSFER-223", Payee: "ACME"},
	{BalanceID: 200001, Date: wiseDay("2026-01-06", 12), Amount: "-45.51", Fee: "0.19", DetailsType: "CARD",
		Description: "Card transaction of 50.00 USD issued by Shop NYC", Reference: "CARD-323", Payee: "Shop",
		ToAmount: "50.00", ToCurrency: "USD", FromAmount: "45.32", FromCurrency: "EUR", Rate: "1.10326"},
	{BalanceID: 200001, Date: wiseDay("2026-01-07", 10), Amount: "-100.00", Fee: "0.45", DetailsType: "CONVERSION",
		Description: "Converted 100.00 EUR to 108.20 USD", Reference: "BALANCE-423",
		ToAmount: "108.20", ToCurrency: "USD", FromAmount: "99.55", FromCurrency: "EUR", Rate: "1.0869"},
	{BalanceID: 200002, Date: wiseDay("2026-01-07", 10), Amount: "108.20", DetailsType: "CONVERSION",
		Description: "Converted 100.00 EUR to 108.20 USD", Reference: "BALANCE-423",
		ToAmount: "108.20", ToCurrency: "USD", FromAmount: "99.55", FromCurrency: "EUR", Rate: "1.0869"},
	{BalanceID: 200001, Date: wiseDay("2026-01-08", 15), Amount: "200.00", DetailsType: "TRANSFER",
		Description: "Refund of the transfer to John Doe", Reference: "TRANSFER-123", Payee: "John Doe"},
}

// wiseUser registers a user with Wise EUR and Wise USD accounts and a stored token.
func wiseUser(t *testing.T, ts *testServer) (*client, map[string]string) {
	t.Helper()
	cl, auth := importUser(t, ts, "ann@example.com")
	for _, account := range []map[string]string{{"name": "Wise EUR", "type": "asset", "currency": "EUR"},
		{"name": "Wise USD", "type": "asset", "currency": "USD"}} {
		wantStatus(t, cl.api(http.MethodPost, "/api/v1/accounts", account, auth), http.StatusCreated)
	}
	got := cl.api(http.MethodPut, "/api/v1/wise/token", map[string]string{"token": wisetest.Token}, auth)
	wantStatus(t, got, http.StatusNoContent)
	return cl, auth
}

var wiseRequest = map[string]any{"profile_id": wisetest.ProfileID, "balance_ids": []int64{200001, 200002},
	"from": "2026-01-01", "to": "2026-01-31"}

func TestAPIWiseImport(t *testing.T) {
	fake := wisetest.New()
	defer fake.Close()
	fake.Set(func(s *wisetest.Server) { s.Transactions = wiseStatementLines })
	ts := newTestServer(t, withWiseAPI(fake.URL))
	cl, auth := wiseUser(t, ts)

	dryRun := map[string]any{"dry_run": true}
	for key, value := range wiseRequest {
		dryRun[key] = value
	}
	got := cl.api(http.MethodPost, "/api/v1/wise/import", dryRun, auth)
	wantStatus(t, got, http.StatusOK)
	var preview importAnswer
	decode(t, got, &preview)
	if preview.New != 5 || len(preview.Lines) != 5 || preview.Lines[3].Account != "Wise USD" {
		t.Fatalf("preview: got %s", got.body)
	}

	got = cl.api(http.MethodPost, "/api/v1/wise/import", wiseRequest, auth)
	wantStatus(t, got, http.StatusCreated)
	var first importAnswer
	decode(t, got, &first)
	if first.ID == nil || first.New != 5 || first.Format != "wise" || len(first.BalanceCheck) != 0 {
		t.Fatalf("import: got %s", got.body)
	}
	userID := ts.userID("ann@example.com")
	balance := func(name, currency string) string {
		var amount string
		err := ts.pool.QueryRow(context.Background(), `SELECT coalesce(sum(b.amount), 0)::text FROM account_balances b
			JOIN accounts a USING (user_id, account_id) WHERE b.user_id = $1 AND a.name = $2 AND b.currency = $3`,
			userID, name, currency).Scan(&amount)
		if err != nil {
			t.Fatal(err)
		}
		return amount
	}
	if eur, usd, fees := balance("Wise EUR", "EUR"), balance("Wise USD", "USD"), balance("Bank Fees", "EUR"); eur != "103.89" ||
		usd != "108.2" || fees != "1.240049" {
		t.Fatalf("balances: Wise EUR %s, Wise USD %s, fees %s", eur, usd, fees)
	}

	got = cl.api(http.MethodPost, "/api/v1/wise/import", wiseRequest, auth)
	wantStatus(t, got, http.StatusCreated)
	var second importAnswer
	decode(t, got, &second)
	if second.New != 0 || second.Duplicates != 5 {
		t.Fatalf("second import: got %s", got.body)
	}

	// An opening balance the books lack shows as a mismatch after the import.
	fake.Set(func(s *wisetest.Server) {
		s.Balances[0].Opening = "50"
		s.Transactions = append(s.Transactions, wisetest.Transaction{BalanceID: 200001, Date: wiseDay("2026-01-20", 8),
			Amount: "-10.00", DetailsType: "TRANSFER", Description: "Rent share", Reference: "TRANSFER-999"})
	})
	got = cl.api(http.MethodPost, "/api/v1/wise/import", wiseRequest, auth)
	wantStatus(t, got, http.StatusCreated)
	var third importAnswer
	decode(t, got, &third)
	if third.New != 1 || len(third.BalanceCheck) != 1 || third.BalanceCheck[0]["wise"] != "143.89" ||
		third.BalanceCheck[0]["books"] != "93.89" {
		t.Fatalf("third import: got %s", got.body)
	}
	if strings.Contains(ts.logs.String(), wisetest.Token) {
		t.Fatal("the Wise token was logged")
	}
}

func TestAPIWiseImportSplitsLongRanges(t *testing.T) {
	fake := wisetest.New()
	defer fake.Close()
	fake.Set(func(s *wisetest.Server) {
		s.Transactions = []wisetest.Transaction{
			{BalanceID: 200001, Date: wiseDay("2024-01-02", 9), Amount: "10.00", DetailsType: "DEPOSIT", Reference: "TRANSFER-1"},
			{BalanceID: 200001, Date: wiseDay("2025-12-30", 9), Amount: "-1.00", DetailsType: "TRANSFER", Reference: "TRANSFER-2"},
		}
	})
	ts := newTestServer(t, withWiseAPI(fake.URL))
	cl, auth := wiseUser(t, ts)
	got := cl.api(http.MethodPost, "/api/v1/wise/import", map[string]any{"profile_id": wisetest.ProfileID,
		"balance_ids": []int64{200001}, "from": "2024-01-01", "to": "2025-12-31"}, auth)
	wantStatus(t, got, http.StatusCreated)
	var answer importAnswer
	decode(t, got, &answer)
	if answer.New != 2 || len(fake.StatementRequests()) != 2 {
		t.Fatalf("got %s after %d requests, want 2 lines from 2 windows", got.body, len(fake.StatementRequests()))
	}
}

func TestAPIWiseImportErrors(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *wisetest.Server)
		status int
		code   string
	}{
		{"TokenRefused", func(s *wisetest.Server) { s.Status = http.StatusUnauthorized }, http.StatusUnprocessableEntity, "wise_unauthorized"},
		{"ServerError", func(s *wisetest.Server) { s.Status = http.StatusInternalServerError }, http.StatusBadGateway, "wise_unavailable"},
		{"RateLimitedLong", func(s *wisetest.Server) { s.RateLimits, s.RetryAfter = 10, "600" }, http.StatusServiceUnavailable, "wise_rate_limited"},
		{"SCAWithoutKey", func(s *wisetest.Server) { s.SCAMissing = true }, http.StatusUnprocessableEntity, "wise_sca_required"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			fake := wisetest.New()
			defer fake.Close()
			fake.Set(func(s *wisetest.Server) { s.Transactions = wiseStatementLines })
			ts := newTestServer(t, withWiseAPI(fake.URL))
			cl, auth := wiseUser(t, ts)
			fake.Set(test.setup)
			got := cl.api(http.MethodPost, "/api/v1/wise/import", wiseRequest, auth)
			wantAPIError(t, got, test.status, test.code)
			if n := ts.count(`SELECT count(*) FROM journal`); n != 0 {
				t.Fatalf("%d transactions stored", n)
			}
		})
	}
}

func TestWiseSigningKey(t *testing.T) {
	fake := wisetest.New()
	defer fake.Close()
	fake.Set(func(s *wisetest.Server) { s.Transactions = wiseStatementLines })
	ts := newTestServer(t, withWiseAPI(fake.URL))
	cl, auth := wiseUser(t, ts)

	cl.get("/settings/wise")
	got := cl.post("/settings/wise/key", url.Values{})
	wantStatus(t, got, http.StatusSeeOther)
	page := cl.get("/settings/wise")
	wantBodyContains(t, page, "BEGIN PUBLIC KEY", "Token: <strong>stored</strong>")
	if strings.Contains(page.body, wisetest.Token) || strings.Contains(page.body, "PRIVATE KEY") {
		t.Fatal("the settings page shows a secret")
	}
	var publicPEM string
	var sealed []byte
	err := ts.pool.QueryRow(context.Background(), `SELECT public_key_pem, token_sealed FROM wise_credentials`).
		Scan(&publicPEM, &sealed)
	if err != nil || strings.Contains(string(sealed), wisetest.Token) {
		t.Fatalf("credentials: %v, token stored in the clear: %v", err, strings.Contains(string(sealed), wisetest.Token))
	}
	block, _ := pem.Decode([]byte(publicPEM))
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	fake.Set(func(s *wisetest.Server) { s.SCAKey = parsed.(*rsa.PublicKey) })

	got = cl.api(http.MethodPost, "/api/v1/wise/import", wiseRequest, auth)
	wantStatus(t, got, http.StatusCreated)
}
