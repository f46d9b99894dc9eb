-- partman schema, version 16: how a policy names the partitions it creates. 'partman' (the default, and what
-- every policy made before this version keeps): events_p20261213, events_p2026w50, ids_p5000. 'pg_partman':
-- as pg_partman names them, <parent>_p<suffix> with the suffix written by name_format (pg_partman's
-- datetime_string, a to_char pattern such as YYYY_MM_DD; NULL: the one pg_partman's create_parent picks for
-- the interval) or an integer range's lower bound, and the default partition <parent>_default; a long parent
-- name is cut as pg_partman cuts it. import-pg-partman sets it for the parents it imports.
-- (Written to run again over itself: an upgrade from an older version number whose schema already has
-- these columns, as a test that fakes an older schema leaves it, adds nothing twice.)
ALTER TABLE @schema@.policy ADD COLUMN IF NOT EXISTS partition_names text NOT NULL DEFAULT 'partman';
ALTER TABLE @schema@.policy ADD COLUMN IF NOT EXISTS name_format text;
ALTER TABLE @schema@.policy DROP CONSTRAINT IF EXISTS policy_partition_names_check;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_partition_names_check
    CHECK (partition_names IN ('partman', 'pg_partman')
           AND (name_format IS NULL OR (partition_names = 'pg_partman' AND name_format <> '')));
COMMENT ON COLUMN @schema@.policy.partition_names IS
    'partman: how new partitions are named: partman (events_p20261213) or pg_partman (events_p2026_12_13)';
COMMENT ON COLUMN @schema@.policy.name_format IS
    'partman: pg_partman''s datetime_string for the names of a time or epoch policy (NULL: from the interval)';
