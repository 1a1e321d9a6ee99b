-- Every append upserts report totals, so their tables keep one index each:
-- the primary key, now led by the date that reports range over, with text
-- keys compared byte by byte (COLLATE "C"), which is all they need and much
-- cheaper than the database's language collation.

ALTER TABLE daily_totals DROP CONSTRAINT daily_totals_pkey;
DROP INDEX daily_totals_day_idx;
ALTER TABLE daily_totals ALTER COLUMN currency TYPE text COLLATE "C";
ALTER TABLE daily_totals ADD CONSTRAINT daily_totals_pkey PRIMARY KEY (user_id, day, account_id, currency);

ALTER TABLE dimension_monthly_totals DROP CONSTRAINT dimension_monthly_totals_pkey;
DROP INDEX dimension_monthly_totals_month_idx;
ALTER TABLE dimension_monthly_totals
    ALTER COLUMN dimension TYPE text COLLATE "C",
    ALTER COLUMN value TYPE text COLLATE "C",
    ALTER COLUMN currency TYPE text COLLATE "C";
ALTER TABLE dimension_monthly_totals ADD CONSTRAINT dimension_monthly_totals_pkey
    PRIMARY KEY (user_id, dimension, month, value, account_id, currency);

ALTER TABLE dimension_daily_totals DROP CONSTRAINT dimension_daily_totals_pkey;
DROP INDEX dimension_daily_totals_day_idx;
ALTER TABLE dimension_daily_totals
    ALTER COLUMN dimension TYPE text COLLATE "C",
    ALTER COLUMN value TYPE text COLLATE "C",
    ALTER COLUMN currency TYPE text COLLATE "C";
ALTER TABLE dimension_daily_totals ADD CONSTRAINT dimension_daily_totals_pkey
    PRIMARY KEY (user_id, dimension, day, value, account_id, currency);
