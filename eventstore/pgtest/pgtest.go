// Package pgtest gives tests real PostgreSQL databases with Folio's schema applied.
//
// A package's TestMain calls Main, which starts one private cluster for the whole test binary
// (or uses the server named by DATABASE_URL) and migrates a template database once. Each test
// then clones the template in milliseconds with NewPool or NewDatabase, so tests may run in
// parallel without seeing each other's rows.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/eventstore/pgtypes"
)

const (
	// poolConnsMax keeps parallel tests within the server's max_connections (100 by default).
	poolConnsMax = 4

	// adminConnsMax bounds the connections that create and drop databases.
	adminConnsMax = 4

	statementTimeout = 30 * time.Second
)

// server is where this test binary makes its databases. Main sets current before any test runs.
type server struct {
	admin     *pgxpool.Pool
	adminURL  string
	template  string
	superuser bool

	// namePrefix makes database names unique to this test binary: the process id, and random
	// characters in case another machine's binary shares the server and the process id.
	namePrefix string
	count      atomic.Int64
}

var current *server

// NewPool returns a pool on a fresh database cloned from the migrated template. The pool is
// closed and the database dropped when the test ends. Safe for parallel tests.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()

	config, err := pgxpool.ParseConfig(NewDatabase(t))
	if err != nil {
		t.Fatalf("pgtest: parse database URL: %v", err)
	}
	config.MaxConns = poolConnsMax
	pgtypes.Configure(config)

	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewDatabase creates a fresh database cloned from the migrated template and returns its
// connection string, for code that opens its own pools. The database is dropped, with any
// connection still open to it, when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return createDatabase(t, requireServer(t).template)
}

// NewEmptyDatabase creates a fresh database without any migration applied and returns its
// connection string; it is for testing migrations themselves. It is dropped when the test ends.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "template0")
}

// SuperuserURL returns a connection string for the database of databaseURL as a superuser, for
// tests that tamper with rows behind the application's back.
//
// pgtest always connects as a superuser when it can: with the private cluster every URL it hands
// out is already the superuser's, and with DATABASE_URL it is that URL's role. So databaseURL
// comes back unchanged. If DATABASE_URL's role is not a superuser, the test is skipped.
func SuperuserURL(t testing.TB, databaseURL string) string {
	t.Helper()

	if !requireServer(t).superuser {
		t.Skip("pgtest: this test needs a superuser, and DATABASE_URL's role is not one")
	}
	return databaseURL
}

func requireServer(t testing.TB) *server {
	t.Helper()

	if current == nil {
		t.Fatal("pgtest: no server; call pgtest.Main(m) from the package's TestMain")
	}
	return current
}

func createDatabase(t testing.TB, template string) string {
	t.Helper()
	srv := requireServer(t)
	name := fmt.Sprintf("%s_%d", srv.namePrefix, srv.count.Add(1))

	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	_, err := srv.admin.Exec(ctx,
		"CREATE DATABASE "+identifier(name)+" TEMPLATE "+identifier(template))
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() { srv.dropDatabase(t, name) })

	databaseURL, err := withDatabase(srv.adminURL, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return databaseURL
}

func (srv *server) dropDatabase(t testing.TB, name string) {
	// The test's context is already cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()

	_, err := srv.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+identifier(name)+" WITH (FORCE)")
	if err != nil {
		t.Errorf("pgtest: drop database %s: %v", name, err)
	}
}

// withDatabase returns connString pointing at another database. It understands both forms pgx
// accepts: URLs and keyword/value strings, where a later keyword overrides an earlier one.
func withDatabase(connString, database string) (string, error) {
	if !strings.HasPrefix(connString, "postgres://") &&
		!strings.HasPrefix(connString, "postgresql://") {
		return connString + " dbname=" + database, nil
	}

	u, err := url.Parse(connString)
	if err != nil {
		// The URL may hold a password, so the error does not quote it.
		return "", fmt.Errorf("database URL is not a valid URL")
	}
	u.Path = "/" + database
	u.RawPath = ""
	return u.String(), nil
}

func identifier(name string) string {
	return pgx.Identifier{name}.Sanitize()
}
