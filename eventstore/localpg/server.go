package localpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// socketPathBytesMax is the longest Unix socket path Linux accepts: sun_path less its final NUL.
const socketPathBytesMax = 107

// logTailBytesMax bounds how much of the server log an error quotes; the log grows across runs.
const logTailBytesMax = 8 << 10

// prepareDataDir creates the data folder and, when the server runs under another account, hands
// the folder to that account after checking that the account can reach it.
func prepareDataDir(dataDir string, account *syscall.Credential) error {
	// Ancestors get 0755 so that the server's account can pass through them; the data folder
	// itself stays private.
	// #nosec G301 -- the parent of the cluster folder; the cluster folder itself is 0700
	err := os.MkdirAll(filepath.Dir(dataDir), 0o755)
	if err != nil {
		return fmt.Errorf("create parent of data folder %s: %w", dataDir, err)
	}
	err = os.Mkdir(dataDir, 0o700)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create data folder %s: %w", dataDir, err)
	}
	if account == nil {
		return nil
	}

	err = checkTraversable(dataDir, account)
	if err != nil {
		return err
	}
	err = os.Chown(dataDir, int(account.Uid), int(account.Gid))
	if err != nil {
		return fmt.Errorf("hand data folder %s to the %s user: %w", dataDir, systemUser, err)
	}
	return nil
}

// initIfEmpty runs initdb unless the data folder already holds a cluster.
func (c *Cluster) initIfEmpty(ctx context.Context, opts options) error {
	_, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION"))
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("look for a cluster in %s: %w", c.dataDir, err)
	}

	// Trust is safe only because the server never listens on TCP and its socket sits in the
	// private data folder.
	args := []string{"-D", c.dataDir, "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C"}
	err = c.run(ctx, "initdb", append(args, opts.initdbArgs...)...)
	if err != nil {
		return fmt.Errorf("initialise cluster in %s: %w", c.dataDir, err)
	}

	c.logger.Info("postgres cluster initialised", "data_dir", c.dataDir)
	return nil
}

// startServer starts the server, waits until it accepts connections and makes sure the default
// database exists. On failure after the server started, it stops the server again.
func (c *Cluster) startServer(ctx context.Context, opts options) error {
	err := c.chooseSocketDir()
	if err != nil {
		return err
	}

	c.port = serverPort
	settings := append([]setting{
		{"listen_addresses", ""},
		{"unix_socket_directories", c.socketDir},
		{"port", strconv.Itoa(c.port)},
		// Nothing can replicate from a server that listens on a socket
		// only, and backups are logical, so the WAL need only serve crash
		// recovery. At that level an index build writes its new index
		// without the WAL: a rebuild's index phase takes a quarter less
		// time (3.1-3.4 s instead of 4.2-4.6 s for a million events).
		{"wal_level", "minimal"},
		{"max_wal_senders", "0"},
	}, opts.settings...)
	err = c.run(ctx, "pg_ctl", "start", "-D", c.dataDir, "-l", c.logPath(),
		"-w", "-t", strconv.Itoa(int(startTimeout.Seconds())), "-o", serverOptions(settings))
	if err != nil {
		return fmt.Errorf("start postgres in %s: %w\n%s", c.dataDir, err, c.logTail())
	}

	err = c.waitReady(ctx)
	if err == nil {
		err = c.ensureDefaultDatabase(ctx)
	}
	if err != nil {
		return errors.Join(err, c.Stop())
	}

	c.logger.Info("postgres started", "data_dir", c.dataDir, "socket_dir", c.socketDir)
	return nil
}

// chooseSocketDir puts the socket in the data folder, which is private, unless the socket's path
// would be too long; then it makes a short private folder in the system's temporary folder.
func (c *Cluster) chooseSocketDir() error {
	if socketPathFits(c.dataDir, serverPort) {
		c.socketDir = c.dataDir
		return nil
	}

	dir, err := os.MkdirTemp("", "folio-pg-")
	if err != nil {
		return fmt.Errorf("create socket folder: %w", err)
	}
	if !socketPathFits(dir, serverPort) {
		return errors.Join(fmt.Errorf("socket folder %s: path too long for a Unix socket "+
			"(at most %d bytes); set TMPDIR to a shorter folder", dir, socketPathBytesMax),
			os.Remove(dir))
	}
	if c.runAs != nil {
		err = os.Chown(dir, int(c.runAs.Uid), int(c.runAs.Gid))
		if err != nil {
			return errors.Join(fmt.Errorf("hand socket folder to %s: %w", systemUser, err),
				os.Remove(dir))
		}
	}

	c.socketDir = dir
	c.removeSocketDir = true
	return nil
}

func socketPathFits(dir string, port int) bool {
	socket := filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))
	return len(socket) <= socketPathBytesMax
}

// serverOptions renders settings as postgres command-line options for pg_ctl -o, which passes
// them through /bin/sh, so each word is quoted for the shell.
func serverOptions(settings []setting) string {
	words := make([]string, 0, 2*len(settings))
	for _, s := range settings {
		words = append(words, shellQuote("-c"), shellQuote(s.name+"="+s.value))
	}
	return strings.Join(words, " ")
}

func shellQuote(word string) string {
	return "'" + strings.ReplaceAll(word, "'", `'\''`) + "'"
}

// run runs one of the server binaries under the server's account. Its output goes into the
// error, because that is where initdb and pg_ctl explain what went wrong.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	// #nosec G204 -- a program of the PostgreSQL found, with arguments built here
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.dataDir
	cmd.Env = environmentWithoutPG()
	// The postmaster outlives pg_ctl; WaitDelay keeps us from hanging should it ever hold on to
	// our output pipe.
	cmd.WaitDelay = commandWaitDelay
	if c.runAs != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.runAs}
	}

	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, bytes.TrimSpace(out))
	}
	return nil
}

// environmentWithoutPG is this process's environment without PG* variables, so that the
// binaries obey only the flags given here and not, say, a PGDATA meant for another server.
func environmentWithoutPG() []string {
	var env []string
	for _, v := range os.Environ() {
		if !strings.HasPrefix(v, "PG") {
			env = append(env, v)
		}
	}
	return env
}

func (c *Cluster) logPath() string {
	return filepath.Join(c.dataDir, logFileName)
}

// logTail returns the last lines of the server log, to explain a failed start.
func (c *Cluster) logTail() string {
	f, err := os.Open(c.logPath())
	if err != nil {
		return fmt.Sprintf("(no server log: %v)", err)
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(server log unreadable: %v)", err)
	}
	offset := max(0, info.Size()-logTailBytesMax)
	data, err := io.ReadAll(io.NewSectionReader(f, offset, logTailBytesMax))
	if err != nil {
		return fmt.Sprintf("(server log unreadable: %v)", err)
	}

	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	lines = lines[max(0, len(lines)-logLinesInErrorMax):]
	return "last lines of " + c.logPath() + ":\n" + strings.Join(lines, "\n")
}
