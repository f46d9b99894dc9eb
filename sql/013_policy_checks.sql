-- partman schema, version 13: the checks of a policy against its parent, in SQL, for partman.manage() (014):
-- the parent's partition key, the column a level-2 policy partitions on, the policy's fit to the key, the
-- window of partitions it keeps, the names it gives partitions, and the default partition it asks for,
-- created at once.

-- How a policy names the partitions it creates. 'partman' (the default, and what every policy made before
-- this version keeps): events_p20261213, events_p2026w50, ids_p5000. 'pg_partman': as pg_partman names them,
-- <parent>_p<suffix> with the suffix written by name_format (pg_partman's datetime_string, a to_char pattern
-- such as YYYY_MM_DD; NULL: the one pg_partman's create_parent picks for the interval) or an integer range's
-- lower bound, and the default partition <parent>_default; a long parent name is cut as pg_partman cuts it.
-- import-pg-partman sets it for the parents it imports, partman.manage() (and `partman manage
-- --partition-names`) takes it as its argument partition_names (read by parse_partition_names(), 012).
ALTER TABLE @schema@.policy ADD COLUMN partition_names text NOT NULL DEFAULT 'partman';
ALTER TABLE @schema@.policy ADD COLUMN name_format text;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_partition_names_check
    CHECK (partition_names IN ('partman', 'pg_partman')
           AND (name_format IS NULL OR (partition_names = 'pg_partman' AND name_format <> '')));
COMMENT ON COLUMN @schema@.policy.partition_names IS
    'partman: how new partitions are named: partman (events_p20261213) or pg_partman (events_p2026_12_13)';
COMMENT ON COLUMN @schema@.policy.name_format IS
    'partman: pg_partman''s datetime_string for the names of a time or epoch policy (NULL: from the interval)';

-- Returns the partition key of `parent` (its column, its type as format_type() prints it, and 'range' or
-- 'list'), or refuses a parent partman cannot plan.
CREATE FUNCTION @schema@.parent_key(parent regclass, OUT key_column name, OUT key_type text, OUT strategy text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    name text;
    kind "char";
    pt pg_catalog.pg_partitioned_table;
BEGIN
    SELECT @schema@.quote_name(n.nspname, c.relname), c.relkind INTO name, kind
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    SELECT * INTO pt FROM pg_catalog.pg_partitioned_table t WHERE t.partrelid = parent;
    IF kind IS DISTINCT FROM 'p' OR pt.partrelid IS NULL THEN
        PERFORM @schema@.refuse(name || ' is not a partitioned table');
    ELSIF pt.partstrat NOT IN ('r', 'l') THEN
        PERFORM @schema@.refuse(name || ' is not partitioned BY RANGE');
    ELSIF pt.partnatts <> 1 OR pt.partattrs[0] = 0 THEN
        PERFORM @schema@.refuse(name || ' must be partitioned on exactly one column (not an expression)');
    END IF;
    strategy := CASE pt.partstrat WHEN 'r' THEN 'range' ELSE 'list' END;
    SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) INTO key_column, key_type
      FROM pg_catalog.pg_attribute a WHERE a.attrelid = parent AND a.attnum = pt.partattrs[0];
    PERFORM @schema@.check_key_type(key_column, key_type, name);
END
$$;

-- Refuses a partition key column whose type partman does not plan (`name`: its table, as messages write it).
CREATE FUNCTION @schema@.check_key_type(key_column name, key_type text, name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF key_type NOT IN ('timestamp with time zone', 'timestamp without time zone', 'date', 'smallint', 'integer',
                        'bigint', 'text', 'character varying', 'uuid') AND key_type NOT LIKE 'character varying(%' THEN
        PERFORM @schema@.refuse(pg_catalog.format('the partition key %s of %s has type %s',
                                                  @schema@.quote_name(key_column), name, key_type),
            'partman plans timestamptz, timestamp, date, smallint, integer and bigint RANGE keys, and text, '
            'varchar, smallint, integer, bigint, uuid and date LIST keys');
    END IF;
END
$$;

-- Returns the column that a level-2 policy of `parent` (partitioned on `outer_key` by `outer_strategy`)
-- partitions each partition on, BY LIST when `list`, else BY RANGE, with its type; `spec_column` names it
-- as SQL writes one identifier. Refuses a column the parent lacks, the parent's own key again (except BY
-- RANGE inside BY RANGE), a unique index without the column, and a partition partitioned otherwise already.
CREATE FUNCTION @schema@.sub_key(parent regclass, list boolean, spec_column text, outer_key name,
                                 outer_strategy text, OUT key_column name, OUT key_type text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    name text := (SELECT @schema@.quote_name(n.nspname, c.relname) FROM pg_catalog.pg_class c
                    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);
    attnum int2;
    lacking text;
    other record;
    wanted text := CASE WHEN list THEN 'LIST' ELSE 'RANGE' END;
BEGIN
    BEGIN
        SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnum INTO key_column, key_type, attnum
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attname = (pg_catalog.parse_ident(spec_column))[1]
           AND pg_catalog.array_length(pg_catalog.parse_ident(spec_column), 1) = 1;
    EXCEPTION WHEN invalid_parameter_value THEN
        key_column := NULL;
    END;
    IF key_column IS NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('%s has no column %s', name, spec_column),
                                'name one of its columns, as SQL writes it');
    END IF;
    IF key_column = outer_key AND (list OR outer_strategy <> 'range') THEN
        PERFORM @schema@.refuse(pg_catalog.format('%s is already partitioned on %s', name, @schema@.quote_name(key_column)),
            'partitions can be partitioned again on the same column only BY RANGE, inside a parent partitioned BY '
            'RANGE (months into days)');
    END IF;
    SELECT x.indexrelid::regclass::text INTO lacking FROM pg_catalog.pg_index x
     WHERE x.indrelid = parent AND x.indisunique AND NOT attnum = ANY (x.indkey::int2[]) ORDER BY 1 LIMIT 1;
    IF lacking IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'unique index %s of %s does not include %s, so partitions partitioned on it could not have it',
            lacking, name, @schema@.quote_name(key_column)),
            pg_catalog.format('add %s to that index (or primary key), or sub-partition on a column it includes',
                              @schema@.quote_name(key_column)));
    END IF;
    SELECT @schema@.quote_name(n.nspname, c.relname) AS child,
           CASE t.partstrat WHEN 'l' THEN 'LIST' ELSE 'RANGE' END AS strategy, a.attname AS col INTO other
      FROM pg_catalog.pg_inherits i
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relkind = 'p'
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_partitioned_table t ON t.partrelid = c.oid
      LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = t.partattrs[0]
     WHERE i.inhparent = parent
       AND (a.attname IS DISTINCT FROM key_column OR t.partnatts <> 1
            OR t.partstrat <> CASE WHEN list THEN 'l' ELSE 'r' END)
     ORDER BY c.relname LIMIT 1;
    IF other.child IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('partition %s of %s is partitioned BY %s (%s), not BY %s (%s)',
                                                  other.child, name, other.strategy, @schema@.quote_name(coalesce(other.col, '')),
                                                  wanted, @schema@.quote_name(key_column)),
                                'the level-2 policy must match the partitions partitioned already');
    END IF;
    PERFORM @schema@.check_key_type(key_column, key_type, name);
