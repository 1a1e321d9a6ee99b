package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"folio/domain"
	"folio/projections"
)

// Limits of rebuilds started from the admin page.
const (
	// rebuildHeartbeatEvery is how often the running instance writes progress and looks
	// for a cancellation.
	rebuildHeartbeatEvery = time.Second
	// rebuildHeartbeatStale is how long a run may stay silent before the next start takes
	// its instance for dead and marks it failed.
	rebuildHeartbeatStale = 30 * time.Second
	// rebuildRunTimeout bounds one rebuild; 1M events take minutes.
	rebuildRunTimeout = 6 * time.Hour
	// rebuildFinishTimeout bounds recording the outcome, after the rebuild's own context
	// may have ended.
	rebuildFinishTimeout = 10 * time.Second
)

// rebuildRun is one rebuild started from the admin page, as rebuild_runs stores it.
type rebuildRun struct {
	ID              uuid.UUID
	StartedByEmail  string
	StartedAt       time.Time
	FinishedAt      time.Time // zero while it runs
	Phase           string
	Events          int64
	EventsTotal     int64
	Users           int
	CancelRequested bool
	Outcome         string // "done", "cancelled", "failed"; "" while it runs
	Error           string
}

// Running reports whether the rebuild has not finished.
func (r rebuildRun) Running() bool {
	return r.FinishedAt.IsZero()
}

// Percent is how far the copy has come, 0–100.
func (r rebuildRun) Percent() int64 {
	if r.EventsTotal <= 0 {
		return 0
	}
	return min(100, 100*r.Events/r.EventsTotal)
}

// Duration is how long the rebuild ran, or has been running.
func (r rebuildRun) Duration() time.Duration {
	end := r.FinishedAt
	if end.IsZero() {
		end = time.Now()
	}
	return end.Sub(r.StartedAt).Round(100 * time.Millisecond)
}

// adminRebuildView is the data of the rebuild_status fragment of pages/admin.html.
type adminRebuildView struct {
	Last        *rebuildRun // the latest run, or nil
	Projections []string
	Error       string // why a start or cancel was refused
}

// adminRebuildStatus loads the latest run.
func (s *Server) adminRebuildStatus(ctx context.Context) (adminRebuildView, error) {
	view := adminRebuildView{}
	for _, projection := range projections.All {
		view.Projections = append(view.Projections, projection.Name)
	}
	row := s.pool.QueryRow(ctx, `SELECT r.id, coalesce(u.email, ''), r.started_at, r.finished_at,
			r.phase, r.events, r.events_total, r.users, r.cancel_requested,
			coalesce(r.outcome, ''), r.error
		FROM rebuild_runs r LEFT JOIN users u ON u.id = r.started_by
		ORDER BY r.started_at DESC, r.finished_at IS NULL DESC LIMIT 1`)
	var run rebuildRun
	var finished *time.Time
	err := row.Scan(&run.ID, &run.StartedByEmail, &run.StartedAt, &finished, &run.Phase,
		&run.Events, &run.EventsTotal, &run.Users, &run.CancelRequested, &run.Outcome, &run.Error)
	if errors.Is(err, pgx.ErrNoRows) {
		return view, nil
	}
	if err != nil {
		return view, fmt.Errorf("read rebuild status: %w", err)
	}
	if finished != nil {
		run.FinishedAt = *finished
	}
	view.Last = &run
	return view, nil
}

// adminRebuildPage answers GET /admin/rebuild: the rebuild's progress, which the page polls
// while it runs. A request without htmx goes to the admin page.
func (s *Server) adminRebuildPage(c *fiber.Ctx) error {
	if !isHTMX(c) {
		return c.Redirect("/admin", fiber.StatusSeeOther)
	}
	return s.renderRebuildStatus(c, "")
}

func (s *Server) renderRebuildStatus(c *fiber.Ctx, refusal string) error {
	status, err := s.adminRebuildStatus(c.UserContext())
	if err != nil {
		return err
	}
	status.Error = refusal
	return s.render(c, "admin", "rebuild_status", adminView{Rebuild: status})
}

// adminStartRebuild answers POST /admin/rebuild (projection=<name>, empty for all): the
// online rebuild starts in the background on this instance. Only one runs at a time across
// every instance: the start is refused while another is unfinished.
func (s *Server) adminStartRebuild(c *fiber.Ctx) error {
	admin := currentUser(c)
	var chosen []projections.Projection
	if name := c.FormValue("projection"); name != "" {
		projection, ok := projections.ByName(name)
		if !ok {
			return domain.Invalid("projection", "choose a projection from the list")
		}
		chosen = append(chosen, projection)
	}

	runID, err := s.startRebuild(c.UserContext(), admin.ID)
	if domain.ErrorCode(err) == domain.CodeConflict {
		return s.rebuildRefused(c, err)
	}
	if err != nil {
		return err
	}

	s.log(c).Info("rebuild started", "user_id", admin.ID.String(), "run_id", runID.String())
	go s.runRebuild(runID, chosen)
	if !isHTMX(c) {
		return c.Redirect("/admin", fiber.StatusSeeOther)
	}
	return s.renderRebuildStatus(c, "")
}

func (s *Server) rebuildRefused(c *fiber.Ctx, err error) error {
	if !isHTMX(c) {
		return err
	}
	c.Status(fiber.StatusConflict)
	return s.renderRebuildStatus(c, err.Error())
}

