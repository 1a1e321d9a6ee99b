package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"folio/eventstore/localpg"
	"folio/eventstore/migrate"

	"github.com/jackc/pgx/v5/pgxpool"
)

// setUpTimeout bounds starting the cluster and migrating the template.
const setUpTimeout = 2 * time.Minute

// environment is what Main sets up around the tests and tears down after them.
type environment struct {
	logger   *slog.Logger
	tempDir  string
	watchdog *watchdog
	cluster  *localpg.Cluster
	server   *server
}

// Main is called from a package's TestMain. It starts one private cluster for the whole test
// binary in a temporary folder, with fsync off, or uses the server named by DATABASE_URL, whose
// role needs the CREATEDB privilege. It creates a template database with every migration
// applied, runs the tests, drops its databases, stops the cluster, removes the folder, and exits
// with the tests' code. If it cannot provide a database, it says why and exits with code 1.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env, err := setUp()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: no database for the tests: %v\n", err)
		return 1
	}
	defer env.tearDown()

	current = env.server
	return m.Run()
}

func setUp() (*environment, error) {
	ctx, cancel := context.WithTimeout(context.Background(), setUpTimeout)
	defer cancel()

	handler := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	env := &environment{logger: slog.New(handler)}
	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		var err error
		adminURL, err = env.startCluster(ctx)
		if err != nil {
			env.tearDown()
			return nil, err
		}
	}

	srv, err := openServer(ctx, adminURL, env.logger)
	if err != nil {
		env.tearDown()
		return nil, err
	}
	env.server = srv
	return env, nil
}

func (env *environment) startCluster(ctx context.Context) (string, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return "", fmt.Errorf("create cluster folder: %w", err)
	}
	env.tempDir = dir

	// When the tests run as root, the cluster runs as the postgres user, which must be able to
	// pass through this folder to reach its data folder.
	err = os.Chmod(dir, 0o711)
	if err != nil {
		return "", fmt.Errorf("open cluster folder to the server: %w", err)
	}

	dataDir := filepath.Join(dir, "data")
	env.watchdog, err = startWatchdog(dataDir, dir)
	if err != nil {
		return "", err
	}

	env.cluster, err = localpg.StartForTests(ctx, dataDir, env.logger)
	if err != nil {
		return "", err
	}
	return env.cluster.URL("postgres"), nil
}

// tearDown undoes whatever setUp managed to do. Failures are reported but do not change the
// tests' result.
func (env *environment) tearDown() {
	if env.server != nil {
		warn(env.server.close())
	}
	if env.cluster != nil {
		warn(env.cluster.Stop())
	}
	if env.tempDir != "" {
		warn(os.RemoveAll(env.tempDir))
	}
	if env.watchdog != nil {
		env.watchdog.release()
	}
}

func warn(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: clean-up: %v\n", err)
	}
}

// openServer connects to the server and creates the migrated template database.
func openServer(ctx context.Context, adminURL string, logger *slog.Logger) (*server, error) {
	config, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	config.MaxConns = adminConnsMax
	admin, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}

	srv := &server{admin: admin, adminURL: adminURL, namePrefix: namePrefix()}
	err = admin.QueryRow(ctx,
		"SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&srv.superuser)
	if err != nil {
		admin.Close()
		return nil, fmt.Errorf("connect to the database server: %w", err)
	}

	err = srv.createTemplate(ctx, logger)
	if err != nil {
		warn(srv.close())
		return nil, err
	}
	return srv, nil
}

func namePrefix() string {
	return fmt.Sprintf("folio_test_%d_%s", os.Getpid(), strings.ToLower(rand.Text()[:8]))
}

func (srv *server) createTemplate(ctx context.Context, logger *slog.Logger) error {
	name := srv.namePrefix + "_template"
	_, err := srv.admin.Exec(ctx, "CREATE DATABASE "+identifier(name)+" TEMPLATE template0")
	if err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	srv.template = name

	templateURL, err := withDatabase(srv.adminURL, name)
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, templateURL)
	if err != nil {
		return fmt.Errorf("open template database: %w", err)
	}
	_, err = migrate.Apply(ctx, pool, logger)
	pool.Close()
	if err != nil {
		return fmt.Errorf("migrate template database: %w", err)
	}

	// PostgreSQL refuses to clone a database that has sessions, so none may connect.
	_, err = srv.admin.Exec(ctx, "ALTER DATABASE "+identifier(name)+" ALLOW_CONNECTIONS false")
	if err != nil {
		return fmt.Errorf("close template database to connections: %w", err)
	}
	return nil
}

// close drops the template database and closes the admin pool. The tests' own databases are
// already gone: each test drops its databases when it ends.
func (srv *server) close() error {
	defer srv.admin.Close()
	if srv.template == "" {
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	_, err := srv.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+identifier(srv.template)+" WITH (FORCE)")
	if err != nil {
		return fmt.Errorf("drop template database %s: %w", srv.template, err)
	}
	return nil
}
