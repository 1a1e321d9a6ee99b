package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/backup"
	"folio/app/config"
)

// uploadFolder is where documents live: UPLOAD_FOLDER, or the default.
func uploadFolder(env *environment) string {
	if folder := env.getenv("UPLOAD_FOLDER"); folder != "" {
		return folder
	}
	return config.DefaultUploadFolder
}

// refuseDocumentBucket stops backup and restore when documents are kept in an S3 bucket:
// both read and write only the upload folder, so the archive would hold none of them.
func refuseDocumentBucket(env *environment, command string) error {
	if strings.TrimSpace(env.getenv("DOCUMENTS_S3_BUCKET")) == "" {
		return nil
	}
	return fmt.Errorf("%s handles documents in UPLOAD_FOLDER only, and DOCUMENTS_S3_BUCKET is "+
		"set: back up the database with pg_dump and the bucket with the store's own tools "+
		"(docs/scaling.md)", command)
}

func runBackup(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	out := flags.String("out", "", "write the archive to this file (- for standard output)")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *out == "" || flags.NArg() > 0 {
		return usagef("give --out FILE and nothing else")
	}
	if err := refuseDocumentBucket(env, "backup"); err != nil {
		return err
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()

	options := backup.Options{UploadFolder: uploadFolder(env), Logger: env.logger}
	var manifest backup.Manifest
	if *out == "-" {
		manifest, err = backup.Write(ctx, db.Pool, env.stdout, options)
	} else {
		manifest, err = writeBackupFile(ctx, db.Pool, *out, options)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "backed up %d users, %d events and %d documents (%d bytes)\n",
		manifest.Counts.Users, manifest.Counts.Events, manifest.Counts.Documents,
		manifest.Counts.DocumentBytes)
	return nil
}

// writeBackupFile writes the archive beside path and renames it into place once complete,
// so that path never holds half a backup.
func writeBackupFile(ctx context.Context, pool *pgxpool.Pool, path string,
	options backup.Options) (backup.Manifest, error) {
	partial, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(partial.Name()) // after the rename there is nothing left to remove
	manifest, err := backup.Write(ctx, pool, partial, options)
	if err == nil {
		err = partial.Sync()
	}
	if closeErr := partial.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return backup.Manifest{}, err
	}
	if err := os.Rename(partial.Name(), path); err != nil {
		return backup.Manifest{}, fmt.Errorf("move the backup to %s: %w", path, err)
	}
	return manifest, nil
}
