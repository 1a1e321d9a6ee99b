-- The history screen describes an amendment, a void or a rename by comparing it with the
-- previous event about the same transaction or account. This index finds that event without
-- scanning the stream: the subject is the payload's transaction_id or account_id.
CREATE INDEX events_subject_idx ON events (
    user_id,
    (coalesce(payload::jsonb ->> 'transaction_id', payload::jsonb ->> 'account_id')),
    version
) WHERE event_type IN ('TransactionRecorded', 'TransactionAmended', 'TransactionVoided',
                       'AccountOpened', 'AccountRenamed', 'AccountClosed', 'AccountReopened');
