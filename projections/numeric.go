package projections

import (
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"folio/domain"
	"folio/eventstore/pgtypes"
)

// numeric converts an exact decimal into pgx's numeric value without going
// through text or floats. Trailing fractional zeros are dropped, as the text
// form did, so "20.00" and a rate's "1.24004900" are stored as 20 and
// 1.240049 whichever path wrote them.
func numeric(d decimal.Decimal) pgtype.Numeric {
	coefficient, exponent := d.Coefficient(), d.Exponent()
	if exponent < 0 && coefficient.IsInt64() {
		var small int64
		small, exponent = dropTrailingZeros(coefficient.Int64(), exponent)
		coefficient.SetInt64(small)
	}
	return pgtype.Numeric{Int: coefficient, Exp: exponent, Valid: true}
}

// dropTrailingZeros removes the zeros after the decimal point at the end of
// coefficient×10^exponent; zero itself gets no decimals.
func dropTrailingZeros(coefficient int64, exponent int32) (int64, int32) {
	for exponent < 0 && coefficient != 0 && coefficient%10 == 0 {
		coefficient /= 10
		exponent++
	}
	if coefficient == 0 && exponent < 0 {
		exponent = 0
	}
	return coefficient, exponent
}

// copyAmount is an amount for a row that pgtypes.CopyFrom writes: a
// pgtypes.Numeric64 when it has at most 18 digits, which is written without
// math/big and costs the garbage collector nothing to scan, with trailing
// fractional zeros dropped as numeric drops them.
func copyAmount(d decimal.Decimal) any {
	if d.NumDigits() > 18 {
		return numeric(d)
	}
	coefficient, exponent := dropTrailingZeros(d.CoefficientInt64(), d.Exponent())
	return pgtypes.Numeric64{Coefficient: coefficient, Exponent: exponent}
}

// copyDate is a date for a row that pgtypes.CopyFrom writes.
func copyDate(d domain.Date) any { return pgtypes.DateOf(d.Time()) }

// pgUUID hands pgx the id's bytes directly. Passed as uuid.UUID, pgx would
// go through its driver.Valuer and a string for every value of a COPY.
func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// pgUUIDs converts ids for an array parameter. As []uuid.UUID, pgx would
// encode each id through its driver.Valuer and a string.
func pgUUIDs(ids []uuid.UUID) []pgtype.UUID {
	out := make([]pgtype.UUID, len(ids))
	for i, id := range ids {
		out[i] = pgUUID(id)
	}
	return out
}
