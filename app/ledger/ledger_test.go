package ledger_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"folio/app/ledger"
	"folio/domain"
	"folio/eventstore"
	"folio/eventstore/pgtest"
	"folio/projections"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newService(t *testing.T) (*ledger.Service, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.NewPool(t)
	store := eventstore.New(pool, eventstore.WithProjector(projections.Projector{}))
	return ledger.New(store, slog.New(slog.DiscardHandler), 16), pool
}

// randomBooks drives one user's books with a random mix of valid and
// invalid commands and checks after each one that a rejection stored
// nothing.
type randomBooks struct {
	t        *testing.T
	rng      *rand.Rand
	service  *ledger.Service
	pool     *pgxpool.Pool
	userID   uuid.UUID
	accounts []uuid.UUID
	txns     []uuid.UUID
}

var currencies = []string{"EUR", "USD", "CHF"}

func (r *randomBooks) run(cmd domain.Command) (ledger.Result, error) {
	r.t.Helper()
	before := r.version()
	result, err := r.service.Execute(context.Background(), ledger.Meta{UserID: r.userID}, cmd)
	if err != nil && !ledger.IsRejection(err) {
		r.t.Fatalf("%s failed: %v", domain.CommandName(cmd), err)
	}
	if err != nil && r.version() != before {
		r.t.Fatalf("rejected %s changed the stream: %v", domain.CommandName(cmd), err)
	}
	return result, err
}

func (r *randomBooks) version() int64 {
	var version int64
	_ = r.pool.QueryRow(context.Background(), `SELECT coalesce(max(version), 0) FROM events WHERE user_id = $1`, r.userID).Scan(&version)
	return version
}

func (r *randomBooks) step() {
	switch n := r.rng.IntN(100); {
	case n < 8 || len(r.accounts) < 3:
		r.openAccount()
	case n < 60:
		r.recordTransaction()
	case n < 75 && len(r.txns) > 0:
		r.amendTransaction()
	case n < 85 && len(r.txns) > 0:
		r.run(domain.VoidTransaction{TransactionID: r.pick(r.txns), Reason: "random"})
	case n < 90:
		r.run(domain.RenameAccount{AccountID: r.pick(r.accounts), Name: fmt.Sprintf("Renamed %d", r.rng.IntN(50))})
	case n < 94:
		r.run(domain.CloseAccount{AccountID: r.pick(r.accounts)})
	case n < 97:
		r.run(domain.ReopenAccount{AccountID: r.pick(r.accounts)})
	default:
		r.run(domain.SetLockDate{LockDate: r.date().AddDays(-400)})
	}
}

func (r *randomBooks) pick(ids []uuid.UUID) uuid.UUID { return ids[r.rng.IntN(len(ids))] }

func (r *randomBooks) date() domain.Date {
	return domain.MustDate("2024-01-01").AddDays(r.rng.IntN(3 * 365))
}

func (r *randomBooks) openAccount() {
	accountType := domain.AccountTypes[r.rng.IntN(len(domain.AccountTypes))]
	result, err := r.run(domain.OpenAccount{Name: fmt.Sprintf("Account %d", r.rng.IntN(40)), Type: accountType})
	if err == nil {
		r.accounts = append(r.accounts, result.Events[0].(domain.AccountOpened).AccountID)
	}
}

