-- Online rebuilds started from the admin page. The instance that runs one writes its progress
-- here every moment, so that the page shows it whichever instance serves the page, and reads
-- cancel_requested, so that any instance can stop it. At most one run is unfinished at a
-- time; a run whose heartbeat stopped (its instance died) is marked failed by the next start.
CREATE TABLE rebuild_runs (
    id               uuid        PRIMARY KEY,
    started_by       uuid        NOT NULL,
    started_at       timestamptz NOT NULL,
    heartbeat_at     timestamptz NOT NULL,
    finished_at      timestamptz,
    phase            text        NOT NULL DEFAULT 'starting',
    events           bigint      NOT NULL DEFAULT 0,
    events_total     bigint      NOT NULL DEFAULT 0,
    users            integer     NOT NULL DEFAULT 0,
    cancel_requested boolean     NOT NULL DEFAULT false,
    outcome          text        CHECK (outcome IN ('done', 'cancelled', 'failed')),
    error            text        NOT NULL DEFAULT '',
    CHECK ((finished_at IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX rebuild_runs_one_unfinished ON rebuild_runs ((true)) WHERE finished_at IS NULL;
CREATE INDEX rebuild_runs_started_idx ON rebuild_runs (started_at DESC);
