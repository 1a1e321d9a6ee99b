-- prices holds every exchange rate the books know: the price of each posting
-- that converted one currency into another (source_id is its transaction,
-- line its posting) and each rate the user entered (source_id is the price,
-- line 0). One unit of commodity was worth rate of currency on date.
CREATE TABLE prices (
    user_id          uuid    NOT NULL,
    source_id        uuid    NOT NULL,
    line             integer NOT NULL,
    date             date    NOT NULL,
    commodity        text    NOT NULL,
    currency         text    NOT NULL,
    rate             numeric NOT NULL,
    entered          boolean NOT NULL,
    recorded_version bigint  NOT NULL,
    CONSTRAINT prices_pkey PRIMARY KEY (user_id, source_id, line)
);
CREATE INDEX prices_pair_idx ON prices (user_id, commodity, currency, date);
