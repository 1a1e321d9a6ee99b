package migrate_test

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"folio/eventstore/migrate"
	"folio/eventstore/pgtest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) {
	pgtest.Main(m)
}

func TestApplyRunsInNameOrder(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	fsys := files(map[string]string{
		"0010_third.sql": "INSERT INTO log (name) VALUES ('third');",
		"0001_first.sql": "CREATE TABLE log (seq serial, name text); " +
			"INSERT INTO log (name) VALUES ('first');",
		"0002_second.sql": "INSERT INTO log (name) VALUES ('second');",
		"README.md":       "Not a migration.",
	})

	applied, err := migrate.ApplyFS(t.Context(), pool, testLogger(t), fsys)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}

	want := []string{"0001_first.sql", "0002_second.sql", "0010_third.sql"}
	if !slices.Equal(applied, want) {
		t.Errorf("applied: got %v, want %v", applied, want)
	}
	ran := queryStrings(t, pool, "SELECT name FROM log ORDER BY seq")
	if !slices.Equal(ran, []string{"first", "second", "third"}) {
		t.Errorf("order run: got %v, want first, second, third", ran)
	}
}

func TestApplyTwiceAppliesNothing(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	fsys := files(map[string]string{"0001_a.sql": "CREATE TABLE a (id int);"})
	mustApply(t, pool, fsys)

	applied, err := migrate.ApplyFS(t.Context(), pool, testLogger(t), fsys)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second apply: got %v, %v; want nothing", applied, err)
	}
}

func TestPendingListsUnapplied(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	fsys := files(map[string]string{"0001_a.sql": "CREATE TABLE a (id int);"})

	assertPending(t, pool, fsys, []string{"0001_a.sql"})
	mustApply(t, pool, fsys)
	assertPending(t, pool, fsys, nil)

	fsys["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (id int);")}
	assertPending(t, pool, fsys, []string{"0002_b.sql"})
}

func TestApplyFailureRollsBackOnlyTheFailingMigration(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	fsys := files(map[string]string{
		"0001_good.sql":  "CREATE TABLE good (id int);",
		"0002_bad.sql":   "CREATE TABLE half (id int); INSERT INTO half VALUES ('not a number');",
		"0003_later.sql": "CREATE TABLE later (id int);",
	})

	applied, err := migrate.ApplyFS(t.Context(), pool, testLogger(t), fsys)

	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "22P02" {
		t.Fatalf("error: got %v, want invalid_text_representation", err)
	}
	if !strings.Contains(err.Error(), "0002_bad.sql") {
		t.Errorf("error %q does not name 0002_bad.sql", err)
	}
	if !slices.Equal(applied, []string{"0001_good.sql"}) {
		t.Errorf("applied: got %v, want [0001_good.sql]", applied)
	}
	tables := queryStrings(t, pool, "SELECT relname::text FROM pg_class "+
		"WHERE relname IN ('good', 'half', 'later') ORDER BY relname")
	if !slices.Equal(tables, []string{"good"}) {
		t.Errorf("tables: got %v, want [good]", tables)
	}
	assertPending(t, pool, fsys, []string{"0002_bad.sql", "0003_later.sql"})
}

func TestApplyConcurrentlyAppliesEachOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.NewEmptyDatabase(t)
	fsys := files(map[string]string{
		// The sleep keeps the first instance migrating while the second one arrives.
		"0001_runs.sql": "CREATE TABLE runs (name text); INSERT INTO runs VALUES ('0001'); " +
			"SELECT pg_sleep(0.2);",
		"0002_more.sql": "INSERT INTO runs VALUES ('0002');",
	})

	var wg sync.WaitGroup
	var applied [2][]string
	var errs [2]error
	for i := range 2 {
		pool := openPool(t, url)
		wg.Go(func() {
			applied[i], errs[i] = migrate.ApplyFS(t.Context(), pool, testLogger(t), fsys)
		})
	}
	wg.Wait()

	if err := errors.Join(errs[:]...); err != nil {
		t.Fatalf("apply: %v", err)
	}
	all := slices.Sorted(slices.Values(append(applied[0], applied[1]...)))
	if !slices.Equal(all, []string{"0001_runs.sql", "0002_more.sql"}) {
		t.Errorf("applied by both: got %v, want each migration once", all)
	}
	runs := queryStrings(t, openPool(t, url), "SELECT name FROM runs ORDER BY name")
	if !slices.Equal(runs, []string{"0001", "0002"}) {
		t.Errorf("runs: got %v, want [0001 0002]", runs)
	}
}

