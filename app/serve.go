package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"folio/app/config"
	"folio/app/database"
	"folio/app/documents"
	"folio/app/ledger"
	"folio/app/metrics"
	"folio/app/web"
	"folio/eventstore"
	"folio/projections"
)

func runServe(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		return usagef("serve takes no arguments; configure it with environment variables (see README.md)")
	}
	cfg, err := config.Load(env.getenv, dataDir)
	if err != nil {
		return err
	}
	registry := metrics.New()
	logger := slog.New(metrics.NewLogHandler(newLogger(env, cfg).Handler(), registry))
	db, err := database.Open(ctx, database.Options{URL: cfg.DatabaseURL, DataDir: dataDir, Migrate: true, Logger: logger})
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.DatabaseURL = db.URL // the session storage opens its own pool on the same database
	registry.WatchPool("main", db.Pool.Stat)
	registry.WatchProjectionLag(func(ctx context.Context) (metrics.ProjectionLag, error) {
		lag, err := projections.ReadLag(ctx, db.Pool)
		return metrics.ProjectionLag{Events: lag.Events, Users: lag.Users}, err
	})
	store := eventstore.New(db.Pool, eventstore.WithProjector(
		metrics.Projector{Next: projections.Projector{}, Registry: registry}))
	service := ledger.New(store, logger, booksCachedMax)
	storage, err := documentStorage(cfg, logger)
	if err != nil {
		return err
	}

	server, err := web.New(web.Deps{
		Config: cfg, Pool: db.Pool, Logger: logger, Store: store, Ledger: service, Documents: storage,
		OnRegister: func(ctx context.Context, userID uuid.UUID) error {
			return service.EnsureOpened(ctx, userID, userID, "register-"+userID.String())
		},
	})
	if err != nil {
		return err
	}
	defer server.Close()
	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(ctx, cfg.MetricsAddr, registry, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	logger.Info("serving", "addr", cfg.Addr, "env", cfg.Env)
	fmt.Fprintf(env.stdout, "Folio is running on http://%s (Ctrl-C stops it)\n", cfg.Addr)
	return server.Listen(ctx)
}

// documentStorage is where documents are kept: the S3-compatible bucket when
// DOCUMENTS_S3_BUCKET is set, the upload folder otherwise.
func documentStorage(cfg config.Config, logger *slog.Logger) (documents.Storage, error) {
	if cfg.DocumentsS3.Enabled() {
		store, err := newS3Storage(cfg.DocumentsS3)
		if err != nil {
			return nil, err
		}
		logger.Info("documents in an S3 bucket", "endpoint", cfg.DocumentsS3.Endpoint,
			"bucket", cfg.DocumentsS3.Bucket, "prefix", cfg.DocumentsS3.Prefix)
		return store, nil
	}
	folder, err := documents.NewFolder(cfg.UploadFolder)
	if err != nil {
		return nil, err
	}
	logger.Info("documents in a folder", "folder", cfg.UploadFolder)
	return folder, nil
}

// newS3Storage opens the bucket of the DOCUMENTS_S3_* settings. Uploads wait in the
// system's temporary folder until they are sent.
func newS3Storage(s3 config.DocumentsS3Config) (*documents.S3, error) {
	return documents.NewS3(documents.S3Options{Endpoint: s3.Endpoint, Insecure: s3.Insecure,
		Region: s3.Region, Bucket: s3.Bucket, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey,
		Prefix: s3.Prefix})
}

// newLogger writes JSON lines in production, for log collectors, and text
// in development, for people.
func newLogger(env *environment, cfg config.Config) *slog.Logger {
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(env.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.stderr, nil))
}

// metricsReadTimeout bounds how long a scraper may take to send its request.
const metricsReadTimeout = 10 * time.Second

// serveMetrics serves /metrics on its own listener at addr, apart from the app's, so that a
// firewall or a loopback address keeps it private. It returns once listening; stop closes it.
func serveMetrics(ctx context.Context, addr string, registry *metrics.Registry,
	logger *slog.Logger) (stop func(), err error) {
	listener, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", registry.Handler())
	server := &http.Server{Handler: mux, ReadHeaderTimeout: metricsReadTimeout,
		ReadTimeout: metricsReadTimeout, WriteTimeout: metricsReadTimeout}
	go func() {
		err := server.Serve(listener)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics listener stopped", "error", err)
		}
	}()
	logger.Info("serving metrics", "addr", listener.Addr().String())
	return func() { _ = server.Close() }, nil
}
