-- Accounts of the people who keep books in Folio.

-- email is stored lower-cased, which the check enforces, so that the unique constraint is
-- case-insensitive. session_generation grows whenever every existing session of the user must
-- end (a password change, disabling); a session remembers the generation it started in.
CREATE TABLE users (
    id                 uuid        PRIMARY KEY,
    email              text        NOT NULL UNIQUE
                                   CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash      text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    is_admin           boolean     NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL,
    last_login_at      timestamptz,
    disabled_at        timestamptz,
    session_generation integer     NOT NULL DEFAULT 1 CHECK (session_generation > 0)
);
