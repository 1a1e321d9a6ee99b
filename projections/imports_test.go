package projections_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

func TestImportsFollowEveryPath(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	w := newWriter(t, store)
	first, second, txn := uuid.New(), uuid.New(), uuid.New()
	importedAt := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	w.append(t, domain.TransactionRecorded{TransactionID: txn, Entry: w.entry(1)},
		domain.StatementImported{ImportID: first, AccountID: w.bank, Source: "csv", FileName: "march.csv",
			FileSHA256: strings.Repeat("a", 64), ImportedAt: importedAt, ImportedBy: w.userID, Duplicates: 3,
			Transactions: []domain.ImportedTransaction{{TransactionID: txn, Keys: []string{"k1"}}}})
	w.append(t, domain.StatementImported{ImportID: second, Source: "wise", ImportedAt: importedAt.Add(time.Hour),
		ImportedBy: w.userID, Transactions: []domain.ImportedTransaction{}})
	w.append(t, domain.TransactionVoided{TransactionID: txn, Reason: "import undone"},
		domain.ImportUndone{ImportID: first, UndoneAt: importedAt.Add(2 * time.Hour), UndoneBy: w.userID})

	check := func(stage string) {
		t.Helper()
		rows, err := projections.Imports(ctx, pool, w.userID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].ImportID != second || rows[1].ImportID != first {
			t.Fatalf("%s: imports, newest first: got %+v", stage, rows)
		}
		got := rows[1]
		if got.AccountID != w.bank || got.Created != 1 || got.Duplicates != 3 || !got.Undone ||
			got.FileName != "march.csv" || !got.ImportedAt.Equal(importedAt) {
			t.Errorf("%s: got %+v", stage, got)
		}
		if rows[0].AccountID != uuid.Nil || rows[0].Undone {
			t.Errorf("%s: got %+v", stage, rows[0])
		}
		if diff, err := projections.Verify(ctx, pool, w.userID); err != nil || diff != "" {
			t.Fatalf("%s: verify: %q %v", stage, diff, err)
		}
	}
	check("inline")

	if _, err := pool.Exec(ctx, `UPDATE imports SET created = 7`); err != nil {
		t.Fatal(err)
	}
	if diff, err := projections.Verify(ctx, pool, w.userID); err != nil || !strings.Contains(diff, "imports") {
		t.Fatalf("verify after tampering: got %q %v", diff, err)
	}
	if _, err := projections.RebuildUser(ctx, pool, w.userID); err != nil {
		t.Fatal(err)
	}
	check("user rebuild")

	other, err := projections.Imports(ctx, pool, uuid.New(), 10)
	if err != nil || len(other) != 0 {
		t.Fatalf("another user's imports: got %v %v", other, err)
	}
}
