package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
)

// migration is one SQL file.
type migration struct {
	name     string
	sql      string
	checksum string
}

// fileName is the shape of a migration's file name. Four digits make name order the order of
// application; a file named otherwise would silently run out of turn, so it is an error.
var fileName = regexp.MustCompile(`^([0-9]{4})_[A-Za-z0-9_]+\.sql$`)

// readMigrations reads the .sql files at the root of fsys in name order. Two files with the same
// number are an error: they usually mean two branches picked the same number.
func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}

	var migrations []migration
	numbers := make(map[string]string)
	for _, entry := range entries {
		if entry.IsDir() || path.Ext(entry.Name()) != ".sql" {
			continue
		}

		m, number, err := readMigration(fsys, entry.Name())
		if err != nil {
			return nil, err
		}
		if other, taken := numbers[number]; taken {
			return nil, fmt.Errorf("migrations %s and %s share the number %s", other, m.name, number)
		}
		numbers[number] = m.name
		migrations = append(migrations, m)
	}
	return migrations, nil
}

func readMigration(fsys fs.FS, name string) (migration, string, error) {
	match := fileName.FindStringSubmatch(name)
	if match == nil {
		return migration{}, "", fmt.Errorf("migration %s: name must look like 0001_name.sql", name)
	}

	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, "", fmt.Errorf("read migration %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	m := migration{name: name, sql: string(data), checksum: hex.EncodeToString(sum[:])}
	return m, match[1], nil
}
