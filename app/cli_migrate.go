package main

import (
	"context"
	"fmt"

	"folio/app/database"
	"folio/eventstore/migrate"
)

func runMigrate(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		return usagef("migrate takes no arguments")
	}
	db, err := database.Open(ctx, database.Options{URL: env.getenv("DATABASE_URL"), DataDir: dataDir, Logger: env.logger})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := migrate.Apply(ctx, db.Pool, env.logger)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.stdout, "database is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(env.stdout, "applied", name)
	}
	return nil
}
