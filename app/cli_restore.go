package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"folio/app/backup"
)

func runRestore(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("restore", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	in := flags.String("in", "", "read the archive from this file (- for standard input)")
	force := flags.Bool("force", false, "replace the data of a database that is not empty")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *in == "" || flags.NArg() > 0 {
		return usagef("give --in FILE [--force] and nothing else")
	}
	if err := refuseDocumentBucket(env, "restore"); err != nil {
		return err
	}
	var source io.Reader = env.stdin
	if *in != "-" {
		file, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("open the backup: %w", err)
		}
		defer file.Close()
		source = file
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()

	report, err := backup.Restore(ctx, db.Pool, source, backup.RestoreOptions{
		UploadFolder: uploadFolder(env), Force: *force, Logger: env.logger})
	if err != nil {
		return err
	}
	counts := report.Manifest.Counts
	fmt.Fprintf(env.stdout, "restored %d users, %d events and %d documents (%d bytes) "+
		"backed up at %s\n", counts.Users, counts.Events, counts.Documents, counts.DocumentBytes,
		report.Manifest.CreatedAt.Format("2006-01-02 15:04:05 UTC"))
	fmt.Fprintf(env.stdout, "rebuilt the read models from %d events in %s; verified %d books: "+
		"hash chains intact, read models equal a fresh fold\n", report.Rebuild.Events,
		report.Rebuild.Duration.Round(1e6), report.Users)
	return nil
}
