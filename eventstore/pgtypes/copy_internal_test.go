package pgtypes

import (
	"math/big"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
)

// TestCopyEncodesReadModelValuesDirectly fails when a value that read-model
// rows are made of would go through pgx's type map instead (which
// TestCopyFromStoresWhatPgxStores cannot tell: the result is the same).
func TestCopyEncodesReadModelValuesDirectly(t *testing.T) {
	values := []struct {
		oid   uint32
		value any
	}{
		{pgtype.UUIDOID, uuid.New()}, {pgtype.UUIDOID, pgtype.UUID{Valid: true}}, {pgtype.TextOID, "text"},
		{pgtype.VarcharOID, "text"}, {pgtype.Int8OID, int64(1)}, {pgtype.Int4OID, 1}, {pgtype.Int2OID, int32(1)},
		{pgtype.BoolOID, true}, {pgtype.DateOID, time.Now()}, {pgtype.DateOID, Date(1)},
		{pgtype.TimestamptzOID, time.Now()}, {pgtype.NumericOID, Numeric64{Coefficient: 150, Exponent: -2}},
		{pgtype.NumericOID, decimal.RequireFromString("-1.5")},
		{pgtype.NumericOID, pgtype.Numeric{Int: big.NewInt(15), Exp: -1, Valid: true}},
		{pgtype.TextArrayOID, []string{"a"}}, {pgtype.ByteaOID, []byte{1}}, {pgtype.TextOID, nil},
	}
	for _, v := range values {
		if _, ok, _ := appendDirect(nil, v.oid, v.value); !ok {
			t.Errorf("%T for type %d goes through pgx", v.value, v.oid)
		}
	}
}
