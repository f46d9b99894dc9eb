-- partman schema, version 8: the history rows that did not end 'ok' (an interrupted removal or move, a
-- failure, a deferral) have an index of their own, so a run reads them without scanning the whole history,
-- which grows by every action of every run.
CREATE INDEX history_unfinished_idx ON @schema@.history (parent_schema, parent_table) WHERE outcome <> 'ok';
