package pgtypes_test

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"folio/eventstore/pgtest"
	"folio/eventstore/pgtypes"
)

const copyTable = `(n int8, id uuid, maybe_id uuid, t text, v varchar(40), i4 int4, i2 int2, b bool,
	d date, ts timestamptz, amount numeric, exact numeric, tags text[], raw bytea, doc jsonb, ids uuid[], small numeric, day date)`

var copyColumns = []string{"n", "id", "maybe_id", "t", "v", "i4", "i2", "b", "d", "ts", "amount", "exact",
	"tags", "raw", "doc", "ids", "small", "day"}

// copyRows mixes every value the direct encoder knows with values it hands
// to pgx (jsonb, uuid[], amounts beyond int64, a nil decimal pointer). pgx's
// own CopyFrom takes pgtypes.Numeric64 and pgtypes.Date through their
// NumericValue and DateValue methods.
func copyRows() [][]any {
	random := rand.New(rand.NewPCG(1, 2))
	berlin := time.FixedZone("UTC+2", 2*3600)
	edges := []decimal.Decimal{decimal.Zero, decimal.New(0, -2), decimal.New(0, 3), decimal.New(math.MaxInt64, -4),
		decimal.New(math.MinInt64, -7), decimal.New(math.MaxInt64, 0), decimal.New(5, 30), decimal.New(-12345, -40),
		decimal.New(1, -1001), decimal.RequireFromString("123456789012345678901234567890.123")}
	var rows [][]any
	for n := range 2000 {
		coefficient := random.Int64N(1_000_000_000_000) - 500_000_000_000
		if n%5 == 0 {
			coefficient = random.Int64N(100) - 50
		}
		amount := decimal.New(coefficient, int32(random.IntN(30))-24)
		if n < len(edges) {
			amount = edges[n]
		}
		var exact any = pgtype.Numeric{Int: big.NewInt(random.Int64N(1e12) - 5e11), Exp: int32(random.IntN(12)) - 10, Valid: true}
		if n%7 == 0 {
			exact = (*decimal.Decimal)(nil)
		}
		var maybe any = pgtype.UUID{Bytes: uuid.New(), Valid: n%3 != 0}
		if n%11 == 0 {
			maybe = nil
		}
		tags := []string{}
		for range n % 4 {
			tags = append(tags, strings.Repeat("é", random.IntN(3))+"tag")
		}
		if n%9 == 0 {
			tags = nil
		}
		day := time.Date(1990+random.IntN(40), time.Month(1+random.IntN(12)), 1+random.IntN(28), 23, 30, 0, 0, berlin)
		stamp := time.Unix(random.Int64N(2e9)-5e8, random.Int64N(1e9)).In(berlin)
		rows = append(rows, []any{int64(n), uuid.New(), maybe, "text ü " + amount.String(), "varchar", n - 1000,
			int32(n % 300), n%2 == 0, day, stamp, amount, exact, tags, []byte{0, byte(n), 255},
			map[string]any{"n": n}, []uuid.UUID{uuid.New()},
			pgtypes.Numeric64{Coefficient: coefficient, Exponent: int32(random.IntN(20)) - 16},
			pgtypes.DateOf(day)})
	}
	return rows
}

// TestCopyFromStoresWhatPgxStores copies the same rows with pgx's CopyFrom
// and with pgtypes.CopyFrom and compares the stored rows as text, which
// shows every digit and the display scale of each amount.
func TestCopyFromStoresWhatPgxStores(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE copied_by_pgx `+copyTable+`; CREATE TABLE copied_direct `+copyTable); err != nil {
		t.Fatal(err)
	}
	rows := copyRows()
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"copied_by_pgx"}, copyColumns, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	copied, err := pgtypes.CopyFrom(ctx, conn.Conn(), pgx.Identifier{"copied_direct"}, copyColumns, rows)
	if err != nil || copied != int64(len(rows)) {
		t.Fatalf("copied %d rows, %v", copied, err)
	}
	want, got := storedRows(t, pool, "copied_by_pgx"), storedRows(t, pool, "copied_direct")
	if len(want) != len(rows) || !slices.Equal(got, want) {
		for i := range min(len(want), len(got)) {
			if want[i] != got[i] {
				t.Fatalf("row %d differs:\n pgx:    %s\n direct: %s", i, want[i], got[i])
			}
		}
		t.Fatalf("stored %d rows, want %d", len(got), len(want))
	}
}

func storedRows(t *testing.T, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, table string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT x::text FROM `+table+` x ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// TestCopyFromFailsWholly: a bad row, on the client or the server side,
// fails the COPY with the reason and stores nothing.
func TestCopyFromFailsWholly(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE strict (n int8 NOT NULL, label text NOT NULL, small int2)`); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	good := func(n int) []any { return []any{int64(n), "ok", int32(1)} }
	cases := map[string][]any{
		"NOT NULL broken on the server": {int64(1), nil, int32(1)},
		"too few values":                {int64(1), "ok"},
		"out of range for int2":         {int64(1), "ok", int64(70_000)},
		"a type with no encoding":       {int64(1), "ok", struct{}{}},
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			rows := make([][]any, 0, 30_000)
			for n := range 30_000 { // more than one chunk before the bad row
				rows = append(rows, good(n))
			}
			rows = append(rows, bad)
			if _, err := pgtypes.CopyFrom(ctx, conn.Conn(), pgx.Identifier{"strict"}, []string{"n", "label", "small"}, rows); err == nil {
				t.Fatal("the COPY succeeded")
			}
			var stored int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM strict`).Scan(&stored); err != nil || stored != 0 {
				t.Fatalf("%d rows stored (%v)", stored, err)
			}
		})
	}
}