END
$$;

-- Refuses a policy that does not fit its key (`key_type`, as format_type() prints it) or itself: a time
-- policy on a key that holds no time, an epoch policy on a key too small, a LIST policy without values,
-- a retention shorter than one partition, an archive without a location, and so on.
CREATE FUNCTION @schema@.check_fits(p @schema@.policy, key_type text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    name text := @schema@.quote_name(p.parent_schema, p.parent_table);
    integer_key boolean := key_type IN ('smallint', 'integer', 'bigint');
    time_key boolean := key_type IN ('timestamp with time zone', 'timestamp without time zone', 'date');
    archive_hint text := 'give one as archive_to (--archive-to): file:///backup/partman or s3://bucket/prefix';
BEGIN
    IF p.shape = 'time' AND NOT time_key THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'the policy of %s plans time ranges, but its key is of type %s, not timestamptz, timestamp or date', name, key_type),
            CASE WHEN integer_key THEN 'for an integer key give a width (1000) or an epoch unit (seconds or milliseconds)'
                 ELSE pg_catalog.format('partman plans RANGE partitions on time and integer keys; a %s key can be '
                                        'partitioned BY LIST, one partition per value', key_type) END);
    ELSIF p.shape = 'time' AND key_type = 'date' AND p.partition_interval ~ ' (minute|hour)s?$' THEN
        PERFORM @schema@.refuse(pg_catalog.format('interval ''%s'' is shorter than a day, but the key of %s is a date',
                                                  p.partition_interval, name), 'use ''1 day'' or longer');
    ELSIF p.shape = 'epoch' AND key_type NOT IN ('integer', 'bigint') THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'epoch time needs an integer or bigint key, but the key of %s is of type %s', name, key_type),
            'epoch seconds fit integer (until 2038) or bigint');
    ELSIF p.shape = 'epoch' AND p.epoch_unit = 'milliseconds' AND key_type <> 'bigint' THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'epoch milliseconds need a bigint key, but the key of %s is an integer', name),
            'use epoch seconds, or make the column bigint');
    ELSIF p.shape = 'integer' AND p.retention::bigint < p.partition_interval::bigint THEN
        PERFORM @schema@.refuse(pg_catalog.format('retention %s is smaller than the width %s', p.retention,
                                                  p.partition_interval), 'keep at least one whole partition');
    ELSIF p.shape = 'list' AND NOT (integer_key OR key_type IN ('text', 'character varying', 'uuid', 'date')
                                    OR key_type LIKE 'character varying(%') THEN
        PERFORM @schema@.refuse(pg_catalog.format('partman plans LIST keys of type text, varchar, smallint, integer, '
                                                  'bigint, uuid or date, and the key of %s is of type %s', name, key_type));
    ELSIF p.shape = 'list' AND coalesce(pg_catalog.cardinality(p.list_values), 0) = 0 AND p.values_query IS NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('the LIST policy of %s names no values', name),
                                'list them, or give a query whose first column gives them');
    ELSIF p.shape = 'list' AND p.list_retention = 'archive' AND p.archive_to IS NULL THEN
        PERFORM @schema@.refuse('list retention ''archive'' needs a storage location', archive_hint);
    ELSIF p.shape <> 'list' AND (p.premake < 1 OR p.premake > 10000) THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid premake %s: it must be between 1 and 10000', p.premake));
    ELSIF p.shape IN ('time', 'epoch')
          AND @schema@.interval_seconds(p.retention) < @schema@.interval_seconds(p.partition_interval) THEN
        PERFORM @schema@.refuse(pg_catalog.format('retention ''%s'' is shorter than one interval (''%s'')', p.retention,
                                                  p.partition_interval), 'keep at least one whole partition');
    ELSIF p.retention_action = 'archive' AND p.archive_to IS NULL THEN
        PERFORM @schema@.refuse('retention action ''archive'' needs a storage location', archive_hint);
    ELSIF p.retention_schema IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = p.retention_schema) THEN
        PERFORM @schema@.refuse(pg_catalog.format('retention schema ''%s'' does not exist', p.retention_schema),
                                'CREATE SCHEMA ' || pg_catalog.quote_ident(p.retention_schema));
    END IF;
