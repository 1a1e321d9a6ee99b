// Package web is Folio's HTTP face: server-rendered pages enhanced by htmx, a JSON API under
// /api/v1, sign-in and sessions, and the security baseline every response carries. README.md
// explains how to add a screen.
package web

import (
	"context"
	"errors"
	"fmt"
	"folio/app/ledger"
	"folio/eventstore"
	"folio/projections"
	"html/template"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/storage/postgres/v3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"folio/app/config"
	"folio/app/documents"
	"folio/app/mail"
	"folio/app/users"
	"folio/static"
	"folio/templates"
)

// Limits of the HTTP server. Fiber's defaults are unlimited for the timeouts, so each is set.
const (
	readTimeout     = 15 * time.Second // whole request, headers and body
	writeTimeout    = 30 * time.Second // whole response
	idleTimeout     = 2 * time.Minute  // keep-alive between requests
	readBufferBytes = 16 << 10         // request line and headers; bounds cookie size too
	// bodySizeBytesMax bounds every request body but those of the routes that stream uploads,
	// which have limits of their own (limitBody in documents_streaming.go).
	bodySizeBytesMax = 1 << 20
	shutdownTimeout  = 20 * time.Second // in-flight requests get this long to finish
	readyTimeout     = 2 * time.Second  // database ping of /readyz
)

// booksCachedMax bounds how many users' folded books the server keeps in
// memory when it builds its own ledger service.
const booksCachedMax = 256

// Deps is what a Server needs from the program that runs it.
type Deps struct {
	Config config.Config
	// Pool is the application's database pool. The Server uses it but does not close it.
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// OnRegister runs right after a user registers and before they are signed in; it opens
	// the new user's books. If it fails, the registration is undone. When nil, the server
	// opens the books through its ledger.
	OnRegister func(ctx context.Context, userID uuid.UUID) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Store and Ledger run the bookkeeping commands. When nil, New builds
	// them on Pool with the inline projections.
	Store  *eventstore.Store
	Ledger *ledger.Service
	// Documents stores the files of documents. When nil, New keeps them in
	// Config.UploadFolder.
	Documents documents.Storage
	// Mailer delivers password reset links. When nil, New picks one from the configuration
	// (mail.New); production without SMTP then has none and password reset is unavailable.
	Mailer mail.Sender
}

// Server serves Folio over HTTP. It owns its dependencies; create it with New, serve with
// Listen, and release it with Close.
type Server struct {
	config     config.Config
	pool       *pgxpool.Pool
	logger     *slog.Logger
	users      *users.Store
	throttle   *users.Throttle
	onRegister func(ctx context.Context, userID uuid.UUID) error
	now        func() time.Time
	store      *eventstore.Store
	ledger     *ledger.Service
	twoFactor  *users.TwoFactor
	mailer     mail.Sender // nil when no mail can be sent
	timeTravel *timeTravelCache
	documents  *documents.Library

	sessionStorage *postgres.Storage
	pageCSRF       fiber.Handler
	apiCSRF        fiber.Handler

	pages  map[string]*template.Template
	assets *assets
	app    *fiber.App

	closeOnce sync.Once
	closeErr  error
}

// New builds a Server: it parses and checks every template, fingerprints the static files,
// and opens the session storage on a pool of its own. The database must be migrated.
func New(deps Deps) (*Server, error) {
	if deps.Pool == nil || deps.Logger == nil {
		return nil, errors.New("web: Deps.Pool and Deps.Logger are required")
	}
	if deps.Config.DatabaseURL == "" {
		return nil, errors.New("web: Config.DatabaseURL is required for the session storage")
	}
	now := deps.Now
	if now == nil {
		now = time.Now
	}

	s := &Server{
		config:     deps.Config,
		pool:       deps.Pool,
		logger:     deps.Logger,
		users:      users.NewStore(deps.Pool, now),
		throttle:   users.NewThrottle(deps.Pool, now),
		onRegister: deps.OnRegister,
		now:        now,
		store:      deps.Store,
		ledger:     deps.Ledger,
		mailer:     deps.Mailer,
		timeTravel: newTimeTravelCache(timeTravelCachedEventsMax, timeTravelCacheIdle),
	}
	if s.store == nil {
		s.store = eventstore.New(deps.Pool, eventstore.WithProjector(projections.Projector{}))
	}
	if s.ledger == nil {
		s.ledger = ledger.New(s.store, deps.Logger, booksCachedMax)
	}
	if s.mailer == nil {
		s.mailer = mail.New(deps.Config, deps.Logger)
	}
	var err error
	s.twoFactor, err = users.NewTwoFactor(deps.Pool, deps.Config.SecretKey, now)
	if err != nil {
		return nil, err
	}
	if s.onRegister == nil {
		// A registered user always gets books with the starter chart.
		s.onRegister = func(ctx context.Context, userID uuid.UUID) error {
			return s.ledger.EnsureOpened(ctx, userID, userID, "register-"+userID.String())
		}
	}

	s.assets, err = loadAssets(static.FS)
	if err != nil {
		return nil, err
	}
	s.pages, err = parsePages(templates.FS, s.templateFuncs())
	if err != nil {
		return nil, err
	}
	err = s.openDocuments(deps.Documents)
	if err != nil {
		return nil, err
	}
	err = s.openSessions()
	if err != nil {
		return nil, err
	}

	s.app = fiber.New(fiber.Config{
		AppName:                 "folio",
		Network:                 fiber.NetworkTCP, // IPv4 and IPv6; Fiber's default is IPv4 only
		DisableStartupMessage:   true,
		CaseSensitive:           true,
		ReadTimeout:             readTimeout,
		WriteTimeout:            writeTimeout,
		IdleTimeout:             idleTimeout,
		ReadBufferSize:          readBufferBytes,
		BodyLimit:               bodySizeBytesMax,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.config.TrustedProxyStrings(),
		ErrorHandler:            s.handleError,
		// Fiber's strings (FormValue, Params, Get) point into a buffer that the next request
		// reuses. Commands keep such strings in cached books, where they would silently
		// change; Immutable makes every one a copy.
		Immutable: true,
	})
	s.limitBodies()
	s.routes()
	return s, nil
}

// App returns the Fiber app, for tests (app.Test) and for adding routes before Listen.
func (s *Server) App() *fiber.App {
	return s.app
}

// Listen serves on the configured address until ctx is cancelled, then stops accepting
// connections and lets in-flight requests finish for up to shutdownTimeout.
func (s *Server) Listen(ctx context.Context) error {
	served := make(chan error, 1)
	go func() {
		served <- s.app.Listen(s.config.Addr)
	}()
	s.logger.Info("listening", "addr", s.config.Addr, "env", s.config.Env)

	select {
	case err := <-served:
		return fmt.Errorf("serve on %s: %w", s.config.Addr, err)
	case <-ctx.Done():
	}

	s.logger.Info("shutting down", "timeout_seconds", shutdownTimeout.Seconds())
	err := s.app.ShutdownWithTimeout(shutdownTimeout)
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	err = <-served
	if err != nil {
		return fmt.Errorf("serve on %s: %w", s.config.Addr, err)
	}
	return nil
}

// Close releases the session storage and its pool. Call it after Listen returned; calling it
// again does nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.sessionStorage.Close()
	})
	return s.closeErr
}
