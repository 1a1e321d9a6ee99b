package localpg

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const testTimeout = time.Minute

func TestStartServesOnlyTheSocket(t *testing.T) {
	t.Parallel()
	c := startForTest(t, filepath.Join(traversableTempDir(t), "data"))

	conn := connect(t, c.URL(defaultDatabase))
	var one int
	err := conn.QueryRow(t.Context(), "SELECT 1").Scan(&one)
	if err != nil || one != 1 {
		t.Fatalf("SELECT 1: got %d, %v; want 1", one, err)
	}
	var listen string
	err = conn.QueryRow(t.Context(), "SHOW listen_addresses").Scan(&listen)
	if err != nil || listen != "" {
		t.Fatalf("listen_addresses: got %q, %v; want empty", listen, err)
	}
	var walLevel string
	err = conn.QueryRow(t.Context(), "SHOW wal_level").Scan(&walLevel)
	if err != nil || walLevel != "minimal" {
		t.Fatalf("wal_level: got %q, %v; want minimal", walLevel, err)
	}

	stop(t, c)
	_, err = pgx.Connect(t.Context(), c.URL(defaultDatabase))
	if err == nil {
		t.Fatal("connect after Stop: got no error")
	}
}

func TestStartAfterStopKeepsTheCluster(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(traversableTempDir(t), "data")

	first := startForTest(t, dataDir)
	_, err := connect(t, first.URL(defaultDatabase)).Exec(t.Context(), "CREATE TABLE kept (id int)")
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	stop(t, first)

	second := startForTest(t, dataDir)
	_, err = connect(t, second.URL(defaultDatabase)).Exec(t.Context(), "SELECT * FROM kept")
	if err != nil {
		t.Fatalf("table from the first run: %v", err)
	}
	stop(t, second)
}

func TestStartReusesRunningServer(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(traversableTempDir(t), "data")
	owner := startForTest(t, dataDir)

	reuser := startForTest(t, dataDir)
	if !reuser.reused {
		t.Fatal("second Start on a running server: got owned cluster, want reused")
	}
	stop(t, reuser)

	conn := connect(t, owner.URL(defaultDatabase))
	err := conn.Ping(t.Context())
	if err != nil {
		t.Fatalf("ping after the reuser stopped: %v", err)
	}
	stop(t, owner)
}

func TestStartMovesSocketOfLongDataPath(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(traversableTempDir(t), strings.Repeat("d", 100))
	err := os.MkdirAll(filepath.Dir(dataDir), 0o755)
	if err != nil {
		t.Fatal(err)
	}

	c := startForTest(t, dataDir)
	if c.socketDir == dataDir {
		t.Fatalf("socket folder: got the data folder %s, want a shorter one", dataDir)
	}
	connect(t, c.URL(defaultDatabase))
	stop(t, c)

	_, err = os.Stat(c.socketDir)
	if !os.IsNotExist(err) {
		t.Fatalf("socket folder after Stop: got %v, want it removed", err)
	}
}

func TestStartFailureQuotesServerLog(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(traversableTempDir(t), "data")
	stop(t, startForTest(t, dataDir))
	config, err := os.OpenFile(filepath.Join(dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = config.WriteString("this is not a setting\n")
	config.Close()
	if err != nil {
		t.Fatal(err)
	}

	_, err = StartForTests(t.Context(), dataDir, testLogger(t))
	if err == nil {
		t.Fatal("got no error")
	}
	for _, want := range []string{"last lines of", "syntax error"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestStartWithoutBinaries(t *testing.T) {
	empty := t.TempDir()
	saved := binaryDirs
	binaryDirs = func() []string { return []string{empty} }
	t.Cleanup(func() { binaryDirs = saved })

	_, err := Start(t.Context(), filepath.Join(empty, "data"), testLogger(t))
	if err == nil {
		t.Fatal("got no error")
	}
	for _, want := range []string{"apt-get install postgresql", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestStartAsRootNeedsTraversableAncestors(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another user")
	}
	t.Parallel()
	private := t.TempDir() // Its parent is 0700 and owned by root.

	_, err := Start(t.Context(), filepath.Join(private, "data"), testLogger(t))
	if err == nil {
		t.Fatal("got no error")
	}
	for _, want := range []string{"cannot traverse", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestDefaultBinaryDirsPreferHigherVersions(t *testing.T) {
	dirs := []string{
		"/usr/lib/postgresql/9.6/bin",
		"/usr/lib/postgresql/15/bin",
		"/usr/lib/postgresql/10/bin",
	}
	slices.SortStableFunc(dirs, func(a, b string) int {
		return slices.Compare(versionOf(b), versionOf(a))
	})

	want := []string{
		"/usr/lib/postgresql/15/bin",
		"/usr/lib/postgresql/10/bin",
		"/usr/lib/postgresql/9.6/bin",
	}
	if !slices.Equal(dirs, want) {
		t.Fatalf("got %v, want %v", dirs, want)
	}
}

// traversableTempDir returns a temporary folder that the postgres user can pass through when
// the tests run as root; t.TempDir's parent is private to root.
func traversableTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })

	err = os.Chmod(dir, 0o711)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func startForTest(t *testing.T, dataDir string) *Cluster {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()

	c, err := StartForTests(ctx, dataDir, testLogger(t))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

func stop(t *testing.T, c *Cluster) {
	err := c.Stop()
	if err != nil {
		t.Fatalf("stop: %v", err)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}
