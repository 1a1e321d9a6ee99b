package projections

import (
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
)

// numeric converts an exact decimal into pgx's numeric value without going
// through text or floats. Trailing fractional zeros are dropped, as the text
// form did, so "20.00" and a rate's "1.24004900" are stored as 20 and
// 1.240049 whichever path wrote them.
func numeric(d decimal.Decimal) pgtype.Numeric {
	coefficient, exponent := d.Coefficient(), d.Exponent()
	if exponent < 0 && coefficient.IsInt64() {
		small := coefficient.Int64()
		for exponent < 0 && small != 0 && small%10 == 0 {
			small /= 10
			exponent++
		}
		if small == 0 {
			exponent = 0
		}
		coefficient.SetInt64(small)
	}
	return pgtype.Numeric{Int: coefficient, Exp: exponent, Valid: true}
}

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