END
$$;

-- Returns the instant `at` as partman's messages show a key value of type `key_type` at it: the wall clock
-- in `zone` with its offset (timestamptz and epoch keys), without it (timestamp), or the date.
CREATE FUNCTION @schema@.shown_at(at timestamptz, zone text, key_type text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN key_type = 'date' THEN pg_catalog.to_char(l, 'YYYY-MM-DD')
                ELSE pg_catalog.to_char(l, 'YYYY-MM-DD HH24:MI:SS')
                     || CASE WHEN pg_catalog.date_trunc('second', l) <> l THEN pg_catalog.to_char(l, '.US') ELSE '' END
                     || CASE WHEN key_type = 'timestamp without time zone' THEN ''
                             ELSE CASE WHEN o < 0 THEN '-' ELSE '+' END
                                  || pg_catalog.to_char(pg_catalog.make_interval(secs => abs(o)), 'HH24:MI')
                                  || CASE WHEN abs(o) % 60 <> 0 THEN pg_catalog.to_char(pg_catalog.make_interval(secs => abs(o)), ':SS') ELSE '' END
                        END
           END
      FROM (SELECT at AT TIME ZONE zone AS l,
                   EXTRACT(epoch FROM (at AT TIME ZONE zone) - (at AT TIME ZONE 'UTC'))::int AS o) s
$$;

-- Refuses a time or epoch policy whose window of partitions at `at` cannot be planned: now or the start
-- outside 0001-01-01 to 9999-12-31 in slots of its interval, premake past 9999-12-31, or more than 50000
-- partitions from the start to premake. Slots align as the planner aligns them (local midnight, ISO
-- Mondays, months), counted from 1970 in the policy's zone.
CREATE FUNCTION @schema@.check_window(p @schema@.policy, key_type text, at timestamptz) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n bigint := pg_catalog.split_part(p.partition_interval, ' ', 1)::bigint;
    unit text := pg_catalog.rtrim(pg_catalog.split_part(p.partition_interval, ' ', 2), 's');
    per bigint := n * CASE unit WHEN 'hour' THEN 60 WHEN 'week' THEN 7 WHEN 'year' THEN 12 ELSE 1 END;
    days boolean := unit IN ('day', 'week');
    months boolean := unit IN ('month', 'year');
    -- the plannable range in the unit slots count in: minutes, days (from a Monday for weeks), months
    lo bigint := CASE WHEN months THEN (1 - 1970) * 12 WHEN days THEN -719162 ELSE -719162::bigint * 1440 END
                 + CASE unit WHEN 'week' THEN 3 ELSE 0 END;
    hi bigint := CASE WHEN months THEN (10000 - 1970) * 12 WHEN days THEN 2932897 ELSE 2932897::bigint * 1440 END
                 + CASE unit WHEN 'week' THEN 3 ELSE 0 END;
    first_slot bigint := -pg_catalog.floor(-lo::numeric / per)::bigint;
    last_slot bigint := pg_catalog.floor(hi::numeric / per)::bigint - 1;
    current bigint;
    start bigint;
    what text := pg_catalog.format('interval ''%s''', p.partition_interval);
    dates text := '0001-01-01 to 9999-12-31, the dates partman plans partitions for';
    now_text text := @schema@.shown_at(at, p.timezone, key_type);
BEGIN
    current := @schema@.slot_of(at AT TIME ZONE p.timezone, unit, per, first_slot, last_slot);
    IF current IS NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('now (%s) has no partition of %s within %s', now_text, what, dates),
                                'choose a shorter interval');
    END IF;
    start := current;
    IF p.start_at IS NOT NULL THEN
        start := @schema@.slot_of(p.start_at AT TIME ZONE p.timezone, unit, per, first_slot, last_slot);
        IF start IS NULL THEN
            PERFORM @schema@.refuse(pg_catalog.format('start %s has no partition of %s within %s',
                                                      @schema@.shown_at(p.start_at, p.timezone, key_type), what, dates),
                                    'choose a later start or a shorter interval');
        END IF;
        start := least(start, current);
    END IF;
    IF current + p.premake > last_slot THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'premake %s of %s ahead of now (%s) reaches past 9999-12-31, the last date partman plans partitions for',
            p.premake, what, now_text), 'choose a shorter interval or a smaller premake');
    END IF;
    IF current + p.premake - start + 1 > 50000 THEN
        PERFORM @schema@.refuse(pg_catalog.format('the window from the start to premake holds %s partitions, more than 50000',
                                                  current + p.premake - start + 1),
                                'choose a later start or a longer interval');
    END IF;
