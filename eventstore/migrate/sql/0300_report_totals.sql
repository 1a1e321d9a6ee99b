-- Read models for reports, beside the core monthly_totals. Reports sum these
-- pre-aggregated rows instead of the journal, whatever the size of the books.

-- report_entries keeps what each counted (not voided) transaction adds to the
-- totals below, so that an amendment or a void can take its old share out.
CREATE TABLE report_entries (
    user_id        uuid      NOT NULL,
    transaction_id uuid      NOT NULL,
    date           date      NOT NULL,
    payee          text      NOT NULL,
    tags           text[]    NOT NULL,
    account_ids    uuid[]    NOT NULL,
    currencies     text[]    NOT NULL,
    amounts        numeric[] NOT NULL,
    CONSTRAINT report_entries_pkey PRIMARY KEY (user_id, transaction_id)
);

-- daily_totals sums counted postings per account, currency and accounting
-- date. Reports read it only for the days of a month that a period cuts.
CREATE TABLE daily_totals (
    user_id    uuid    NOT NULL,
    account_id uuid    NOT NULL,
    currency   text    NOT NULL,
    day        date    NOT NULL,
    amount     numeric NOT NULL,
    CONSTRAINT daily_totals_pkey PRIMARY KEY (user_id, account_id, currency, day)
);
CREATE INDEX daily_totals_day_idx ON daily_totals (user_id, day);

-- The dimension tables sum the same postings per tag of their transaction
-- (dimension 'tag') and per payee (dimension 'payee', '' for none).
CREATE TABLE dimension_monthly_totals (
    user_id    uuid    NOT NULL,
    dimension  text    NOT NULL,
    value      text    NOT NULL,
    account_id uuid    NOT NULL,
    currency   text    NOT NULL,
    month      date    NOT NULL,
    amount     numeric NOT NULL,
    CONSTRAINT dimension_monthly_totals_pkey PRIMARY KEY (user_id, dimension, value, account_id, currency, month)
);
CREATE INDEX dimension_monthly_totals_month_idx ON dimension_monthly_totals (user_id, dimension, month);

CREATE TABLE dimension_daily_totals (
    user_id    uuid    NOT NULL,
    dimension  text    NOT NULL,
    value      text    NOT NULL,
    account_id uuid    NOT NULL,
    currency   text    NOT NULL,
    day        date    NOT NULL,
    amount     numeric NOT NULL,
    CONSTRAINT dimension_daily_totals_pkey PRIMARY KEY (user_id, dimension, value, account_id, currency, day)
);
CREATE INDEX dimension_daily_totals_day_idx ON dimension_daily_totals (user_id, dimension, day);
