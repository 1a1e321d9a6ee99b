package projections_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

func TestDocumentsFollowEveryPath(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	w := newWriter(t, store)
	txn := uuid.New()
	w.append(t, domain.TransactionRecorded{TransactionID: txn, Entry: domain.Entry{
		Date: domain.MustDate("2026-01-02"), Description: "Market", Postings: []domain.Posting{
			{AccountID: w.food, Amount: decimal.NewFromInt(5), Currency: "EUR"},
			{AccountID: w.bank, Amount: decimal.NewFromInt(-5), Currency: "EUR"},
		}}})
	receipt, invoice, gone := uuid.New(), uuid.New(), uuid.New()
	w.append(t,
		domain.DocumentAdded{DocumentID: receipt, SHA256: strings.Repeat("a", 64), Size: 100, Name: "receipt.pdf"},
		domain.DocumentAdded{DocumentID: invoice, SHA256: strings.Repeat("b", 64), Size: 250, Name: "invoice.pdf"},
		domain.DocumentAdded{DocumentID: gone, SHA256: strings.Repeat("c", 64), Size: 7, Name: "gone.pdf"},
		domain.DocumentAttached{DocumentID: invoice, TransactionID: txn},
		domain.DocumentAttached{DocumentID: receipt, TransactionID: txn},
		domain.DocumentAttached{DocumentID: gone, TransactionID: txn})
	w.append(t, domain.DocumentDetached{DocumentID: gone, TransactionID: txn},
		domain.DocumentRemoved{DocumentID: gone})

	check := func(stage string) {
		t.Helper()
		documents, err := projections.Documents(ctx, pool, w.userID)
		if err != nil {
			t.Fatal(err)
		}
		if len(documents) != 2 || documents[0].ID != invoice || documents[1].ID != receipt {
			t.Fatalf("%s: documents, newest first: got %+v", stage, documents)
		}
		if documents[0].AddedAt.IsZero() || documents[0].Size != 250 || documents[0].Name != "invoice.pdf" {
			t.Errorf("%s: got %+v", stage, documents[0])
		}
		attached, err := projections.TransactionDocuments(ctx, pool, w.userID, txn)
		if err != nil {
			t.Fatal(err)
		}
		if len(attached) != 2 || attached[0].ID != invoice || attached[1].ID != receipt {
			t.Errorf("%s: documents of the transaction, in attachment order: got %+v", stage, attached)
		}
		count, size, err := projections.DocumentUsage(ctx, pool, w.userID)
		if err != nil || count != 2 || size != 350 {
			t.Errorf("%s: usage: got %d documents, %d bytes (%v), want 2, 350", stage, count, size, err)
		}
		if diff, err := projections.Verify(ctx, pool, w.userID); err != nil || diff != "" {
			t.Fatalf("%s: verify: %q %v", stage, diff, err)
		}
	}
	check("inline")

	if _, err := pool.Exec(ctx, `DELETE FROM document_links`); err != nil {
		t.Fatal(err)
	}
	if diff, err := projections.Verify(ctx, pool, w.userID); err != nil || !strings.Contains(diff, "document_links") {
		t.Fatalf("verify after tampering: got %q %v", diff, err)
	}
	if _, err := projections.RebuildUser(ctx, pool, w.userID); err != nil {
		t.Fatal(err)
	}
	check("user rebuild")

	if _, err := pool.Exec(ctx, `UPDATE documents SET name = 'x'`); err != nil {
		t.Fatal(err)
	}
	if _, err := projections.Rebuild(ctx, pool, projections.RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	check("full rebuild")
}

func TestDocumentsOfOtherUsersAreNotFound(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	owner, stranger := newWriter(t, store), newWriter(t, store)
	document := uuid.New()
	owner.append(t, domain.DocumentAdded{DocumentID: document, SHA256: strings.Repeat("a", 64), Size: 1, Name: "a.pdf"})

	if _, err := projections.Document(ctx, pool, owner.userID, document); err != nil {
		t.Fatalf("owner: %v", err)
	}
	for _, id := range []uuid.UUID{document, uuid.New()} {
		_, err := projections.Document(ctx, pool, stranger.userID, id)
		if domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("stranger reads %s: got %v, want not found", id, err)
		}
	}
	if documents, err := projections.Documents(ctx, pool, stranger.userID); err != nil || len(documents) != 0 {
		t.Errorf("stranger's list: got %d (%v)", len(documents), err)
	}
	if stored, err := projections.DocumentStored(ctx, pool, stranger.userID, strings.Repeat("a", 64)); err != nil || stored {
		t.Errorf("stranger's store: got %v (%v)", stored, err)
	}
}
