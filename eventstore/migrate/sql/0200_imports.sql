-- Statement imports. imports is a read model folded from the StatementImported and
-- ImportUndone events (projections/imports.go); the other tables are the user's own
-- settings for imports, not derived from events.

CREATE TABLE imports (
    user_id       uuid        NOT NULL,
    import_id     uuid        NOT NULL,
    account_id    uuid,
    source        text        NOT NULL,
    file_name     text        NOT NULL DEFAULT '',
    file_sha256   text        NOT NULL DEFAULT '',
    imported_at   timestamptz NOT NULL,
    imported_by   uuid        NOT NULL,
    created       integer     NOT NULL,
    duplicates    integer     NOT NULL,
    undone_at     timestamptz,
    undone_by     uuid,
    CONSTRAINT imports_pkey PRIMARY KEY (user_id, import_id)
);
CREATE INDEX imports_recent_idx ON imports (user_id, imported_at DESC);

-- How a bank's CSV files are read, saved per account and found again for any account
-- by the layout of the header.
CREATE TABLE import_mappings (
    user_id          uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id       uuid        NOT NULL,
    header_signature text        NOT NULL DEFAULT '',
    mapping          jsonb       NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT import_mappings_pkey PRIMARY KEY (user_id, account_id)
);
CREATE INDEX import_mappings_signature_idx ON import_mappings (user_id, header_signature);

-- Rules choose the counter-account of a statement line; the lowest position that
-- matches wins.
CREATE TABLE import_rules (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule_id    uuid        NOT NULL,
    position   integer     NOT NULL,
    field      text        NOT NULL CHECK (field IN ('any', 'payee', 'description')),
    match      text        NOT NULL CHECK (match IN ('contains', 'regex')),
    pattern    text        NOT NULL CHECK (length(pattern) BETWEEN 1 AND 200),
    account_id uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT import_rules_pkey PRIMARY KEY (user_id, rule_id)
);
CREATE INDEX import_rules_order_idx ON import_rules (user_id, position);

-- A user's Wise connection. The token and the private key are sealed with a key derived
-- from SECRET_KEY (app/secrets) and bound to the user: a database dump alone opens
-- neither.
CREATE TABLE wise_credentials (
    user_id             uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_sealed        bytea,
    private_key_sealed  bytea,
    public_key_pem      text        NOT NULL DEFAULT '',
    updated_at          timestamptz NOT NULL
);

-- Which account holds each Wise balance in the books.
CREATE TABLE wise_balance_accounts (
    user_id    uuid   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    balance_id bigint NOT NULL,
    account_id uuid   NOT NULL,
    CONSTRAINT wise_balance_accounts_pkey PRIMARY KEY (user_id, balance_id)
);
