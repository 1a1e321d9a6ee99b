package pgtest_test

import (
	"context"
	"fmt"
	"testing"

	"folio/eventstore/migrate"
	"folio/eventstore/pgtest"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	pgtest.Main(m)
}

func TestNewPoolIsMigrated(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)

	pending, err := migrate.Pending(t.Context(), pool)
	if err != nil {
		t.Fatalf("pending: %v", err)
	}
	if len(pending) != 0 {
		t.Fatalf("pending migrations: got %v, want none", pending)
	}
}

func TestNewEmptyDatabaseIsNotMigrated(t *testing.T) {
	t.Parallel()
	conn := connect(t, pgtest.NewEmptyDatabase(t))

	var exists bool
	err := conn.QueryRow(t.Context(),
		"SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists)
	if err != nil || exists {
		t.Fatalf("schema_migrations exists: got %v, %v; want false", exists, err)
	}
}

func TestNewPoolsAreIsolated(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			pool := pgtest.NewPool(t)

			_, err := pool.Exec(t.Context(), "CREATE TABLE same_name (id int)")
			if err != nil {
				t.Fatalf("create table: %v", err)
			}
		})
	}
}

func TestNewDatabaseIsDroppedAtCleanup(t *testing.T) {
	var name string
	t.Run("user", func(t *testing.T) {
		conn := connect(t, pgtest.NewDatabase(t))
		name = conn.Config().Database
	})

	conn := connect(t, pgtest.NewDatabase(t))
	var count int
	err := conn.QueryRow(t.Context(),
		"SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&count)
	if err != nil || count != 0 {
		t.Fatalf("databases named %s after cleanup: got %d, %v; want 0", name, count, err)
	}
}

func TestSuperuserURLIsSuperuser(t *testing.T) {
	t.Parallel()
	conn := connect(t, pgtest.SuperuserURL(t, pgtest.NewDatabase(t)))

	var superuser bool
	err := conn.QueryRow(t.Context(),
		"SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&superuser)
	if err != nil || !superuser {
		t.Fatalf("rolsuper: got %v, %v; want true", superuser, err)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
