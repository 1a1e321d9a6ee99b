package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// watchdogScript waits until the test binary is gone, however it ended, then shuts the cluster
// down at once and removes its folder. A panicking test ends the binary without running Main's
// clean-up, and would otherwise leave a server running for every such run.
//
// The binary holds the write end of the script's standard input; the read returns when the
// kernel closes it at exit. After a normal exit, Main has already stopped the cluster and
// removed the folder, so the script finds nothing to do.
const watchdogScript = `read -r _
pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ]; then
	kill -QUIT "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
fi
rm -rf "$2"
`

type watchdog struct {
	cmd  *exec.Cmd
	pipe *os.File
}

func startWatchdog(dataDir, removeDir string) (*watchdog, error) {
	reader, writer, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create watchdog pipe: %w", err)
	}

	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog", dataDir, removeDir)
	cmd.Stdin = reader
	// Its own session keeps it alive when Ctrl-C interrupts the test binary's process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	reader.Close()
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("start watchdog: %w", err)
	}
	return &watchdog{cmd: cmd, pipe: writer}, nil
}

// release lets the watchdog run its clean-up now, and waits for it.
func (w *watchdog) release() {
	w.pipe.Close()
	w.cmd.Wait()
}