func (r *randomBooks) entry() domain.Entry {
	entry := domain.Entry{Date: r.date(), Description: fmt.Sprintf("Entry %d", r.rng.IntN(1000)), Tags: []string{"t" + fmt.Sprint(r.rng.IntN(3))}}
	currency := currencies[r.rng.IntN(len(currencies))]
	total := decimal.Zero
	for i := 0; i < 1+r.rng.IntN(3); i++ {
		amount := decimal.New(int64(r.rng.IntN(100000)+1), -2)
		total = total.Add(amount)
		entry.Postings = append(entry.Postings, domain.Posting{AccountID: r.pick(r.accounts), Amount: amount, Currency: currency})
	}
	balancing := domain.Posting{AccountID: r.pick(r.accounts), Amount: total.Neg(), Currency: currency}
	if r.rng.IntN(10) == 0 { // a conversion: the last posting in another currency at a price
		other := currencies[(r.rng.IntN(2)+1+indexOf(currency))%len(currencies)]
		balancing = domain.Posting{AccountID: r.pick(r.accounts), Amount: total.Neg().Div(decimal.RequireFromString("0.8")).Round(8),
			Currency: other, Price: &domain.Price{Amount: decimal.RequireFromString("0.8"), Currency: currency}}
		balancing.Price.Amount = total.Div(balancing.Amount.Neg())
		if !balancing.Amount.Mul(balancing.Price.Amount).Add(total).IsZero() || balancing.Price.Amount.Exponent() < -8 {
			balancing = domain.Posting{AccountID: r.pick(r.accounts), Amount: total.Neg(), Currency: currency}
		}
	}
	entry.Postings = append(entry.Postings, balancing)
	if r.rng.IntN(12) == 0 { // an unbalanced entry the domain must reject
		entry.Postings[0].Amount = entry.Postings[0].Amount.Add(decimal.New(1, -2))
	}
	return entry
}

func indexOf(currency string) int {
	for i, c := range currencies {
		if c == currency {
			return i
		}
	}
	return 0
}

func (r *randomBooks) recordTransaction() {
	result, err := r.run(domain.RecordTransaction{Entry: r.entry()})
	if err == nil {
		r.txns = append(r.txns, result.Events[0].(domain.TransactionRecorded).TransactionID)
	}
}

func (r *randomBooks) amendTransaction() {
	r.run(domain.AmendTransaction{TransactionID: r.pick(r.txns), Entry: r.entry()})
}

func TestRandomBooksInlineEqualsRebuiltEqualsFold(t *testing.T) {
	service, pool := newService(t)
	ctx := context.Background()
	var users []uuid.UUID
	for seed := uint64(1); seed <= 4; seed++ {
		r := &randomBooks{t: t, rng: rand.New(rand.NewPCG(seed, 42)), service: service, pool: pool, userID: uuid.New()}
		if _, err := r.run(domain.OpenBooks{BaseCurrency: "EUR", FiscalYearStartMonth: 1, StarterChart: seed%2 == 0}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 250; i++ {
			r.step()
		}
		users = append(users, r.userID)
	}

	inline := map[uuid.UUID]projections.Model{}
	for _, userID := range users {
		assertReadModelsMatchFold(t, pool, userID, "inline")
		inline[userID], _ = projections.Load(ctx, pool, userID)
	}
	if _, err := projections.Rebuild(ctx, pool, projections.RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, userID := range users {
		assertReadModelsMatchFold(t, pool, userID, "after full rebuild")
		rebuilt, _ := projections.Load(ctx, pool, userID)
		if diff := projections.Diff(inline[userID], rebuilt); diff != "" {
			t.Errorf("rebuilt differs from inline: %s", diff)
		}
	}
	if _, err := projections.RebuildUser(ctx, pool, users[0]); err != nil {
		t.Fatal(err)
	}
	assertReadModelsMatchFold(t, pool, users[0], "after user rebuild")
}

func assertReadModelsMatchFold(t *testing.T, pool *pgxpool.Pool, userID uuid.UUID, stage string) {
	t.Helper()
	ctx := context.Background()
	diff, err := projections.Verify(ctx, pool, userID)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Fatalf("%s: read models differ from a fresh fold: %s", stage, diff)
	}
	books, err := projections.Fold(ctx, pool, userID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(books.Transactions()) < 20 {
		t.Fatalf("only %d transactions: the random books are too thin to prove anything", len(books.Transactions()))
	}
	for _, asOf := range []domain.Date{{}, domain.MustDate("2025-06-30")} {
		for currency, sum := range books.TrialBalanceWeights(asOf) {
			if !sum.IsZero() {
				t.Errorf("%s: trial balance as of %s does not net to zero in %s: %s", stage, asOf, currency, sum)
			}
		}
	}
}
