-- partman schema, version 9: the index of unfinished history rows names the outcomes it holds. With the
-- predicate "outcome <> 'ok'" the planner, before the history is first analysed (autovacuum comes a minute
-- or more after a run's many inserts), guesses that nearly every row matches and scans the whole history;
-- an IN list of three values is guessed small, so a run reads the index whether or not statistics exist.
DROP INDEX @schema@.history_unfinished_idx;
CREATE INDEX history_pending_idx ON @schema@.history (parent_schema, parent_table)
  WHERE outcome IN ('started', 'failed', 'deferred');
