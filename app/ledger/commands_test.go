package ledger_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/app/ledger"
	"folio/domain"
)

func openBooks(t *testing.T, service *ledger.Service, userID uuid.UUID) *domain.Books {
	t.Helper()
	ctx := context.Background()
	if _, err := service.Execute(ctx, ledger.Meta{UserID: userID}, domain.OpenBooks{BaseCurrency: "EUR", FiscalYearStartMonth: 1, StarterChart: true}); err != nil {
		t.Fatal(err)
	}
	var books *domain.Books
	_ = service.Read(ctx, userID, func(b *domain.Books) error { books = b; return nil })
	return books
}

func TestRepeatedCommandIDReturnsTheFirstResult(t *testing.T) {
	service, pool := newService(t)
	userID := uuid.New()
	books := openBooks(t, service, userID)
	checking, _ := books.AccountByName("Checking")
	groceries, _ := books.AccountByName("Groceries")
	entry := domain.Entry{Date: domain.MustDate("2026-01-31"), Description: "Market", Postings: []domain.Posting{
		{AccountID: groceries.ID, Amount: decimal.RequireFromString("12.50"), Currency: "EUR"},
		{AccountID: checking.ID, Amount: decimal.RequireFromString("-12.50"), Currency: "EUR"},
	}}
	meta := ledger.Meta{UserID: userID, CommandID: uuid.New()}
	first, err := service.Execute(context.Background(), meta, domain.RecordTransaction{Entry: entry})
	if err != nil {
		t.Fatal(err)
	}
	again, err := service.Execute(context.Background(), meta, domain.RecordTransaction{Entry: entry})
	if err != nil {
		t.Fatal(err)
	}
	firstID := first.Events[0].(domain.TransactionRecorded).TransactionID
	againID := again.Events[0].(domain.TransactionRecorded).TransactionID
	if !again.Duplicate || firstID != againID {
		t.Fatalf("got transaction %s (duplicate %v), want the first one %s", againID, again.Duplicate, firstID)
	}
	var count int
	_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM journal WHERE user_id = $1`, userID).Scan(&count)
	if count != 1 {
		t.Errorf("got %d journal rows, want 1", count)
	}
}

func TestRejectedCommandsStoreNothing(t *testing.T) {
	service, pool := newService(t)
	userID := uuid.New()
	books := openBooks(t, service, userID)
	checking, _ := books.AccountByName("Checking")
	savings, _ := books.AccountByName("Savings")
	ctx := context.Background()
	if _, err := service.Execute(ctx, ledger.Meta{UserID: userID}, domain.CloseAccount{AccountID: savings.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := service.Execute(ctx, ledger.Meta{UserID: userID}, domain.SetLockDate{LockDate: domain.MustDate("2025-12-31")}); err != nil {
		t.Fatal(err)
	}
	posting := func(account uuid.UUID, amount string) domain.Posting {
		return domain.Posting{AccountID: account, Amount: decimal.RequireFromString(amount), Currency: "EUR"}
	}
	groceries, _ := books.AccountByName("Groceries")
	cases := map[string]domain.Entry{
		"unbalanced":     {Date: domain.MustDate("2026-01-02"), Postings: []domain.Posting{posting(groceries.ID, "10"), posting(checking.ID, "-9")}},
		"unknown":        {Date: domain.MustDate("2026-01-02"), Postings: []domain.Posting{posting(uuid.New(), "10"), posting(checking.ID, "-10")}},
		"closed":         {Date: domain.MustDate("2026-01-02"), Postings: []domain.Posting{posting(savings.ID, "10"), posting(checking.ID, "-10")}},
		"on lock date":   {Date: domain.MustDate("2025-12-31"), Postings: []domain.Posting{posting(groceries.ID, "10"), posting(checking.ID, "-10")}},
		"before lock":    {Date: domain.MustDate("2025-01-01"), Postings: []domain.Posting{posting(groceries.ID, "10"), posting(checking.ID, "-10")}},
		"40-digit value": {Date: domain.MustDate("2026-01-02"), Postings: []domain.Posting{posting(groceries.ID, "1234567890123456789012345678901234567890"), posting(checking.ID, "-1234567890123456789012345678901234567890")}},
	}
	var before int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&before)
	for name, entry := range cases {
		_, err := service.Execute(ctx, ledger.Meta{UserID: userID}, domain.RecordTransaction{Entry: entry})
		if !ledger.IsRejection(err) {
			t.Errorf("%s: got %v, want a rejection", name, err)
		}
	}
	for _, text := range []string{"1,2,3", "NaN", "1234567890123456789012345678901234567890"} {
		if _, err := domain.ParseAmount("amount", text); err == nil {
			t.Errorf("amount %q accepted", text)
		}
	}
	var after, journal int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&after)
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM journal`).Scan(&journal)
	if after != before || journal != 0 {
		t.Errorf("rejections stored %d events and %d journal rows", after-before, journal)
	}
}

func TestRepeatedCommandIDIsNotDecidedAgain(t *testing.T) {
	service, _ := newService(t)
	userID := uuid.New()
	books := openBooks(t, service, userID)
	savings, _ := books.AccountByName("Savings")
	meta := ledger.Meta{UserID: userID, CommandID: uuid.New()}
	first, err := service.Execute(context.Background(), meta, domain.CloseAccount{AccountID: savings.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Deciding again would say the account is already closed.
	again, err := service.Execute(context.Background(), meta, domain.CloseAccount{AccountID: savings.ID})
	if err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if !again.Duplicate || again.LastVersion != first.LastVersion {
		t.Fatalf("got %+v, want the first result %+v", again, first)
	}
}
