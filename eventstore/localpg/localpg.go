// Package localpg runs a private PostgreSQL server in a data folder, so that Folio and its tests
// need no database set up beforehand.
//
// The server listens only on a Unix socket inside its own data folder, which PostgreSQL keeps at
// mode 0700. Only the folder's owner (and root) can reach the socket, so every connection is
// trusted without a password.
package localpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	superuser          = "folio"
	defaultDatabase    = "folio"
	maintenanceDB      = "postgres"
	serverPort         = 5432
	startTimeout       = 30 * time.Second
	stopTimeout        = 60 * time.Second
	readyPollInterval  = 100 * time.Millisecond
	connectTimeout     = 2 * time.Second
	commandWaitDelay   = 5 * time.Second
	logFileName        = "server.log"
	logLinesInErrorMax = 20
)

// Cluster is a PostgreSQL server this process started, or found already running, in a data
// folder.
type Cluster struct {
	dataDir   string
	socketDir string
	port      int
	binDir    string
	logger    *slog.Logger

	// runAs is the account the server runs under, or nil when it runs as this process's user.
	runAs *syscall.Credential

	// reused is true when Start found the server already running; Stop leaves it running.
	reused bool

	// stopped is true once Stop has stopped the server.
	stopped bool

	// removeSocketDir is true when socketDir is a temporary folder made because the data folder's
	// path was too long for a Unix socket.
	removeSocketDir bool
}

// options are what distinguishes an application cluster from a test cluster.
type options struct {
	initdbArgs []string
	settings   []setting
}

type setting struct{ name, value string }

// Start starts a cluster in dataDir for the application, with durable writes.
//
// It finds the server binaries (PATH first, then /usr/lib/postgresql/*/bin, highest version
// first), runs initdb into dataDir if it holds no cluster yet, creates the database "folio",
// starts the server listening only on a Unix socket, and waits up to 30 seconds until it accepts
// connections.
//
// If a live server already runs in dataDir (for example one left behind by a process that
// crashed), Start reuses it, and Stop leaves it running, because another process may still be
// using it.
//
// When this process runs as root, the server runs as the "postgres" system user, which must be
// able to traverse every ancestor folder of dataDir; Start returns an error saying so otherwise.
func Start(ctx context.Context, dataDir string, logger *slog.Logger) (*Cluster, error) {
	return start(ctx, dataDir, logger, options{})
}

// StartForTests is Start for throwaway clusters: it turns off fsync, synchronous_commit and
// full_page_writes, so a crash of the machine may lose or corrupt data, in exchange for speed.
func StartForTests(ctx context.Context, dataDir string, logger *slog.Logger) (*Cluster, error) {
	return start(ctx, dataDir, logger, options{
		initdbArgs: []string{"--no-sync"},
		settings: []setting{
			{"fsync", "off"},
			{"synchronous_commit", "off"},
			{"full_page_writes", "off"},
		},
	})
}

func start(ctx context.Context, dataDir string, logger *slog.Logger,
	opts options) (*Cluster, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("resolve data folder %s: %w", dataDir, err)
	}

	binDir, err := findBinaries()
	if err != nil {
		return nil, err
	}

	runAs, err := serverAccount()
	if err != nil {
		return nil, err
	}

	err = prepareDataDir(dataDir, runAs)
	if err != nil {
		return nil, err
	}

	c := &Cluster{dataDir: dataDir, binDir: binDir, runAs: runAs, logger: logger}
	reused, err := c.reuseRunning(ctx)
	if err != nil {
		return nil, err
	}
	if reused {
		return c, nil
	}

	err = c.initIfEmpty(ctx, opts)
	if err != nil {
		return nil, err
	}

	err = c.startServer(ctx, opts)
	if err != nil {
		return nil, err
	}

	return c, nil
}

// reuseRunning adopts a live server found in the data folder and reports whether it did.
func (c *Cluster) reuseRunning(ctx context.Context) (bool, error) {
	info, found, err := readPostmasterPID(c.dataDir)
	if err != nil || !found || !processAlive(info.pid) {
		return false, err
	}

	c.socketDir = info.socketDir
	c.port = info.port
	c.reused = true
	err = c.waitReady(ctx)
	if err != nil {
		return false, fmt.Errorf("server (pid %d) already running in %s: %w", info.pid, c.dataDir, err)
	}

	err = c.ensureDefaultDatabase(ctx)
	if err != nil {
		return false, err
	}

	c.logger.Info("reusing running postgres", "data_dir", c.dataDir, "pid", info.pid)
	return true, nil
}

// URL returns a pgx connection string for the named database over the Unix socket, as the
// cluster's superuser.
func (c *Cluster) URL(database string) string {
	query := url.Values{
		"host":    {c.socketDir},
		"port":    {strconv.Itoa(c.port)},
		"sslmode": {"disable"},
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Path:     "/" + database,
		RawQuery: query.Encode(),
	}
	return u.String()
}

// Stop stops the server (pg_ctl stop -m fast) and waits until it has exited. It does nothing for
// a server that Start found already running, and nothing when called again.
func (c *Cluster) Stop() error {
	if c.stopped {
		return nil
	}
	if c.reused {
		c.logger.Info("leaving reused postgres running", "data_dir", c.dataDir)
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	err := c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "fast",
		"-w", "-t", strconv.Itoa(int(stopTimeout.Seconds())))
	if err != nil {
		return fmt.Errorf("stop postgres in %s: %w", c.dataDir, err)
	}
	c.stopped = true

	if c.removeSocketDir {
		err = os.Remove(c.socketDir)
		if err != nil {
			return fmt.Errorf("remove socket folder: %w", err)
		}
	}

	c.logger.Info("postgres stopped", "data_dir", c.dataDir)
	return nil
}

// waitReady polls until the server accepts connections, for at most startTimeout.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	for {
		err := c.ping(ctx)
		if err == nil {
			return nil
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres to accept connections: %w\n%s", err, c.logTail())
		case <-time.After(readyPollInterval):
		}
	}
}

func (c *Cluster) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()

	conn, err := pgx.Connect(ctx, c.URL(maintenanceDB))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	return conn.Ping(ctx)
}

// ensureDefaultDatabase creates the application's database unless it exists. It runs on every
// start, rather than only after initdb, so that a run interrupted between the two heals itself.
func (c *Cluster) ensureDefaultDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.URL(maintenanceDB))
	if err != nil {
		return fmt.Errorf("connect to create database %s: %w", defaultDatabase, err)
	}
	defer conn.Close(context.Background())

	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
		defaultDatabase).Scan(&exists)
	if err != nil {
		return fmt.Errorf("look for database %s: %w", defaultDatabase, err)
	}
	if exists {
		return nil
	}

	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{defaultDatabase}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		// Another process created it at the same moment, which is just as good.
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", defaultDatabase, err)
	}
	return nil
}
