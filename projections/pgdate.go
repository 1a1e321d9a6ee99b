package projections

import (
	"fmt"
	"time"

	"folio/domain"
)

// pgDate scans a PostgreSQL date into a domain.Date.
type pgDate struct {
	domain.Date
}

// Scan implements sql.Scanner, which pgx uses for date columns.
func (d *pgDate) Scan(src any) error {
	t, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("scan date: got %T", src)
	}
	d.Date = domain.DateOf(t)
	return nil
}