// adminCancelRebuild answers POST /admin/rebuild/cancel: the instance running the rebuild
// stops it within a heartbeat, and the live tables stay as they were.
func (s *Server) adminCancelRebuild(c *fiber.Ctx) error {
	tag, err := s.pool.Exec(c.UserContext(),
		`UPDATE rebuild_runs SET cancel_requested = true WHERE finished_at IS NULL`)
	if err != nil {
		return fmt.Errorf("cancel rebuild: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return s.rebuildRefused(c, domain.Conflict("no rebuild is running"))
	}

	s.log(c).Info("rebuild cancellation requested", "user_id", currentUser(c).ID.String())
	if !isHTMX(c) {
		return c.Redirect("/admin", fiber.StatusSeeOther)
	}
	return s.renderRebuildStatus(c, "")
}

// startRebuild records a new run, after marking failed any run whose instance stopped
// sending heartbeats. It returns a conflict while another run is unfinished.
func (s *Server) startRebuild(ctx context.Context, adminID uuid.UUID) (uuid.UUID, error) {
	runID := uuid.New()
	now := s.now().UTC()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE rebuild_runs SET finished_at = $1, outcome = 'failed',
				error = 'the instance running it stopped answering'
			WHERE finished_at IS NULL AND heartbeat_at < $2`, now, now.Add(-rebuildHeartbeatStale))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO rebuild_runs (id, started_by, started_at, heartbeat_at)
			VALUES ($1, $2, $3, $3)`, runID, adminID, now)
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return uuid.Nil, domain.Conflict("a rebuild is already running; wait for it or cancel it")
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("start rebuild: %w", err)
	}
	return runID, nil
}

// runRebuild runs the online rebuild of run runID and records its progress and outcome. It
// runs on its own goroutine, outside any request. Readers are never blocked; the rebuild's
// advisory lock keeps a rebuild from the command line from running at the same time.
func (s *Server) runRebuild(runID uuid.UUID, chosen []projections.Projection) {
	ctx, cancel := context.WithTimeout(context.Background(), rebuildRunTimeout)
	defer cancel()
	var progress atomic.Pointer[projections.Progress]
	var cancelled atomic.Bool
	stop := make(chan struct{})
	var heartbeats sync.WaitGroup
	heartbeats.Add(1)
	go func() {
		defer heartbeats.Done()
		s.rebuildHeartbeats(ctx, runID, &progress, stop, func() {
			cancelled.Store(true)
			cancel()
		})
	}()

	report, err := projections.Rebuild(ctx, s.pool, projections.RebuildOptions{
		Projections: chosen, Logger: s.logger,
		Progress: func(p projections.Progress) { progress.Store(&p) },
	})
	close(stop)
	heartbeats.Wait()

	outcome, message := "done", ""
	switch {
	case err == nil:
	case cancelled.Load():
		outcome, message = "cancelled", "cancelled by an admin; the live tables were kept"
	case errors.Is(err, projections.ErrRebuildRunning):
		outcome, message = "failed", "another rebuild was running (from the command line?)"
	default:
		outcome, message = "failed", "the rebuild failed; the server log has the details"
		s.logger.Error("rebuild failed", "run_id", runID.String(), "error", err)
	}
	s.finishRebuild(runID, outcome, message, report, progress.Load())
}

// rebuildHeartbeats writes the latest progress every heartbeat until stop closes, and calls
// cancel once somebody asked for the run to stop.
func (s *Server) rebuildHeartbeats(ctx context.Context, runID uuid.UUID,
	progress *atomic.Pointer[projections.Progress], stop <-chan struct{}, cancel func()) {
	ticker := time.NewTicker(rebuildHeartbeatEvery)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		p := progress.Load()
		if p == nil {
			p = &projections.Progress{Phase: "starting"}
		}
		var cancelRequested bool
		err := s.pool.QueryRow(ctx, `UPDATE rebuild_runs SET heartbeat_at = $2, phase = $3,
				events = $4, events_total = $5
			WHERE id = $1 RETURNING cancel_requested`,
			runID, s.now().UTC(), p.Phase, p.Events, p.EventsTotal).Scan(&cancelRequested)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("record rebuild progress", "run_id", runID.String(), "error", err)
		}
		if cancelRequested {
			cancel()
		}
	}
}

func (s *Server) finishRebuild(runID uuid.UUID, outcome, message string,
	report projections.RebuildReport, last *projections.Progress) {
	ctx, cancel := context.WithTimeout(context.Background(), rebuildFinishTimeout)
	defer cancel()
	phase, events, total := "done", report.Events, report.Events
	if outcome != "done" {
		phase = outcome
		if last != nil {
			events, total = last.Events, last.EventsTotal
		}
	}
	_, err := s.pool.Exec(ctx, `UPDATE rebuild_runs SET finished_at = $2, heartbeat_at = $2,
			outcome = $3, error = $4, phase = $5, events = $6, events_total = $7, users = $8
		WHERE id = $1`,
		runID, s.now().UTC(), outcome, message, phase, events, total, report.Users)
	if err != nil {
		s.logger.Error("record rebuild outcome", "run_id", runID.String(), "error", err)
		return
	}
	s.logger.Info("rebuild finished", "run_id", runID.String(), "outcome", outcome,
		"events", report.Events, "users", report.Users, "duration_ms", report.Duration.Milliseconds())
}