END
$$;

-- Returns the slot of unit `unit` (`per` units a slot) that holds wall-clock time `local`, or NULL outside
-- the plannable slots [first_slot, last_slot].
CREATE FUNCTION @schema@.slot_of(local timestamp, unit text, per bigint, first_slot bigint, last_slot bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN local >= '0001-01-01' AND local < '9999-12-31'::timestamp + interval '1 day'
                 AND s BETWEEN first_slot AND last_slot THEN s END
      FROM (SELECT pg_catalog.floor(
                     CASE WHEN unit IN ('month', 'year')
                          THEN (EXTRACT(year FROM local) - 1970) * 12 + EXTRACT(month FROM local) - 1
                          WHEN unit IN ('day', 'week')
                          THEN pg_catalog.floor(EXTRACT(epoch FROM local) / 86400) + CASE unit WHEN 'week' THEN 3 ELSE 0 END
                          ELSE pg_catalog.floor(EXTRACT(epoch FROM local) / 60) END / per)::bigint AS s) x
$$;

-- Returns the datetime_string pg_partman 4.7's create_parent picks for a canonical interval: YYYY from
-- 360 days (a year counts 12 months of 30 days), YYYY"q"Q for 3 months, YYYY_MM, below 30 days YYYY_MM_DD
-- (IYYY"w"IW for 1 week), and below a day _HH24MI after it.
CREATE FUNCTION @schema@.pg_partman_datetime_string(canonical text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN s >= 360 * 86400 THEN 'YYYY'
                WHEN s >= 30 * 86400 THEN CASE canonical WHEN '3 months' THEN 'YYYY"q"Q' ELSE 'YYYY_MM' END
                WHEN canonical = '1 week' THEN 'IYYY"w"IW'
                ELSE 'YYYY_MM_DD' || CASE WHEN s < 86400 THEN '_HH24MI' ELSE '' END END
      FROM (SELECT CASE WHEN canonical ~ ' years?$' THEN pg_catalog.split_part(canonical, ' ', 1)::bigint * 360 * 86400
                        ELSE @schema@.interval_seconds(canonical) END AS s) x
$$;

-- Returns the name pg_partman gives the default partition of `parent`: parent_default, the parent cut to
-- 55 characters where the name would reach 63, and further (never inside a character) past 63 bytes.
CREATE FUNCTION @schema@.pg_partman_default_name(parent name) RETURNS name
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    head text := parent;
BEGIN
    IF pg_catalog.length(head) + 8 >= 63 THEN
        head := pg_catalog.left(head, 55);
    END IF;
    WHILE pg_catalog.octet_length(head) > 55 LOOP
        head := pg_catalog.left(head, -1);
    END LOOP;
    RETURN head || '_default';
END
$$;

-- Refuses pg_partman's names where a policy cannot have them: a LIST policy, a name format on integer
-- ranges (named by their lower bound), and a format (the policy's, or the one create_parent picks for its
-- interval) that would give two partitions of the interval the same name.
CREATE FUNCTION @schema@.check_partition_names(p @schema@.policy) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n bigint := pg_catalog.split_part(p.partition_interval, ' ', 1)::bigint;
    unit text := pg_catalog.rtrim(pg_catalog.split_part(p.partition_interval, ' ', 2), 's');
    sub_day boolean := unit IN ('minute', 'hour');
    minutes bigint;
    format text := coalesce(p.name_format, @schema@.pg_partman_datetime_string(p.partition_interval));
    f text[];
    step text;
    apart boolean;
BEGIN
    IF p.partition_names = 'partman' THEN
        RETURN;
    ELSIF p.shape = 'list' THEN
        PERFORM @schema@.refuse(pg_catalog.format('pg_partman''s partition names are for RANGE parents, and %s is '
                                                  'partitioned BY LIST', @schema@.quote_name(p.parent_schema, p.parent_table)),
                                'give partition_names ''partman'' (--partition-names partman)');
    ELSIF p.shape = 'integer' THEN
        IF p.name_format IS NOT NULL THEN
            PERFORM @schema@.refuse('pg_partman names integer ranges by their lower bound, without a name format',
                                    'give partition_names ''pg_partman'' (--partition-names pg_partman)');
        END IF;
        RETURN;
    END IF;
    f := (@schema@.read_name_format(format)).fields;
    minutes := @schema@.interval_seconds(p.partition_interval) / 60;
    -- the shortest calendar step whose partitions the format tells apart, and whether the interval's do
    step := CASE WHEN f @> '{YYYY,MM,DD,HH24,MI}' THEN 'minutes' WHEN f @> '{YYYY,MM,DD,HH24}' THEN 'hours'
                 WHEN f @> '{YYYY,MM,DD}' THEN 'days' WHEN f @> '{IYYY,IW}' THEN 'ISO weeks'
                 WHEN f @> '{YYYY,MM}' THEN 'months' WHEN f @> '{YYYY,Q}' THEN 'quarters'
                 WHEN f @> '{YYYY}' THEN 'years' ELSE 'no calendar step' END;
    apart := CASE step WHEN 'minutes' THEN true
                       WHEN 'hours' THEN NOT sub_day OR minutes % 60 = 0
                       WHEN 'days' THEN NOT sub_day OR minutes % 1440 = 0
                       WHEN 'ISO weeks' THEN unit IN ('month', 'year') OR minutes >= 7 * 1440
                       WHEN 'months' THEN unit IN ('month', 'year')
                       WHEN 'quarters' THEN unit = 'year' OR (unit = 'month' AND n % 3 = 0)
                       WHEN 'years' THEN unit = 'year' ELSE false END;
    IF NOT apart THEN
        PERFORM @schema@.refuse(pg_catalog.format('name format ''%s'' tells apart %s, so partitions of ''%s'' would share names',
                                                  format, step, p.partition_interval),
            pg_catalog.format('give a format that writes the partitions'' start to the %s, or ''pg_partman'' alone for the '
                              'one pg_partman picks for the interval',
                              CASE WHEN sub_day THEN 'minute (YYYY_MM_DD_HH24MI)' ELSE 'day (YYYY_MM_DD)' END));
    END IF;
END
$$;

-- Creates the default partition of `parent` when it has none, as apply would (create, then attach, so the
-- parent is locked SHARE UPDATE EXCLUSIVE only): its comment, replica identity, the unique indexes of the
-- policy's template table, and with `inherit` its grants and owner; named as the policy names partitions
-- (`names`: 'partman' or 'pg_partman'). Returns its name, or NULL when the parent has one already. Refuses
-- when another table holds the name.
CREATE FUNCTION @schema@.create_default_partition(parent regclass, template regclass, inherit boolean, names text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    par record;
    name name;
    child text;
    parent_sql text;
    g record;
    ri regclass;
BEGIN
    SELECT c.relname, n.nspname, n.oid AS nsp, pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relowner, c.relacl,
           c.relreplident, (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = c.reltablespace) AS space,
           pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
           (SELECT x.partdefid FROM pg_catalog.pg_partitioned_table x WHERE x.partrelid = c.oid) AS def
      INTO par
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    IF par.def IS DISTINCT FROM 0 THEN
        RETURN NULL;
    END IF;
    name := CASE names WHEN 'pg_partman' THEN @schema@.pg_partman_default_name(par.relname)
                 ELSE @schema@.child_name(par.relname, 'default') END;
    child := pg_catalog.format('%I.%I', par.nspname, name);
    parent_sql := pg_catalog.format('%I.%I', par.nspname, par.relname);
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = par.nsp AND relname = name) THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'cannot create default partition %s: a table of that name exists and is not this partition',
            @schema@.quote_name(par.nspname, name)), 'rename or drop it, or attach it yourself');
    END IF;
    EXECUTE pg_catalog.format('LOCK TABLE ONLY %s IN SHARE UPDATE EXCLUSIVE MODE', parent_sql);
    EXECUTE pg_catalog.format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED '
                              'INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)%s',
                              child, parent_sql, CASE WHEN par.space IS NOT NULL THEN ' TABLESPACE ' || pg_catalog.quote_ident(par.space) ELSE '' END);
    IF par.comment IS NOT NULL THEN
        EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', child, par.comment);
    END IF;
    -- the template's unique indexes that the parent lacks, as pg_get_indexdef writes them after "ON table "
    FOR g IN
        WITH d AS (
            SELECT x.indrelid, CASE WHEN pg_catalog.starts_with(f.full, f.head) THEN pg_catalog.substr(f.full, pg_catalog.length(f.head) + 1) END AS def
              FROM pg_catalog.pg_index x
              JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
              JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
              JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
             CROSS JOIN LATERAL (SELECT pg_catalog.pg_get_indexdef(x.indexrelid) AS full,
                                        pg_catalog.format('CREATE UNIQUE INDEX %s ON %s%s.%s ', pg_catalog.quote_ident(i.relname),
                                                          CASE WHEN i.relkind = 'I' THEN 'ONLY ' ELSE '' END,
                                                          pg_catalog.quote_ident(tn.nspname), pg_catalog.quote_ident(t.relname)) AS head) f
             WHERE x.indisunique AND x.indisvalid AND x.indrelid IN (template, parent))
        SELECT t.def FROM d t
         WHERE t.indrelid = template AND t.def IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM d p WHERE p.indrelid = parent AND p.def = t.def)
    LOOP
        EXECUTE pg_catalog.format('CREATE UNIQUE INDEX ON %s %s', child, g.def);
    END LOOP;
    IF par.relreplident IN ('f', 'n') THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY %s', child,
                                  CASE par.relreplident WHEN 'f' THEN 'FULL' ELSE 'NOTHING' END);
    END IF;
    IF inherit THEN
        FOR g IN
            SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END AS grantee,
                   a.is_grantable, pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.ord) AS privileges
              FROM pg_catalog.aclexplode(par.relacl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, ord)
             WHERE a.grantee <> par.relowner
             GROUP BY a.grantee, a.is_grantable ORDER BY min(a.ord)
        LOOP
            EXECUTE pg_catalog.format('GRANT %s ON TABLE %s TO %s%s', g.privileges, child, g.grantee,
                                      CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
    END IF;
    EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %s DEFAULT', parent_sql, child);
    IF par.relreplident = 'i' THEN
        -- the attach gave the new table its part of the parent's replica identity index
        SELECT i.inhrelid::regclass INTO ri FROM pg_catalog.pg_index x
          JOIN pg_catalog.pg_inherits i ON i.inhparent = x.indexrelid
          JOIN pg_catalog.pg_index y ON y.indexrelid = i.inhrelid AND y.indrelid = child::regclass
         WHERE x.indrelid = parent AND x.indisreplident;
        IF ri IS NOT NULL THEN
            EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', child,
                                      (SELECT relname FROM pg_catalog.pg_class WHERE oid = ri));
        END IF;
    END IF;
    IF inherit AND par.owner <> current_user THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', child, par.owner);
    END IF;
    RETURN name;
END
$$;
COMMENT ON FUNCTION @schema@.create_default_partition(regclass, regclass, boolean, text) IS
    'partman: creates the default partition a policy asks for, as apply would, when the parent has none';
