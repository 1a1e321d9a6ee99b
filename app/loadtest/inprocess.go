package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"folio/app/config"
	"folio/app/web"
)

// inProcessApp serves the app inside this process, so that a CPU profile
// (-cpuprofile) shows where a request's time goes. Memory figures then
// include the load generator.
type inProcessApp struct {
	server  *web.Server
	baseURL string
	profile *os.File
}

func startInProcess(seeded *seeded, workDir, profilePath string) (*inProcessApp, error) {
	cfg, err := config.Load(func(name string) string {
		if name == "DATABASE_URL" {
			return seeded.databaseURL
		}
		return ""
	}, workDir)
	if err != nil {
		return nil, err
	}
	// Like the app binary, it writes a line per request, so that the profile holds that too.
	logFile, err := os.Create(filepath.Join(workDir, "app.log"))
	if err != nil {
		return nil, err
	}
	server, err := web.New(web.Deps{Config: cfg, Pool: seeded.db.Pool,
		Logger: slog.New(slog.NewTextHandler(logFile, nil))})
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = server.App().Listener(listener) }()
	app := &inProcessApp{server: server, baseURL: "http://" + listener.Addr().String()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := waitReady(ctx, app.baseURL); err != nil {
		return nil, err
	}
	if app.profile, err = os.Create(profilePath); err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(app.profile); err != nil {
		return nil, fmt.Errorf("start CPU profile: %w", err)
	}
	return app, nil
}

func (a *inProcessApp) stop() {
	pprof.StopCPUProfile()
	_ = a.profile.Close()
	_ = a.server.App().ShutdownWithTimeout(5 * time.Second)
	_ = a.server.Close()
}
