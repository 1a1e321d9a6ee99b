-- The audit tables are keyed by their owner first, as every other table of
-- the books is keyed by its user: each query names the owner, and a database
-- that distributes the books by owner (Citus, docs/scaling.md) requires every
-- unique key to hold the distribution column.
ALTER TABLE audit_grants DROP CONSTRAINT audit_grants_pkey;
ALTER TABLE audit_grants ADD CONSTRAINT audit_grants_pkey PRIMARY KEY (owner_id, id);

-- The new key serves the owner's log, newest first, as the index it replaces did.
ALTER TABLE audit_access_log DROP CONSTRAINT audit_access_log_pkey;
DROP INDEX audit_access_log_owner_idx;
ALTER TABLE audit_access_log ADD CONSTRAINT audit_access_log_pkey PRIMARY KEY (owner_id, id);