func TestApplyRejectsChangedMigration(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	fsys := files(map[string]string{"0001_a.sql": "CREATE TABLE a (id int);"})
	mustApply(t, pool, fsys)

	fsys["0001_a.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE a (id bigint);")}
	fsys["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (id int);")}
	applied, err := migrate.ApplyFS(t.Context(), pool, testLogger(t), fsys)

	if err == nil || !strings.Contains(err.Error(), "0001_a.sql changed") {
		t.Fatalf("error: got %v, want one saying 0001_a.sql changed", err)
	}
	if len(applied) != 0 {
		t.Errorf("applied: got %v, want nothing", applied)
	}
	_, err = migrate.PendingFS(t.Context(), pool, fsys)
	if err == nil {
		t.Errorf("pending: got no error, want the same complaint")
	}
}

func TestApplyRejectsBadFileNames(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"number too short", map[string]string{"1_a.sql": "SELECT 1;"}},
		{"no name", map[string]string{"0001.sql": "SELECT 1;"}},
		{"number shared", map[string]string{"0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 1;"}},
	}
	pool := emptyPool(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			applied, err := migrate.ApplyFS(t.Context(), pool, testLogger(t), files(tt.files))
			if err == nil {
				t.Fatalf("got %v applied and no error", applied)
			}
		})
	}
}

func TestApplyEmbeddedMigrations(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	pending, err := migrate.Pending(t.Context(), pool)
	if err != nil || len(pending) == 0 {
		t.Fatalf("pending before apply: got %v, %v; want some", pending, err)
	}

	applied, err := migrate.Apply(t.Context(), pool, testLogger(t))
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !slices.Equal(applied, pending) {
		t.Errorf("applied: got %v, want %v", applied, pending)
	}
	pending, err = migrate.Pending(t.Context(), pool)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after apply: got %v, %v; want none", pending, err)
	}
}

func assertPending(t *testing.T, pool *pgxpool.Pool, fsys fstest.MapFS, want []string) {
	t.Helper()
	got, err := migrate.PendingFS(t.Context(), pool, fsys)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("pending: got %v, %v; want %v", got, err, want)
	}
}

func mustApply(t *testing.T, pool *pgxpool.Pool, fsys fstest.MapFS) {
	t.Helper()
	_, err := migrate.ApplyFS(t.Context(), pool, testLogger(t), fsys)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
}

func files(contents map[string]string) fstest.MapFS {
	fsys := make(fstest.MapFS, len(contents))
	for name, text := range contents {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func emptyPool(t *testing.T) *pgxpool.Pool {
	return openPool(t, pgtest.NewEmptyDatabase(t))
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func queryStrings(t *testing.T, pool *pgxpool.Pool, sql string) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), sql)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	values, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	return values
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// TestApplyOnAnUpToDateDatabaseNeedsOnlyRead shows that the app's
// least-privileged role, which may not create tables, can start once the
// owner has migrated.
func TestApplyOnAnUpToDateDatabaseNeedsOnlyRead(t *testing.T) {
	url := pgtest.NewDatabase(t)
	owner, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Close)
	role := "folio_reader_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")[:20]
	_, err = owner.Exec(t.Context(), `DROP ROLE IF EXISTS `+role+`; CREATE ROLE `+role+` LOGIN;
		REVOKE CREATE ON SCHEMA public FROM PUBLIC;
		GRANT USAGE ON SCHEMA public TO `+role+`; GRANT SELECT ON schema_migrations TO `+role)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = owner.Exec(t.Context(), `REASSIGN OWNED BY `+role+` TO CURRENT_USER; DROP OWNED BY `+role+`; DROP ROLE `+role)
	})

	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	config.ConnConfig.User = role
	reader, err := pgxpool.NewWithConfig(t.Context(), config)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	applied, err := migrate.Apply(t.Context(), reader, testLogger(t))
	if err != nil || len(applied) != 0 {
		t.Fatalf("got %v, %v; want nothing to do and no error", applied, err)
	}
}
