-- Failed sign-ins per client address and per account, to slow down password guessing. The key
-- is a SHA-256 of what it counts, so the table holds no email or IP address.
CREATE TABLE login_throttle (
    key             bytea       PRIMARY KEY CHECK (length(key) = 32),
    failures        integer     NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz NOT NULL
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure_at);
