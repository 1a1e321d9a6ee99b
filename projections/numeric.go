package projections

import (
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
)

// numeric converts an exact decimal into pgx's numeric value without going
// through text or floats.
func numeric(d decimal.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
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
