package localpg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// postmasterInfo is what a running server records in its data folder's postmaster.pid.
type postmasterInfo struct {
	pid       int
	port      int
	socketDir string
}

// readPostmasterPID reads postmaster.pid and reports whether there was one. Its lines are, in
// order: pid, data folder, start time, port, first socket folder, and more this package ignores.
func readPostmasterPID(dataDir string) (postmasterInfo, bool, error) {
	path := filepath.Join(dataDir, "postmaster.pid")
	// #nosec G304 -- path is postmaster.pid in the cluster folder the package manages
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return postmasterInfo{}, false, nil
	}
	if err != nil {
		return postmasterInfo{}, false, fmt.Errorf("read %s: %w", path, err)
	}

	lines := strings.Split(string(data), "\n")
	if len(lines) < 5 {
		return postmasterInfo{}, false, fmt.Errorf("%s is incomplete: is a server starting?", path)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil {
		return postmasterInfo{}, false, fmt.Errorf("pid in %s: %w", path, err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		return postmasterInfo{}, false, fmt.Errorf("port in %s: %w", path, err)
	}

	info := postmasterInfo{pid: pid, port: port, socketDir: strings.TrimSpace(lines[4])}
	return info, true, nil
}

// processAlive reports whether a process exists. A process of another user still exists even
// though this one may not signal it.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
