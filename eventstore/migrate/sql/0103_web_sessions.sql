-- Browser sessions, in the layout github.com/gofiber/storage/postgres expects: k is the session
-- id, v the encoded session data and e the expiry in Unix seconds (0 for none). Creating the
-- table here means the storage never creates or drops tables itself.
CREATE TABLE web_sessions (
    k varchar(64) PRIMARY KEY NOT NULL DEFAULT '',
    v bytea       NOT NULL,
    e bigint      NOT NULL DEFAULT '0'
);
CREATE INDEX web_sessions_e_idx ON web_sessions (e);
