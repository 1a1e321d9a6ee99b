package localpg

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// serverBinaries must all sit in one folder: pg_ctl looks for postgres next to itself.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// binaryDirs lists the folders to search for the server binaries, best first. Tests replace it.
var binaryDirs = defaultBinaryDirs

// errNoBinaries tells the operator both ways forward.
var errNoBinaries = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) " +
	"found in PATH or /usr/lib/postgresql/*/bin: install PostgreSQL server binaries " +
	"(e.g. `apt-get install postgresql`) or set DATABASE_URL")

// defaultBinaryDirs is PATH, then Debian's per-version folders, highest version first.
func defaultBinaryDirs() []string {
	dirs := filepath.SplitList(os.Getenv("PATH"))

	installed, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortStableFunc(installed, func(a, b string) int {
		return slices.Compare(versionOf(b), versionOf(a))
	})
	return append(dirs, installed...)
}

func findBinaries() (string, error) {
	for _, dir := range binaryDirs() {
		// An empty PATH entry means the working folder, which is no place to find a server.
		if dir != "" && hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", errNoBinaries
}

func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// versionOf returns the numeric parts of the version folder in /usr/lib/postgresql/<v>/bin.
func versionOf(binDir string) []int {
	var parts []int
	for _, field := range strings.Split(filepath.Base(filepath.Dir(binDir)), ".") {
		n, err := strconv.Atoi(field)
		if err != nil {
			break
		}
		parts = append(parts, n)
	}
	return parts
}
