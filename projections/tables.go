package projections

import (
	"github.com/jackc/pgx/v5"
)

// Projection names a group of read-model tables that are rebuilt together.
type Projection struct {
	Name string
	// Version changes whenever the projection's rows would come out
	// differently from the same events; operators see it on the admin page.
	Version int
	Tables  []string
}

// All lists every projection.
var All = []Projection{
	{Name: "accounts", Version: 1, Tables: []string{"accounts", "account_balances"}},
	{Name: "journal", Version: 1, Tables: []string{"journal", "journal_postings"}},
	{Name: "monthly_totals", Version: 1, Tables: []string{"monthly_totals"}},
}

// ByName finds a projection.
func ByName(name string) (Projection, bool) {
	for _, projection := range All {
		if projection.Name == name {
			return projection, true
		}
	}
	return Projection{}, false
}

const (
	liveSchema    = "public"
	rebuildSchema = "folio_rebuild"
)

// schema says where a projection's tables live: the live ones, or their
// replacements while a rebuild fills them.
type schema string

func (s schema) table(name string) string {
	return pgx.Identifier{string(s), name}.Sanitize()
}
