package wise_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"folio/app/wise"
	"folio/app/wise/wisetest"
)

func noSleep(context.Context, time.Duration) error { return nil }

func day(text string) time.Time {
	t, err := time.Parse("2006-01-02", text)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func TestProfilesAndBalances(t *testing.T) {
	fake := wisetest.New()
	defer fake.Close()
	client := wise.New(fake.URL, wisetest.Token, nil)
	profiles, err := client.Profiles(context.Background())
	if err != nil || len(profiles) != 2 || profiles[1].Name() != "Lee OÜ" || profiles[1].Type != "BUSINESS" {
		t.Fatalf("profiles: got %+v %v", profiles, err)
	}
	balances, err := client.Balances(context.Background(), wisetest.ProfileID)
	if err != nil || len(balances) != 2 || balances[0].Currency != "EUR" || balances[1].ID != 200002 {
		t.Fatalf("balances: got %+v %v", balances, err)
	}
}

func TestStatementSplitsLongRanges(t *testing.T) {
	fake := wisetest.New()
	defer fake.Close()
	fake.Set(func(s *wisetest.Server) {
		s.Transactions = []wisetest.Transaction{
			{BalanceID: 200001, Date: day("2023-01-01"), Amount: "100", DetailsType: "DEPOSIT", Reference: "TRANSFER-1"},
			{BalanceID: 200001, Date: day("2024-06-01"), Amount: "-10", DetailsType: "TRANSFER", Reference: "TRANSFER-2"},
			{BalanceID: 200001, Date: day("2025-03-31"), Amount: "-5", DetailsType: "TRANSFER", Reference: "TRANSFER-3"},
			{BalanceID: 200001, Date: day("2025-04-01"), Amount: "-1", DetailsType: "TRANSFER", Reference: "TRANSFER-4"},
		}
	})
	client := wise.New(fake.URL, wisetest.Token, nil)
	statement, err := client.Statement(context.Background(), wisetest.ProfileID, 200001, "EUR",
		day("2023-01-01"), day("2025-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(statement.Transactions) != 3 || statement.Transactions[0].ReferenceNumber != "TRANSFER-1" ||
		statement.Transactions[2].ReferenceNumber != "TRANSFER-3" {
		t.Fatalf("transactions: got %+v", statement.Transactions)
	}
	if got := statement.EndOfStatementBalance.Value.String(); got != "85" {
		t.Errorf("end balance: got %s, want 85", got)
	}
	requests := fake.StatementRequests()
	if len(requests) != 2 {
		t.Fatalf("requests: got %d, want 2 windows", len(requests))
	}
	if !requests[1].Start.Equal(requests[0].End.Add(time.Millisecond)) {
		t.Errorf("windows leave a gap or overlap: %+v", requests)
	}
	for _, window := range wise.Windows(day("2020-01-01"), day("2025-12-31")) {
		if window.End.Sub(window.Start) >= wise.WindowDaysMax*24*time.Hour {
			t.Errorf("window %v is longer than %d days", window, wise.WindowDaysMax)
		}
	}
}

func TestErrors(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name   string
		setup  func(s *wisetest.Server)
		token  string
		key    *rsa.PrivateKey
		client *http.Client
		want   wise.ErrorKind // "" means success
	}{
		{name: "BadToken", token: "wrong", want: wise.ErrUnauthorized},
		{name: "ServerError", setup: func(s *wisetest.Server) { s.Status = 503 }, want: wise.ErrUnavailable},
		{name: "Rejected", setup: func(s *wisetest.Server) { s.Status = 422 }, want: wise.ErrRejected},
		{name: "RateLimitedThenServed", setup: func(s *wisetest.Server) { s.RateLimits, s.RetryAfter = 2, "1" }},
		{name: "RateLimitedTooOften", setup: func(s *wisetest.Server) { s.RateLimits, s.RetryAfter = 5, "1" },
			want: wise.ErrRateLimited},
		{name: "RetryAfterTooLong", setup: func(s *wisetest.Server) { s.RateLimits, s.RetryAfter = 1, "3600" },
			want: wise.ErrRateLimited},
		{name: "SCAWithoutKey", setup: func(s *wisetest.Server) { s.SCAKey = &key.PublicKey },
			want: wise.ErrSCARequired},
		{name: "SCASigned", setup: func(s *wisetest.Server) { s.SCAKey = &key.PublicKey }, key: key},
		{name: "SCAWrongKey", setup: func(s *wisetest.Server) { s.SCAKey = &key.PublicKey }, key: otherKey,
			want: wise.ErrSCARejected},
		{name: "Timeout", setup: func(s *wisetest.Server) { s.Delay = 300 * time.Millisecond },
			client: &http.Client{Timeout: 50 * time.Millisecond}, want: wise.ErrTimeout},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			fake := wisetest.New()
			defer fake.Close()
			if test.setup != nil {
				fake.Set(test.setup)
			}
			token := test.token
			if token == "" {
				token = wisetest.Token
			}
			options := []wise.Option{wise.WithSleep(noSleep)}
			if test.client != nil {
				options = append(options, wise.WithHTTPClient(test.client))
			}
			client := wise.New(fake.URL, token, test.key, options...)
			_, err := client.Statement(context.Background(), wisetest.ProfileID, 200001, "EUR",
				day("2025-03-01"), day("2025-03-31"))
			if test.want == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			var wiseErr *wise.Error
			if !errors.As(err, &wiseErr) || wiseErr.Kind != test.want {
				t.Fatalf("got %v, want a %s error", err, test.want)
			}
			if wiseErr.Message == "" || containsToken(wiseErr.Message) {
				t.Fatalf("message %q", wiseErr.Message)
			}
		})
	}
}

func containsToken(text string) bool {
	return strings.Contains(text, wisetest.Token) || strings.Contains(text, "Bearer")
}
