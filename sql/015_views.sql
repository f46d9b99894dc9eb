-- partman schema, version 15: read-only views for people and dashboards. partitions: every partition of a
-- managed parent (and, under a level-2 policy, of its partitions) with its bounds and its state, judged as
-- `partman status` judges it at the moment of the query; parent_health: per managed parent, its
-- partitions, how many lie ahead, the estimated rows of its default partition and its last runs;
-- recent_history: the actions of the last 7 days. They read the catalog and partman's tables only (an
-- integer parent's largest value comes from max() of its newest partitions, where the reader may select).

-- Returns the lower (upper: the upper) bound of a RANGE partition from its deparsed bound, "FOR VALUES FROM
-- ('2026-01-01 00:00:00+00') TO (MAXVALUE)", unquoted; NULL for MINVALUE and MAXVALUE and for other bounds.
CREATE FUNCTION @schema@.range_bound(bound text, upper boolean) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN v IN ('MINVALUE', 'MAXVALUE') THEN NULL
                WHEN pg_catalog.left(v, 1) = '''' THEN pg_catalog.replace(pg_catalog.substr(v, 2, pg_catalog.length(v) - 2), '''''', '''')
                ELSE v END
      FROM (SELECT (pg_catalog.regexp_match(bound, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$'))[CASE WHEN upper THEN 2 ELSE 1 END] AS v) s
$$;

-- Returns the values of a LIST partition from its deparsed bound, "FOR VALUES IN ('eu', 'O''Brien', NULL)",
-- unquoted (NULL for NULL); NULL for other bounds.
CREATE FUNCTION @schema@.list_bound(bound text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT pg_catalog.array_agg(CASE WHEN m[1] IS NOT NULL THEN pg_catalog.replace(m[1], '''''', '''')
                                     WHEN m[2] <> 'NULL' THEN m[2] END)
      FROM pg_catalog.regexp_matches(pg_catalog.substring(bound, '^FOR VALUES IN \((.*)\)$'),
                                     '''((?:[^'']|'''')*)''|([^, ]+)', 'g') AS m
$$;

-- Returns a RANGE key value (`value` as the server prints it) as a number to compare: seconds since 1970 for
-- time and epoch keys (the wall clock, read as UTC, for timestamp and date keys), the value itself for
-- integer ranges.
CREATE FUNCTION @schema@.key_number(value text, key_type text, shape text, epoch_unit text) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN shape = 'integer' THEN value::numeric
                WHEN shape = 'epoch' THEN value::numeric / CASE epoch_unit WHEN 'milliseconds' THEN 1000 ELSE 1 END
                WHEN key_type = 'timestamp with time zone' THEN EXTRACT(epoch FROM value::timestamptz)
                ELSE EXTRACT(epoch FROM value::timestamp) END
$$;

-- Returns where a RANGE policy stands now, as key_number() counts: now (for integer ranges the largest
-- value present, `largest`), or with `cutoff` the retention cutoff (partitions whose upper bound is not
-- above it have expired); NULL when there is none.
CREATE FUNCTION @schema@.key_now(shape text, key_type text, zone text, retention text, largest bigint,
                                 cutoff boolean) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN shape = 'integer' THEN largest - CASE WHEN cutoff THEN retention::numeric ELSE 0 END
                WHEN cutoff AND retention IS NULL THEN NULL
                WHEN shape = 'epoch' OR key_type = 'timestamp with time zone'
                THEN EXTRACT(epoch FROM (l - CASE WHEN cutoff THEN retention::interval ELSE interval '0' END) AT TIME ZONE zone)
                ELSE EXTRACT(epoch FROM l - CASE WHEN cutoff THEN retention::interval ELSE interval '0' END) END
      FROM (SELECT now() AT TIME ZONE zone AS l) s
$$;

-- Returns the largest value of integer column `key_column` in the partitions of `parent`, read with max()
-- from the newest partition down (see max_key()); NULL without rows, or when the reader may not select
-- from every partition.
CREATE FUNCTION @schema@.largest_key(parent regclass, key_column name) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    parts regclass[];
BEGIN
    SELECT pg_catalog.array_agg(c.oid::regclass ORDER BY @schema@.range_bound(pg_catalog.pg_get_expr(c.relpartbound, c.oid), true)::numeric DESC NULLS FIRST)
      INTO parts
      FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent AND pg_catalog.pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT';
    IF EXISTS (SELECT 1 FROM pg_catalog.unnest(parts) p WHERE NOT pg_catalog.has_table_privilege(p, 'SELECT')) THEN
        RETURN NULL;
    END IF;
    RETURN @schema@.max_key(parts, key_column);
END
$$;

-- Returns the rows of table `rel` itself as the planner estimates them (0 when its heap is empty; from the
-- statistics, scaled to its size now, where the reader may not select from it; NULL before any analyze).
CREATE FUNCTION @schema@.rows_estimate(rel regclass) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN pg_catalog.has_table_privilege(rel, 'SELECT') THEN @schema@.estimate_rows(rel, 'true')
                WHEN pg_catalog.pg_relation_size(rel) = 0 THEN 0
                WHEN c.relpages > 0 AND c.reltuples >= 0
                THEN pg_catalog.round(c.reltuples / c.relpages * pg_catalog.pg_relation_size(rel)
                                      / pg_catalog.current_setting('block_size')::numeric)::bigint END
      FROM pg_catalog.pg_class c WHERE c.oid = rel
$$;

-- Every partition of a managed parent (level 1), and of each partition its level-2 policy keeps (level 2):
-- its bound as the server writes it, a RANGE partition's lower and upper bound (NULL: MINVALUE, MAXVALUE),
-- its state: default, detach-pending; for RANGE past, current (holds now, or an integer key's largest
-- value), future or expired (under retention); for LIST listed or unlisted (NULL for a values query, which
-- the view does not run); its rows as the statistics last counted them (NULL: never analysed) and its size.
CREATE VIEW @schema@.partitions AS
WITH managed AS (
    -- the policy's columns up to partition_key, as the view has always carried them (it reads a few)
    SELECT p.parent_schema, p.parent_table, p.partition_interval, p.premake, p.retention, p.retention_action,
           p.retention_schema, p.timezone, p.start_at, p.created_at, p.updated_at, p.archive_to, p.shape,
           p.epoch_unit, p.start_value, p.list_values, p.values_query, p.list_retention, p.default_partition,
           p.inherit_privileges, p.template_schema, p.template_table, p.level, p.partition_key, t.oid AS top
      FROM @schema@.policy p
      JOIN pg_catalog.pg_namespace n ON n.nspname = p.parent_schema
      JOIN pg_catalog.pg_class t ON t.relnamespace = n.oid AND t.relname = p.parent_table
), parents AS (
    SELECT m.*, m.top AS direct FROM managed m WHERE m.level = 1
    UNION ALL
    SELECT m.*, i.inhrelid FROM managed m
      JOIN pg_catalog.pg_inherits i ON i.inhparent = m.top
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relkind = 'p'
     WHERE m.level = 2
), keyed AS (
    SELECT p.*, a.attname AS key_column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS key_type
      FROM parents p
      JOIN pg_catalog.pg_partitioned_table k ON k.partrelid = p.direct
      JOIN pg_catalog.pg_attribute a ON a.attrelid = p.direct AND a.attnum = k.partattrs[0]
), placed AS (
    SELECT k.*, x.largest,
           @schema@.key_now(k.shape, k.key_type, k.timezone, k.retention, x.largest, false) AS now_at,
           @schema@.key_now(k.shape, k.key_type, k.timezone, k.retention, x.largest, true) AS cutoff
      FROM keyed k
      CROSS JOIN LATERAL (SELECT CASE WHEN k.shape = 'integer' THEN @schema@.largest_key(k.direct, k.key_column) END AS largest) x
), bounded AS (
    SELECT p.parent_schema, p.parent_table, p.level, n.nspname AS partition_schema, c.relname AS partition_name,
           b.bound, @schema@.range_bound(b.bound, false) AS lower, @schema@.range_bound(b.bound, true) AS upper,
           i.inhdetachpending, p.shape, p.key_type, p.epoch_unit, p.list_values, p.values_query, p.now_at, p.cutoff,
           c.oid AS partition, c.reltuples
      FROM placed p
      JOIN pg_catalog.pg_inherits i ON i.inhparent = p.direct
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL (SELECT pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound) b
)
SELECT b.parent_schema, b.parent_table, b.level::int AS level, b.partition_schema, b.partition_name, b.bound, b.lower,
       b.upper,
       CASE WHEN b.bound = 'DEFAULT' THEN 'default'
            WHEN b.inhdetachpending THEN 'detach-pending'
            WHEN b.shape = 'list' THEN CASE WHEN b.values_query IS NOT NULL THEN NULL
                                            WHEN @schema@.list_bound(b.bound) && b.list_values THEN 'listed'
                                            ELSE 'unlisted' END
            WHEN b.cutoff IS NOT NULL AND b.upper IS NOT NULL
                 AND @schema@.key_number(b.upper, b.key_type, b.shape, b.epoch_unit) <= b.cutoff THEN 'expired'
            WHEN b.now_at IS NULL OR (b.lower IS NOT NULL
                 AND @schema@.key_number(b.lower, b.key_type, b.shape, b.epoch_unit) > b.now_at) THEN 'future'
            WHEN b.upper IS NULL OR @schema@.key_number(b.upper, b.key_type, b.shape, b.epoch_unit) > b.now_at THEN 'current'
            ELSE 'past' END AS state,
       CASE WHEN b.reltuples >= 0 THEN b.reltuples::bigint END AS estimated_rows,
       pg_catalog.pg_total_relation_size(b.partition) AS bytes
  FROM bounded b;
COMMENT ON VIEW @schema@.partitions IS
    'partman: every partition of the managed parents, with its bounds and its state now (past, current, future, expired, default, ...)';

-- Per managed parent: its shape, premake, the partitions it has (the default one aside) and how many lie
-- ahead of now (RANGE shapes; an integer key: beyond its largest value), its default partition with the
-- rows it holds (estimated), and when a run last worked on it, last succeeded, and the last run's error.
CREATE VIEW @schema@.parent_health AS
SELECT p.parent_schema, p.parent_table, p.shape,
       CASE WHEN p.shape <> 'list' THEN p.premake END AS premake,
       (SELECT pg_catalog.count(*) FROM @schema@.partitions x
         WHERE x.parent_schema = p.parent_schema AND x.parent_table = p.parent_table AND x.level = 1
           AND x.state IS DISTINCT FROM 'default')::int AS partitions,
       CASE WHEN p.shape <> 'list' THEN
           (SELECT pg_catalog.count(*) FROM @schema@.partitions x
             WHERE x.parent_schema = p.parent_schema AND x.parent_table = p.parent_table AND x.level = 1
               AND x.state = 'future')::int END AS partitions_ahead,
       d.default_partition,
       CASE WHEN d.default_partition IS NOT NULL THEN @schema@.rows_estimate(d.oid) END AS default_rows,
       r.last_run, r.last_success, r.last_error
  FROM @schema@.policy p
  LEFT JOIN @schema@.run_state r ON r.parent_schema = p.parent_schema AND r.parent_table = p.parent_table
  LEFT JOIN LATERAL (
      SELECT c.oid, c.relname AS default_partition
        FROM pg_catalog.pg_namespace n
        JOIN pg_catalog.pg_class t ON t.relnamespace = n.oid AND t.relname = p.parent_table
        JOIN pg_catalog.pg_partitioned_table k ON k.partrelid = t.oid
        JOIN pg_catalog.pg_class c ON c.oid = k.partdefid
       WHERE n.nspname = p.parent_schema) d ON true
 WHERE p.level = 1;
COMMENT ON VIEW @schema@.parent_health IS
    'partman: per managed parent, partitions ahead, rows in its default partition (estimated), and its last runs';

-- The actions applied in the last 7 days, the newest first.
CREATE VIEW @schema@.recent_history AS
SELECT h.applied_at, h.run_id, h.parent_schema, h.parent_table, h.action, h.partition_schema, h.partition_name,
       h.outcome, h.duration_ms, h.error, h.sql, h.id
  FROM @schema@.history h
 WHERE h.applied_at > now() - interval '7 days'
 ORDER BY h.applied_at DESC, h.id DESC;
COMMENT ON VIEW @schema@.recent_history IS 'partman: the actions applied in the last 7 days, the newest first';
