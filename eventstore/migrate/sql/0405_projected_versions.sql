-- projected_versions records, per user, the last event version the read
-- models hold. The inline projection writes it in every append's
-- transaction and a rebuild derives it from the fold, so it trails the
-- stream only when events reached the log without being projected (a
-- restore before its rebuild): that gap is the projection lag /metrics
-- reports.
CREATE TABLE projected_versions (
    user_id uuid   NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT projected_versions_pkey PRIMARY KEY (user_id)
);

-- Existing books were projected inline up to their stream head.
INSERT INTO projected_versions (user_id, version) SELECT user_id, version FROM streams WHERE version > 0;
