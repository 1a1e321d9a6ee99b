// Package database opens Folio's PostgreSQL database: the server named by
// DATABASE_URL, or else a private cluster that it starts in the project's
// data folder. Either way it applies the embedded migrations before use.
package database

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"folio/eventstore/localpg"
	"folio/eventstore/migrate"
	"folio/eventstore/pgtypes"
)

// Pool limits. A request holds a connection for milliseconds; a few more
// than the cores keep the server busy without queueing inside PostgreSQL.
const (
	poolConnsMax         = 16
	poolConnLifetime     = time.Hour
	poolConnIdleMax      = 10 * time.Minute
	poolHealthCheckEvery = 30 * time.Second
	statementTimeout     = "30s"
)

// Database is an open, migrated database.
type Database struct {
	Pool *pgxpool.Pool
	// URL is the connection string, for parts that open their own pool
	// (the session storage). It may hold a password: never log it.
	URL     string
	cluster *localpg.Cluster
}

// Options say where the database is.
type Options struct {
	// URL is DATABASE_URL; empty starts the private cluster.
	URL string
	// DataDir is the project's data folder (.data); the private cluster
	// lives in DataDir/postgres.
	DataDir string
	// Migrate applies pending migrations after connecting.
	Migrate bool
	Logger  *slog.Logger
}

// Open connects, starting the private cluster first when no URL is given.
func Open(ctx context.Context, options Options) (*Database, error) {
	db := &Database{URL: options.URL}
	if db.URL == "" {
		if err := allowTraversal(options.DataDir); err != nil {
			return nil, err
		}
		dataDir := filepath.Join(options.DataDir, "postgres")
		cluster, err := localpg.Start(ctx, dataDir, options.Logger)
		if err != nil {
			return nil, fmt.Errorf("start the private PostgreSQL cluster in %s: %w", dataDir, err)
		}
		db.cluster, db.URL = cluster, cluster.URL("folio")
		options.Logger.Info("private database running", "data_dir", dataDir)
	}
	pool, err := NewPool(ctx, db.URL, poolConnsMax)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.Pool = pool
	if options.Migrate {
		if _, err := migrate.Apply(ctx, pool, options.Logger); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	return db, nil
}

// allowTraversal makes the project's data folder searchable but not
// listable (0711). Run as root, the private cluster runs as the postgres
// user, which must pass through it; the secrets inside stay 0600.
func allowTraversal(dataDir string) error {
	// #nosec G301 -- traversable but not listable on purpose (see above); what is inside is 0600
	if err := os.MkdirAll(dataDir, 0o711); err != nil {
		return fmt.Errorf("create %s: %w", dataDir, err)
	}
	info, err := os.Stat(dataDir)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", dataDir, err)
	}
	if info.Mode().Perm()&0o011 == 0o011 {
		return nil
	}
	if err := os.Chmod(dataDir, info.Mode().Perm()|0o011); err != nil {
		return fmt.Errorf("let the database server pass through %s: %w", dataDir, err)
	}
	return nil
}

// NewPool opens a pool with Folio's limits and checks that the server answers.
func NewPool(ctx context.Context, url string, connsMax int32) (*pgxpool.Pool, error) {
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	config.MaxConns = connsMax
	config.MaxConnLifetime = poolConnLifetime
	config.MaxConnIdleTime = poolConnIdleMax
	config.HealthCheckPeriod = poolHealthCheckEvery
	config.ConnConfig.RuntimeParams["statement_timeout"] = statementTimeout
	config.ConnConfig.RuntimeParams["application_name"] = "folio"
	pgtypes.Configure(config)
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	return pool, nil
}

// Close closes the pool and stops the private cluster if Open started it.
func (db *Database) Close() {
	if db.Pool != nil {
		db.Pool.Close()
	}
	if db.cluster != nil {
		_ = db.cluster.Stop()
	}
}
