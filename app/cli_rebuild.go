package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"folio/projections"
)

func runRebuild(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	name := flags.String("projection", "", "rebuild only this projection: "+projectionNames())
	email := flags.String("user", "", "rebuild only this user's read models")
	if err := flags.Parse(args); err != nil {
		return usagef("%v", err)
	}
	var chosen []projections.Projection
	if *name != "" {
		projection, ok := projections.ByName(*name)
		if !ok {
			return usagef("unknown projection %q: choose one of %s", *name, projectionNames())
		}
		chosen = append(chosen, projection)
	}
	db, err := openDatabase(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()

	if *email != "" {
		userID, err := userIDByEmail(ctx, db, *email)
		if err != nil {
			return err
		}
		events, err := projections.RebuildUser(ctx, db.Pool, userID, chosen...)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "rebuilt %s from %d events\n", *email, events)
		return nil
	}
	report, err := projections.Rebuild(ctx, db.Pool, projections.RebuildOptions{
		Projections: chosen, Logger: env.logger,
		Progress: func(p projections.Progress) { printProgress(env, p) },
	})
	if err != nil {
		return err
	}
	rate := float64(report.Events) / report.Duration.Seconds()
	fmt.Fprintf(env.stdout, "rebuilt %d events of %d users in %s (%.0f events/s)\n",
		report.Events, report.Users, report.Duration.Round(1e6), rate)
	return nil
}

func printProgress(env *environment, p projections.Progress) {
	if p.EventsTotal > 0 {
		fmt.Fprintf(env.stderr, "%-8s %d/%d events (%.0f%%)\n", p.Phase, p.Events, p.EventsTotal,
			100*float64(p.Events)/float64(p.EventsTotal))
		return
	}
	fmt.Fprintf(env.stderr, "%-8s\n", p.Phase)
}

func projectionNames() string {
	names := make([]string, len(projections.All))
	for i, projection := range projections.All {
		names[i] = projection.Name
	}
	return strings.Join(names, ", ")
}
