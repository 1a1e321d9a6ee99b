-- The subject of an event (the transaction or account it opens, changes or
-- closes) moves from an expression index, which parsed every appended
-- payload as JSON twice, into a column the event store fills when it
-- appends. `verify` checks the column against the payload, so altering it
-- behind the app's back is found like any other tampering.
ALTER TABLE events ADD COLUMN subject_id uuid;

ALTER TABLE events DISABLE TRIGGER events_append_only;
UPDATE events
SET subject_id = coalesce(payload::jsonb ->> 'transaction_id', payload::jsonb ->> 'account_id')::uuid
WHERE event_type IN ('TransactionRecorded', 'TransactionAmended', 'TransactionVoided',
                     'AccountOpened', 'AccountRenamed', 'AccountClosed', 'AccountReopened');
ALTER TABLE events ENABLE TRIGGER events_append_only;

DROP INDEX events_subject_idx;
CREATE INDEX events_subject_idx ON events (user_id, subject_id, version) WHERE subject_id IS NOT NULL;
