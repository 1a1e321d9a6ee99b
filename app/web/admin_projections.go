package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"folio/projections"
)

// adminLogHead is the size of the event log that projections follow.
type adminLogHead struct {
	Events   int64 // across every user
	Position int64 // the highest global position
}

// adminProjection is one projection as the admin page shows it.
type adminProjection struct {
	Name    string
	Version int
	Tables  []adminTable
	// Projections are inline: the append's own transaction updates them, so their
	// checkpoint is always the head of the log and their lag is zero.
	Inline bool
	Lag    int64

	RebuiltAt       time.Time // zero when never rebuilt
	RebuildDuration time.Duration
	RebuiltEvents   int64
	// RebuiltVersion is the projection version of the last rebuild; when it is not Version,
	// the rows may still have the shape of an older version and a rebuild is due.
	RebuiltVersion int
}

// adminTable is one table of a projection with its row count.
type adminTable struct {
	Name string
	Rows int64
}

// adminProjections describes the log and every projection, core and extensions.
func (s *Server) adminProjections(ctx context.Context) (adminLogHead, []adminProjection, error) {
	var head adminLogHead
	err := s.pool.QueryRow(ctx, `SELECT (SELECT coalesce(sum(version), 0) FROM streams),
		(SELECT coalesce(max(position), 0) FROM events)`).Scan(&head.Events, &head.Position)
	if err != nil {
		return head, nil, fmt.Errorf("read log head: %w", err)
	}

	list := make([]adminProjection, 0, len(projections.All))
	for _, projection := range projections.All {
		p := adminProjection{Name: projection.Name, Version: projection.Version, Inline: true}
		if err := s.readProjectionState(ctx, &p); err != nil {
			return head, nil, err
		}
		for _, table := range projection.Tables {
			var rows int64
			err := s.pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).
				Scan(&rows)
			if err != nil {
				return head, nil, fmt.Errorf("count rows of %s: %w", table, err)
			}
			p.Tables = append(p.Tables, adminTable{Name: table, Rows: rows})
		}
		list = append(list, p)
	}
	return head, list, nil
}

func (s *Server) readProjectionState(ctx context.Context, p *adminProjection) error {
	var rebuiltAt *time.Time
	var durationMs, events *int64
	err := s.pool.QueryRow(ctx, `SELECT version, rebuilt_at, rebuild_duration_ms, rebuilt_events
		FROM projection_state WHERE name = $1`, p.Name).
		Scan(&p.RebuiltVersion, &rebuiltAt, &durationMs, &events)
	if errors.Is(err, pgx.ErrNoRows) {
		p.RebuiltVersion = p.Version // built by migrations and inline updates, never rebuilt
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state of projection %s: %w", p.Name, err)
	}
	if rebuiltAt != nil {
		p.RebuiltAt = *rebuiltAt
	}
	if durationMs != nil {
		p.RebuildDuration = time.Duration(*durationMs) * time.Millisecond
	}
	if events != nil {
		p.RebuiltEvents = *events
	}
	return nil
}
