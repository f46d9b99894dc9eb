-- partman schema, version 7: an archive records its partition's bound as the server deparsed it before
-- the detach ("FOR VALUES IN ('eu')", "FOR VALUES FROM (...) TO (...)"), so restore --attach puts back
-- any partition, LIST ones included, exactly where it was.
ALTER TABLE @schema@.archive ADD COLUMN bound text;
