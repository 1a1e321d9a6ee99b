-- Read models folded from the events. Every table is keyed by user first, so
-- that every query is scoped by its owner and the tables can be distributed
-- by user id. They can all be rebuilt from the events at any time.

CREATE TABLE accounts (
    user_id        uuid    NOT NULL,
    account_id     uuid    NOT NULL,
    name           text    NOT NULL,
    type           text    NOT NULL,
    currency       text    NOT NULL DEFAULT '',
    closed         boolean NOT NULL DEFAULT false,
    opened_version bigint  NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (user_id, account_id)
);
CREATE INDEX accounts_name_idx ON accounts (user_id, lower(name));

CREATE TABLE account_balances (
    user_id    uuid    NOT NULL,
    account_id uuid    NOT NULL,
    currency   text    NOT NULL,
    amount     numeric NOT NULL,
    CONSTRAINT account_balances_pkey PRIMARY KEY (user_id, account_id, currency)
);

CREATE TABLE journal (
    user_id          uuid    NOT NULL,
    transaction_id   uuid    NOT NULL,
    date             date    NOT NULL,
    description      text    NOT NULL,
    payee            text    NOT NULL DEFAULT '',
    tags             text[]  NOT NULL DEFAULT '{}',
    revision         integer NOT NULL,
    voided           boolean NOT NULL DEFAULT false,
    recorded_version bigint  NOT NULL,
    changed_version  bigint  NOT NULL,
    CONSTRAINT journal_pkey PRIMARY KEY (user_id, transaction_id)
);
CREATE INDEX journal_date_idx ON journal (user_id, date DESC, recorded_version DESC);

-- journal_postings repeats the date, order and voided flag of its
-- transaction so that an account register reads one index range.
CREATE TABLE journal_postings (
    user_id          uuid    NOT NULL,
    transaction_id   uuid    NOT NULL,
    line             integer NOT NULL,
    account_id       uuid    NOT NULL,
    amount           numeric NOT NULL,
    currency         text    NOT NULL,
    price_amount     numeric,
    price_currency   text,
    date             date    NOT NULL,
    recorded_version bigint  NOT NULL,
    voided           boolean NOT NULL DEFAULT false,
    CONSTRAINT journal_postings_pkey PRIMARY KEY (user_id, transaction_id, line)
);
CREATE INDEX journal_postings_account_idx ON journal_postings (user_id, account_id, date, recorded_version);

CREATE TABLE monthly_totals (
    user_id    uuid    NOT NULL,
    account_id uuid    NOT NULL,
    currency   text    NOT NULL,
    month      date    NOT NULL,
    amount     numeric NOT NULL,
    CONSTRAINT monthly_totals_pkey PRIMARY KEY (user_id, account_id, currency, month)
);

-- projection_state describes each projection for operators: its version and
-- its last rebuild. Inline projections are current with every append, so
-- appends never write here: a shared row would make users wait on each other.
CREATE TABLE projection_state (
    name                 text PRIMARY KEY,
    version              integer NOT NULL,
    rebuilt_at           timestamptz,
    rebuild_duration_ms  bigint,
    rebuilt_events       bigint
);
