-- partman schema, version 2: an action that runs outside a transaction block (DETACH ... CONCURRENTLY, then
-- DROP) is recorded as 'started' before its first statement and updated when it ends, so a run killed in
-- between leaves a trace the next run finishes from.
ALTER TABLE @schema@.history DROP CONSTRAINT history_outcome_check;
ALTER TABLE @schema@.history ADD CONSTRAINT history_outcome_check
    CHECK (outcome IN ('started', 'ok', 'failed', 'deferred'));
