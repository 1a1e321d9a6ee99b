package wise_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/imports"
	"folio/app/wise"
	"folio/app/wise/wisetest"
	"folio/domain"
)

func TestLinesMapEveryKind(t *testing.T) {
	fake := wisetest.New()
	defer fake.Close()
	fake.Set(func(s *wisetest.Server) {
		s.Transactions = []wisetest.Transaction{
			{BalanceID: 200001, Date: day("2025-03-04"), Amount: "-200.60", Fee: "0.60", DetailsType: "TRANSFER",
				Description: "Sent money to John Doe", Reference: "TRANSFER-123", Payee: "John Doe"},
			{BalanceID: 200001, Date: day("2025-03-05"), Amount: "250.00", DetailsType: "DEPOSIT",
				Description: "Received money from ACME", Reference: "TRANSFER-223", Payee: "ACME"},
			{BalanceID: 200001, Date: day("2025-03-06"), Amount: "-45.51", Fee: "0.19", DetailsType: "CARD",
				Description: "Card transaction of 50.00 USD issued by Shop NYC", Reference: "CARD-323", Payee: "Shop",
				ToAmount: "50.00", ToCurrency: "USD", FromAmount: "45.32", FromCurrency: "EUR", Rate: "1.10326"},
			{BalanceID: 200001, Date: day("2025-03-07"), Amount: "-100.00", Fee: "0.45", DetailsType: "CONVERSION",
				Description: "Converted 100.00 EUR to 108.20 USD", Reference: "BALANCE-423",
				ToAmount: "108.20", ToCurrency: "USD", FromAmount: "99.55", FromCurrency: "EUR", Rate: "1.0869"},
			{BalanceID: 200002, Date: day("2025-03-07"), Amount: "108.20", DetailsType: "CONVERSION",
				Description: "Converted 100.00 EUR to 108.20 USD", Reference: "BALANCE-423",
				ToAmount: "108.20", ToCurrency: "USD", FromAmount: "99.55", FromCurrency: "EUR", Rate: "1.0869"},
			{BalanceID: 200001, Date: day("2025-03-08"), Amount: "200.00", DetailsType: "TRANSFER",
				Description: "Refund of the transfer to John Doe", Reference: "TRANSFER-123", Payee: "John Doe"},
		}
	})
	client := wise.New(fake.URL, wisetest.Token, nil)
	eur, usd, uncategorized, fees, shops := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	names := map[uuid.UUID]string{eur: "Wise EUR", usd: "Wise USD", uncategorized: "Uncategorized", fees: "Fees", shops: "Shops"}
	var statements []wise.BalanceStatement
	for _, balance := range []struct {
		id       int64
		currency string
		account  uuid.UUID
	}{{200001, "EUR", eur}, {200002, "USD", usd}} {
		statement, err := client.Statement(context.Background(), wisetest.ProfileID, balance.id, balance.currency,
			day("2025-03-01"), day("2025-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		statements = append(statements, wise.BalanceStatement{Balance: wise.Balance{ID: balance.id,
			Currency: balance.currency}, AccountID: balance.account, Statement: statement})
	}
	rules, _ := imports.CompileRules([]imports.Rule{{ID: uuid.New(), Field: "payee", Match: "contains",
		Pattern: "shop", AccountID: shops}})
	built := wise.Lines(statements, wise.Target{Uncategorized: uncategorized, Fees: fees, Rules: rules,
		AccountFor: func(currency string) (uuid.UUID, bool) {
			accounts := map[string]uuid.UUID{"EUR": eur, "USD": usd}
			account, ok := accounts[currency]
			return account, ok
		}})

	want := []string{
		"Wise EUR -200.6 EUR; Fees 0.6 EUR; Uncategorized 200 EUR",
		"Wise EUR 250 EUR; Uncategorized -250 EUR",
		"Wise EUR -45.51 EUR; Fees 0.19 EUR; Shops 50 USD @ 0.9064 EUR",
		"Wise EUR -100 EUR; Fees 0.45 EUR; Wise USD 108.2 USD @ 0.920055 EUR; Fees 0.000049 EUR",
		"Wise EUR 200 EUR; Uncategorized -200 EUR",
	}
	if len(built.Lines) != len(want) {
		t.Fatalf("lines: got %d, want %d (the conversion's USD leg joins its EUR leg)", len(built.Lines), len(want))
	}
	seen := map[string]bool{}
	for i, line := range built.Lines {
		var parts []string
		sums := map[string]decimal.Decimal{}
		for _, posting := range line.Entry.Postings {
			part := names[posting.AccountID] + " " + posting.Amount.String() + " " + posting.Currency
			if posting.Price != nil {
				part += " @ " + posting.Price.String()
			}
			parts = append(parts, part)
			weight, currency := posting.Weight()
			sums[currency] = sums[currency].Add(weight)
		}
		if got := strings.Join(parts, "; "); got != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got, want[i])
		}
		for currency, sum := range sums {
			if !sum.IsZero() {
				t.Errorf("line %d does not balance in %s", i+1, currency)
			}
		}
		for _, key := range line.Keys {
			if seen[key] {
				t.Errorf("key %s repeats", key)
			}
			seen[key] = true
		}
	}
	if !seen[usd.String()+"|wise:BALANCE-423:CREDIT:main"] || !seen[eur.String()+"|wise:TRANSFER-123:CREDIT:main"] {
		t.Errorf("keys: %v", seen)
	}
	if built.Rules[2] == nil || built.Rules[0] != nil {
		t.Errorf("rules: %v", built.Rules)
	}

	books := map[string]decimal.Decimal{"EUR": decimal.RequireFromString("103.89")}
	mismatches := wise.Reconcile(statements, domain.MustDate("2025-03-31"),
		func(account uuid.UUID, currency string, date domain.Date) decimal.Decimal { return books[currency] })
	if len(mismatches) != 1 || mismatches[0].Currency != "USD" || mismatches[0].Wise.String() != "108.2" {
		t.Fatalf("reconcile: got %+v", mismatches)
	}
}
