-- Two-factor sign-in with time-based one-time passwords (RFC 6238) and recovery codes.

-- user_totp holds a user's TOTP secret, sealed with AES-256-GCM under a key derived from
-- SECRET_KEY and bound to the user's id, so that a database dump alone does not yield it.
-- enabled_at is NULL while the user has not yet confirmed the secret with a first code.
-- last_step is the last 30-second time step whose code was accepted: a code is never accepted
-- twice, even within its validity window.
CREATE TABLE user_totp (
    user_id       uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed bytea       NOT NULL CHECK (length(secret_sealed) BETWEEN 28 AND 256),
    created_at    timestamptz NOT NULL,
    enabled_at    timestamptz,
    last_step     bigint      NOT NULL DEFAULT 0
);

-- user_recovery_codes keeps the SHA-256 of each recovery code (120 random bits, so a plain
-- hash is enough); a code works once.
CREATE TABLE user_recovery_codes (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea       NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
