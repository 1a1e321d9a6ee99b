package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"folio/app/config"
	"folio/app/database"
	"folio/app/web"
)

func runServe(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		return usagef("serve takes no arguments; configure it with environment variables (see README.md)")
	}
	cfg, err := config.Load(env.getenv, dataDir)
	if err != nil {
		return err
	}
	logger := newLogger(env, cfg)
	db, err := database.Open(ctx, database.Options{URL: cfg.DatabaseURL, DataDir: dataDir, Migrate: true, Logger: logger})
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.DatabaseURL = db.URL // the session storage opens its own pool on the same database
	store, service := newLedger(db, &environment{logger: logger})

	server, err := web.New(web.Deps{
		Config: cfg, Pool: db.Pool, Logger: logger, Store: store, Ledger: service,
		OnRegister: func(ctx context.Context, userID uuid.UUID) error {
			return service.EnsureOpened(ctx, userID, userID, "register-"+userID.String())
		},
	})
	if err != nil {
		return err
	}
	defer server.Close()
	logger.Info("serving", "addr", cfg.Addr, "env", cfg.Env)
	fmt.Fprintf(env.stdout, "Folio is running on http://%s (Ctrl-C stops it)\n", cfg.Addr)
	return server.Listen(ctx)
}

// newLogger writes JSON lines in production, for log collectors, and text
// in development, for people.
func newLogger(env *environment, cfg config.Config) *slog.Logger {
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(env.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.stderr, nil))
}
