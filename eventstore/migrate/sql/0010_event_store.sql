-- The event store: one stream per user, append-only, hash-chained.

-- streams holds each user's head. Appends lock the row, which makes versions
-- gapless and keeps different users' appends from waiting on each other.
CREATE TABLE streams (
    user_id   uuid PRIMARY KEY,
    version   bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
    head_hash bytea  NOT NULL DEFAULT '\x'::bytea
);

-- events stores every payload as the exact text that was hashed. xid is the
-- appending transaction's id, which the global feed uses to read only what
-- no in-flight transaction can still precede.
CREATE TABLE events (
    user_id        uuid        NOT NULL,
    version        bigint      NOT NULL CHECK (version > 0),
    position       bigint      GENERATED ALWAYS AS IDENTITY,
    xid            xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL CHECK (schema_version > 0),
    payload        text        NOT NULL,
    recorded_at    timestamptz NOT NULL,
    actor_id       uuid        NOT NULL,
    command_id     uuid        NOT NULL,
    request_id     text        NOT NULL DEFAULT '',
    hash           bytea       NOT NULL,
    PRIMARY KEY (user_id, version)
);
CREATE UNIQUE INDEX events_position_key ON events (position);
CREATE INDEX events_feed_idx ON events (xid, position);

-- commands remembers which command ids were appended, so that a retried
-- command is stored once and answers with its first result.
CREATE TABLE commands (
    user_id       uuid   NOT NULL,
    command_id    uuid   NOT NULL,
    first_version bigint NOT NULL,
    last_version  bigint NOT NULL,
    PRIMARY KEY (user_id, command_id)
);

CREATE FUNCTION events_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_reject_change();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_reject_change();
