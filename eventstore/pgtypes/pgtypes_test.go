package pgtypes_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"folio/eventstore/pgtest"
	"folio/eventstore/pgtypes"
)

// The pools of pgtest.NewPool register the codecs through Configure, as the
// app's pools do.
func TestMain(m *testing.M) { pgtest.Main(m) }

// TestPlansAreTheDirectOnes fails when pgx would still go through
// driver.Valuer and sql.Scanner (strings) for ids and amounts.
func TestPlansAreTheDirectOnes(t *testing.T) {
	m := pgtype.NewMap()
	pgtypes.Register(m)
	pgtypes.Register(m) // twice is harmless
	plans := map[string]any{
		"encode uuid":    m.PlanEncode(pgtype.UUIDOID, pgtype.BinaryFormatCode, uuid.UUID{}),
		"scan uuid":      m.PlanScan(pgtype.UUIDOID, pgtype.BinaryFormatCode, &uuid.UUID{}),
		"encode decimal": m.PlanEncode(pgtype.NumericOID, pgtype.BinaryFormatCode, decimal.Decimal{}),
		"scan decimal":   m.PlanScan(pgtype.NumericOID, pgtype.BinaryFormatCode, &decimal.Decimal{}),
	}
	for what, plan := range plans {
		name := fmt.Sprintf("%T", plan)
		if !strings.HasPrefix(name, "pgtypes.") {
			t.Errorf("%s: the plan is %s", what, name)
		}
	}
}

func TestIDsRoundTrip(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	id, other := uuid.New(), uuid.New()

	var text string
	var back uuid.UUID
	err := pool.QueryRow(ctx, `SELECT $1::uuid::text, $1::uuid`, id).Scan(&text, &back)
	if err != nil || text != id.String() || back != id {
		t.Fatalf("got %s %s %v, want %s", text, back, err, id)
	}

	var found bool
	err = pool.QueryRow(ctx, `SELECT $1::uuid = ANY($2::uuid[])`, other, []uuid.UUID{id, other}).Scan(&found)
	if err != nil || !found {
		t.Fatalf("an id in an array: %v %v", found, err)
	}
	var ids []uuid.UUID
	err = pool.QueryRow(ctx, `SELECT ARRAY[$1::uuid, $2::uuid]`, id, other).Scan(&ids)
	if err != nil || len(ids) != 2 || ids[0] != id || ids[1] != other {
		t.Fatalf("an array of ids: %v %v", ids, err)
	}

	var missing *uuid.UUID
	var isNull bool
	if err := pool.QueryRow(ctx, `SELECT $1::uuid IS NULL`, missing).Scan(&isNull); err != nil || !isNull {
		t.Fatalf("a nil *uuid.UUID is NULL: %v %v", isNull, err)
	}
	if err := pool.QueryRow(ctx, `SELECT NULL::uuid`).Scan(&back); err == nil {
		t.Fatal("NULL scanned into a uuid.UUID without an error")
	}
	var nullable *uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT NULL::uuid`).Scan(&nullable); err != nil || nullable != nil {
		t.Fatalf("NULL into *uuid.UUID: %v %v", nullable, err)
	}
}

func TestAmountsRoundTripExactly(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	for _, text := range []string{"0", "20.00", "-35.5", "0.000001", "1.240049",
		"123456789012345678901234567890.123456789", "-0.01", "1000000"} {
		amount := decimal.RequireFromString(text)
		var asText string
		var back decimal.Decimal
		err := pool.QueryRow(ctx, `SELECT $1::numeric::text, $1::numeric`, amount).Scan(&asText, &back)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if !decimal.RequireFromString(asText).Equal(amount) || !back.Equal(amount) {
			t.Errorf("%s: the server saw %s and sent back %s", text, asText, back)
		}
	}

	var sum decimal.Decimal
	err := pool.QueryRow(ctx, `SELECT sum(a) FROM unnest($1::numeric[]) AS a`,
		[]decimal.Decimal{decimal.RequireFromString("0.10"), decimal.RequireFromString("0.20")}).Scan(&sum)
	if err != nil || !sum.Equal(decimal.RequireFromString("0.3")) {
		t.Fatalf("an array of amounts: %s %v", sum, err)
	}

	var amount decimal.Decimal
	if err := pool.QueryRow(ctx, `SELECT 'NaN'::numeric`).Scan(&amount); err == nil {
		t.Fatal("NaN scanned into a decimal without an error")
	}
	if err := pool.QueryRow(ctx, `SELECT NULL::numeric`).Scan(&amount); err == nil {
		t.Fatal("NULL scanned into a decimal without an error")
	}
	var nullable decimal.NullDecimal
	if err := pool.QueryRow(ctx, `SELECT NULL::numeric`).Scan(&nullable); err != nil || nullable.Valid {
		t.Fatalf("NULL into a NullDecimal: %v %v", nullable, err)
	}
}

// TestTextFormatKeepsPgxsHandling runs the same values through the simple
// protocol, where everything travels as text.
func TestTextFormatKeepsPgxsHandling(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	id, amount := uuid.New(), decimal.RequireFromString("-12.34")
	var back uuid.UUID
	var sum decimal.Decimal
	err := pool.QueryRow(ctx, `SELECT $1::uuid, $2::numeric + 1`, pgx.QueryExecModeSimpleProtocol, id, amount).
		Scan(&back, &sum)
	if err != nil || back != id || !sum.Equal(decimal.RequireFromString("-11.34")) {
		t.Fatalf("simple protocol: %s %s %v", back, sum, err)
	}
}
