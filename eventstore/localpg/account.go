package localpg

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// systemUser is the account that runs the server when this process is root.
const systemUser = "postgres"

// serverAccount returns the account the server must run under. PostgreSQL refuses to run as
// root, so for root it is the postgres system user; for anyone else it is nil, meaning the
// process's own user.
func serverAccount() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}

	u, err := user.Lookup(systemUser)
	if err != nil {
		return nil, fmt.Errorf("running as root needs a %q system user to run the server "+
			"(or set DATABASE_URL to use an existing server): %w", systemUser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user id of %s: %w", systemUser, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("group id of %s: %w", systemUser, err)
	}
	groups, err := groupIDs(u)
	if err != nil {
		return nil, err
	}

	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}, nil
}

func groupIDs(u *user.User) ([]uint32, error) {
	names, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("groups of %s: %w", u.Username, err)
	}

	ids := make([]uint32, 0, len(names))
	for _, name := range names {
		id, err := strconv.ParseUint(name, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("group id %q of %s: %w", name, u.Username, err)
		}
		ids = append(ids, uint32(id))
	}
	return ids, nil
}

// checkTraversable checks that account may enter every ancestor folder of dataDir. It reads the
// permission bits only; access control lists are rare on these paths and initdb would still
// report them, less clearly.
func checkTraversable(dataDir string, account *syscall.Credential) error {
	for dir := filepath.Dir(dataDir); ; dir = filepath.Dir(dir) {
		info, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("check access to %s: %w", dir, err)
		}
		if !canSearch(info, account) {
			return fmt.Errorf("the %s user, which runs the server when Folio runs as root, "+
				"cannot traverse %s, an ancestor of the data folder %s: allow it "+
				"(chmod o+x %s), choose a data folder elsewhere, or set DATABASE_URL "+
				"to use an existing server", systemUser, dir, dataDir, dir)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

func canSearch(info fs.FileInfo, account *syscall.Credential) bool {
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}

	mode := info.Mode().Perm()
	switch {
	case stat.Uid == account.Uid:
		return mode&0o100 != 0
	case stat.Gid == account.Gid || slices.Contains(account.Groups, stat.Gid):
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}
