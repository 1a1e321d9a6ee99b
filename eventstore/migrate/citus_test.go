package migrate_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"folio/eventstore/pgtest"
)

// Citus distributes a table by one column and enforces a primary key or unique index only
// when the index includes that column. These tests check the migrated schema against that
// rule, so that a migration cannot quietly add a key Citus would refuse. docs/scaling.md
// says what is checked here and what is not.

// globalTables hold nobody's books. On Citus they are reference tables or stay on the
// coordinator, and have no distribution column.
var globalTables = []string{
	"app_settings", "login_throttle", "projection_state", "rebuild_runs", "schema_migrations",
	"users", "web_sessions",
}

// coordinatorTables have a user_id but are looked up by a token's hash before the user is
// known, so they cannot be distributed by user_id: they stay on the coordinator.
var coordinatorTables = []string{"api_tokens", "password_resets"}

// uniqueKeyExceptions are unique indexes of distributed tables that lack the distribution
// column, each with what must happen to it before the table is distributed.
var uniqueKeyExceptions = map[string]string{
	"events_position_key": "the catch-up feed's global order: make the feed per shard, " +
		"or run projections inline only (docs/scaling.md)",
}

// distributionColumn is the column a table of the books is distributed by: owner_id for the
// audit tables, whose user_id-like columns are owner_id and auditor_id, user_id otherwise.
func distributionColumn(columns []string) string {
	if slices.Contains(columns, "owner_id") {
		return "owner_id"
	}
	if slices.Contains(columns, "user_id") {
		return "user_id"
	}
	return ""
}

// placement says where a table lives on Citus: "global" (a reference table),
// "coordinator" or "distributed".
func placement(table string) string {
	switch {
	case slices.Contains(globalTables, table):
		return "global"
	case slices.Contains(coordinatorTables, table):
		return "coordinator"
	}
	return "distributed"
}

type catalogTable struct {
	name    string
	columns []string
}

type uniqueIndex struct {
	table, name string
	keys        []string // key columns, or the text of expressions; INCLUDE columns left out
}

func TestUniqueKeysIncludeTheDistributionColumn(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	rows, err := pool.Query(t.Context(), `
		SELECT c.relname, array(SELECT a.attname FROM pg_attribute a
			WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (catalogTable, error) {
		var table catalogTable
		return table, row.Scan(&table.name, &table.columns)
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err = pool.Query(t.Context(), `
		SELECT t.relname, i.relname, array(SELECT pg_get_indexdef(x.indexrelid, k, true)
			FROM generate_series(1, x.indnkeyatts) k ORDER BY k)
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public' AND x.indisunique ORDER BY t.relname, i.relname`)
	if err != nil {
		t.Fatal(err)
	}
	indexes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (uniqueIndex, error) {
		var index uniqueIndex
		return index, row.Scan(&index.table, &index.name, &index.keys)
	})
	if err != nil {
		t.Fatal(err)
	}

	distributedBy := map[string]string{}
	for _, table := range tables {
		column := distributionColumn(table.columns)
		global := slices.Contains(globalTables, table.name)
		coordinator := slices.Contains(coordinatorTables, table.name)
		switch {
		case global && column != "":
			t.Errorf("table %s is listed as global but has %s", table.name, column)
		case !global && !coordinator && column == "":
			t.Errorf("table %s has no user_id or owner_id: list it as global or key it by user", table.name)
		case !global && !coordinator:
			distributedBy[table.name] = column
		}
	}
	for _, name := range slices.Concat(globalTables, coordinatorTables) {
		if !slices.ContainsFunc(tables, func(table catalogTable) bool { return table.name == name }) {
			t.Errorf("table %s is listed but does not exist", name)
		}
	}

	excepted := map[string]bool{}
	for _, index := range indexes {
		column, distributed := distributedBy[index.table]
		if !distributed || slices.Contains(index.keys, column) {
			continue
		}
		if _, listed := uniqueKeyExceptions[index.name]; listed {
			excepted[index.name] = true
			continue
		}
		t.Errorf("unique index %s on %s (%v) lacks the distribution column %s",
			index.name, index.table, index.keys, column)
	}
	for _, name := range slices.Sorted(maps.Keys(uniqueKeyExceptions)) {
		if !excepted[name] {
			t.Errorf("exception %s is listed but no distributed table has such an index "+
				"without its distribution column: remove it from the list", name)
		}
	}
	if len(distributedBy) < 20 {
		t.Errorf("only %d tables to distribute: got %v; is the schema migrated?",
			len(distributedBy), distributedBy)
	}
}

// TestForeignKeysOfDistributedTablesAreColocated checks the other rule Citus has for keys:
// a foreign key points at a reference (global) table, joins two coordinator tables, or
// joins two distributed tables through both tables' distribution columns.
func TestForeignKeysOfDistributedTablesAreColocated(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	rows, err := pool.Query(t.Context(), `
		SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
			array(SELECT a.attname FROM unnest(c.conkey) k JOIN pg_attribute a
				ON a.attrelid = c.conrelid AND a.attnum = k),
			array(SELECT a.attname FROM unnest(c.confkey) k JOIN pg_attribute a
				ON a.attrelid = c.confrelid AND a.attnum = k),
			array(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid
				AND a.attnum > 0 AND NOT a.attisdropped),
			array(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.confrelid
				AND a.attnum > 0 AND NOT a.attisdropped)
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE n.nspname = 'public' AND c.contype = 'f' ORDER BY c.conname`)
	if err != nil {
		t.Fatal(err)
	}
	type foreignKey struct {
		name, table, referenced                       string
		keys, referencedKeys, columns, referencedCols []string
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (foreignKey, error) {
		var key foreignKey
		return key, row.Scan(&key.name, &key.table, &key.referenced, &key.keys, &key.referencedKeys,
			&key.columns, &key.referencedCols)
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, key := range keys {
		from, to := placement(key.table), placement(key.referenced)
		switch {
		case to == "global", from == "coordinator" && to == "coordinator":
		case from != "distributed" || to != "distributed":
			t.Errorf("foreign key %s: %s table %s references %s table %s", key.name, from, key.table,
				to, key.referenced)
		case !slices.Contains(key.keys, distributionColumn(key.columns)) ||
			!slices.Contains(key.referencedKeys, distributionColumn(key.referencedCols)):
			t.Errorf("foreign key %s from %s to %s (%v -> %v) does not join on the distribution columns",
				key.name, key.table, key.referenced, key.keys, key.referencedKeys)
		}
	}
	if len(keys) == 0 {
		t.Error("no foreign keys found: is the schema migrated?")
	}
}
