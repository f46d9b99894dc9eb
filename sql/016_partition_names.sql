-- partman schema, version 16: how a policy names the partitions it creates. 'partman' (the default, and what
-- every policy made before this version keeps): events_p20261213, events_p2026w50, ids_p5000. 'pg_partman':
-- as pg_partman names them, <parent>_p<suffix> with the suffix written by name_format (pg_partman's
-- datetime_string, a to_char pattern such as YYYY_MM_DD; NULL: the one pg_partman's create_parent picks for
-- the interval) or an integer range's lower bound, and the default partition <parent>_default; a long parent
-- name is cut as pg_partman cuts it. import-pg-partman sets it for the parents it imports, partman.manage()
-- (and `partman manage --partition-names`) takes it as its argument partition_names, with the checks here.
-- (Written to run again over itself: an upgrade from an older version number whose schema already has
-- these columns and functions, as a test that fakes an older schema leaves it, adds nothing twice.)
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

-- Returns the names option as the policy table keeps it: 'partman', 'pg_partman', or 'pg_partman:FORMAT'
-- (the format read by read_name_format()), split into partition_names and name_format (NULL: none given).
CREATE OR REPLACE FUNCTION @schema@.parse_partition_names(raw text, OUT partition_names text, OUT name_format text)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    IF raw IN ('partman', 'pg_partman') THEN
        partition_names := raw;
    ELSIF pg_catalog.starts_with(raw, 'pg_partman:') AND pg_catalog.length(raw) > 11 THEN
        partition_names := 'pg_partman';
        name_format := pg_catalog.substr(raw, 12);
        PERFORM @schema@.read_name_format(name_format);
    ELSE
        PERFORM @schema@.refuse(pg_catalog.format('invalid partition names ''%s''', raw),
            'use ''partman'', ''pg_partman'', or ''pg_partman:FORMAT'' with pg_partman''s datetime_string '
            '(pg_partman:YYYY_MM_DD)');
    END IF;
END
$$;

-- Reads a name format, pg_partman's datetime_string, as partman writes it (YYYY, IYYY, Q, MM, IW, DD, HH24,
-- MI and SS, text in double quotes, digits and punctuation): returns the bytes each suffix takes and the
-- patterns it holds, or refuses what partman cannot write, with the reasons the planner's reader gives.
CREATE OR REPLACE FUNCTION @schema@.read_name_format(pattern text, OUT width integer, OUT fields text[])
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    i int := 1;
    c text;
    token text;
    closing int;
    why text;
BEGIN
    width := 0;
    fields := '{}';
    WHILE i <= pg_catalog.length(pattern) AND why IS NULL LOOP
        c := pg_catalog.substr(pattern, i, 1);
        IF c = '"' THEN
            closing := pg_catalog.strpos(pg_catalog.substr(pattern, i + 1), '"');
            IF closing = 0 THEN
                why := 'a double quote is not closed';
                EXIT;
            END IF;
            width := width + pg_catalog.octet_length(pg_catalog.substr(pattern, i + 1, closing - 1));
            i := i + closing + 1;
            CONTINUE;
        END IF;
        -- the patterns, longest first where one starts another; DDD (day of the year) is refused
        SELECT t INTO token FROM pg_catalog.unnest(ARRAY['HH24', 'IYYY', 'YYYY', 'DDD', 'MM', 'MI', 'SS', 'DD', 'IW', 'Q'])
                                 WITH ORDINALITY AS u(t, k)
         WHERE pg_catalog.substr(pattern, i, pg_catalog.length(t)) = t ORDER BY k LIMIT 1;
        IF token IS NOT NULL AND token <> 'DDD' THEN
            fields := fields || token;
            width := width + CASE token WHEN 'Q' THEN 1 WHEN 'IYYY' THEN 4 WHEN 'YYYY' THEN 4 ELSE 2 END;
            i := i + pg_catalog.length(token);
        ELSIF c ~ '^[A-Za-z\\]$' OR pg_catalog.ascii(c) >= 128 THEN
            why := pg_catalog.format('''%s'' is not a pattern partman writes, nor plain text', coalesce(token, c));
        ELSIF pg_catalog.ascii(c) < 32 OR pg_catalog.ascii(c) = 127 THEN
            why := 'it holds a control character';
        ELSE
            width := width + 1;
            i := i + 1;
        END IF;
    END LOOP;
    IF why IS NULL AND width = 0 THEN
        why := 'it writes nothing';
    ELSIF why IS NULL AND width > 40 THEN
        why := pg_catalog.format('its names take %s bytes, which leaves too little of a 63-byte name for the parent''s', width);
    END IF;
    IF why IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('name format ''%s'': %s', pattern, why),
            'partman writes YYYY, IYYY, Q, MM, IW, DD, HH24, MI and SS, text in double quotes, and digits and '
            'punctuation, as pg_partman''s datetime_string does');
    END IF;
END
$$;
COMMENT ON FUNCTION @schema@.read_name_format(text) IS
    'partman: the width and patterns of a pg_partman datetime_string partman can write, or an error naming it';

-- Returns the datetime_string pg_partman 4.7's create_parent picks for a canonical interval: YYYY from
-- 360 days (a year counts 12 months of 30 days), YYYY"q"Q for 3 months, YYYY_MM, below 30 days YYYY_MM_DD
-- (IYYY"w"IW for 1 week), and below a day _HH24MI after it.
CREATE OR REPLACE FUNCTION @schema@.pg_partman_datetime_string(canonical text) RETURNS text
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
CREATE OR REPLACE FUNCTION @schema@.pg_partman_default_name(parent name) RETURNS name
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
CREATE OR REPLACE FUNCTION @schema@.check_partition_names(p @schema@.policy) RETURNS void
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

-- The default partition a policy asks for, made at once by manage(): as 013 made it, named as the policy
-- names partitions (`names`: 'partman' or 'pg_partman').
DROP FUNCTION IF EXISTS @schema@.create_default_partition(regclass, regclass, boolean);
DROP FUNCTION IF EXISTS @schema@.create_default_partition(regclass, regclass, boolean, text);
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

-- partman.manage() of 014 with the argument partition_names: a new signature, so dropped and created again.
-- Registers the policy of partitioned table `parent`, or updates it: an argument left NULL keeps the
-- policy's value (or the default), 'none' clears retention, retention_schema, archive_to, start, epoch and
-- template_table. With subpartition_by ('RANGE (column)', 'LIST (column)'; 'none' removes it) or level 2,
-- the options are the level-2 policy's, which keeps the partitions of each partition. The shape follows
-- from the parent: a time key plans time ranges, an integer key integer ranges (or epoch time with an
-- epoch unit), a LIST parent one partition per value (list_values or values_query). With a default
-- partition, the parent gets it at once. partition_names ('partman', 'pg_partman', 'pg_partman:FORMAT')
-- says how new partitions and that default partition are named. Returns what changed ('inserted', 'updated', 'sub_removed') and,
-- for a values query, how many values it gives now. Runs in the caller's transaction; writes nothing when
-- it refuses (SQLSTATE 22023, or 42501 for a role that does not own the parent).
DROP FUNCTION IF EXISTS @schema@.manage(regclass, text, integer, text, text, text, text, text, text, text, text[],
                                         text, text, boolean, boolean, text, text, integer);
DROP FUNCTION IF EXISTS @schema@.manage(regclass, text, integer, text, text, text, text, text, text, text, text[],
                                         text, text, boolean, boolean, text, text, integer, text);
CREATE FUNCTION @schema@.manage(
    parent regclass,
    partition_interval text DEFAULT NULL,
    premake integer DEFAULT NULL,
    retention text DEFAULT NULL,
    retention_action text DEFAULT NULL,
    retention_schema text DEFAULT NULL,
    archive_to text DEFAULT NULL,
    timezone text DEFAULT NULL,
    start text DEFAULT NULL,
    epoch text DEFAULT NULL,
    list_values text[] DEFAULT NULL,
    values_query text DEFAULT NULL,
    list_retention text DEFAULT NULL,
    default_partition boolean DEFAULT NULL,
    inherit_privileges boolean DEFAULT NULL,
    template_table text DEFAULT NULL,
    subpartition_by text DEFAULT NULL,
    level integer DEFAULT 1,
    partition_names text DEFAULT NULL,
    OUT change text,
    OUT values_now integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    a_level int := manage.level;
    sub_level boolean := manage.level = 2 OR manage.subpartition_by IS NOT NULL;
    nsp name;
    tbl name;
    name text;
    k record;      -- the key the policy plans: the parent's, or for level 2 the one its partitions get
    outer_key record;
    p @schema@.policy;
    found_p boolean;
    shape text;
    changed boolean;
    m text[];
    tpl regclass;
    inserted boolean;
    child regclass;
    names record;  -- partition_names read: partition_names, name_format
BEGIN
    IF a_level IS NULL OR a_level NOT IN (1, 2) THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid level %s', coalesce(a_level::text, 'NULL')),
                                'level 1 is the parent''s own policy, level 2 the policy of its partitions'' partitions');
    END IF;
    SELECT n.nspname, c.relname INTO nsp, tbl
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = manage.parent;
    IF tbl IS NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('table %s does not exist', manage.parent::oid));
    END IF;
    name := @schema@.quote_name(nsp, tbl);
    PERFORM @schema@.require_owner(manage.parent, 'manage');

    -- The options that mean the same for every shape.
    IF manage.retention_action NOT IN ('drop', 'detach', 'archive') THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid retention action ''%s''', manage.retention_action),
                                'use ''drop'', ''detach'' or ''archive''');
    END IF;
    IF manage.archive_to NOT IN ('none', 'NONE') THEN
        PERFORM @schema@.check_storage_uri(manage.archive_to);
    END IF;
    IF manage.timezone IS NOT NULL THEN
        PERFORM @schema@.check_zone(manage.timezone);
    END IF;
    IF manage.epoch NOT IN ('none', 'NONE', 'seconds', 's', 'milliseconds', 'ms') THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid epoch unit ''%s''', manage.epoch),
                                'use ''seconds'' or ''milliseconds'' (or ''none'')');
    END IF;
    IF manage.list_retention NOT IN ('keep', 'detach', 'drop', 'archive') THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid list retention ''%s''', manage.list_retention),
                                'use ''keep'', ''detach'', ''drop'' or ''archive''');
    END IF;
    IF manage.values_query IS NOT NULL AND manage.list_values IS NOT NULL THEN
        PERFORM @schema@.refuse('give the values or a query that produces them, not both');
    END IF;
    IF manage.partition_interval IS NOT NULL THEN
        PERFORM @schema@.check_interval_text(manage.partition_interval);
    END IF;
    IF manage.partition_names IS NOT NULL THEN
        SELECT * INTO names FROM @schema@.parse_partition_names(manage.partition_names);
    END IF;

    -- The policy the options change: the parent's own, or its level-2 one.
    SELECT * INTO p FROM @schema@.policy WHERE parent_schema = nsp AND parent_table = tbl AND level = 1;
    found_p := FOUND;
    tpl := pg_catalog.to_regclass(@schema@.quote_name(p.template_schema, p.template_table));
    SELECT * INTO k FROM @schema@.parent_key(manage.parent);
    outer_key := k;
    IF sub_level THEN
        IF NOT found_p THEN
            PERFORM @schema@.refuse(name || ' is not managed yet',
                                    'give it a policy of its own first, then its partitions'' with subpartition_by');
        END IF;
        IF manage.subpartition_by IN ('none', 'NONE') THEN
            DELETE FROM @schema@.policy WHERE parent_schema = nsp AND parent_table = tbl AND level = 2;
            IF NOT FOUND THEN
                PERFORM @schema@.refuse(name || ' has no level-2 policy');
            END IF;
            change := 'sub_removed';
            RETURN;
        END IF;
        IF manage.template_table IS NOT NULL THEN
            PERFORM @schema@.refuse('a level-2 policy uses its parent''s template table, whose unique indexes go to '
                                    'the partitions'' own partitions',
                                    'give the template table to the parent''s own policy (level 1)');
        END IF;
        SELECT * INTO p FROM @schema@.policy WHERE parent_schema = nsp AND parent_table = tbl AND level = 2;
        found_p := FOUND;
        IF NOT found_p AND manage.subpartition_by IS NULL THEN
            PERFORM @schema@.refuse(name || ' has no level-2 policy',
                                    'create one with subpartition_by ''RANGE (column)'' or ''LIST (column)''');
        END IF;
        IF manage.subpartition_by IS NOT NULL THEN
            m := pg_catalog.regexp_match(manage.subpartition_by, '^ *([A-Za-z]+) *\((.*)\) *$');
            IF m IS NULL OR pg_catalog.upper(m[1]) NOT IN ('RANGE', 'LIST') THEN
                PERFORM @schema@.refuse(pg_catalog.format('''%s'' is not RANGE (column) or LIST (column)', manage.subpartition_by),
                    'for example ''RANGE (created_at)'', or ''none'' to stop sub-partitioning new partitions');
            END IF;
        ELSE
            m := ARRAY[CASE WHEN p.shape = 'list' THEN 'LIST' ELSE 'RANGE' END, pg_catalog.quote_ident(p.partition_key)];
        END IF;
        SELECT s.key_column, s.key_type, CASE WHEN pg_catalog.upper(m[1]) = 'LIST' THEN 'list' ELSE 'range' END AS strategy
          INTO k FROM @schema@.sub_key(manage.parent, pg_catalog.upper(m[1]) = 'LIST', m[2], outer_key.key_column,
                                       outer_key.strategy) s;
    END IF;
    IF NOT found_p THEN
        p := NULL;
        p.parent_schema := nsp;
        p.parent_table := tbl;
        p.premake := 4;
        p.retention_action := 'detach';
        p.timezone := 'UTC';
        p.shape := 'time';
        p.list_retention := 'keep';
        p.default_partition := false;
        p.inherit_privileges := true;
        p.partition_names := 'partman';
        p.level := CASE WHEN sub_level THEN 2 ELSE 1 END;
    END IF;
    p.partition_key := CASE WHEN sub_level THEN k.key_column END;
    p.premake := coalesce(manage.premake, p.premake);
    p.retention_action := coalesce(manage.retention_action, p.retention_action);
    p.retention_schema := CASE WHEN manage.retention_schema IN ('none', 'NONE') THEN NULL
                               ELSE coalesce(manage.retention_schema, p.retention_schema) END;
    p.archive_to := CASE WHEN manage.archive_to IN ('none', 'NONE') THEN NULL ELSE coalesce(manage.archive_to, p.archive_to) END;
    p.timezone := coalesce(manage.timezone, p.timezone);
    p.list_retention := coalesce(manage.list_retention, p.list_retention);
    p.default_partition := coalesce(manage.default_partition, p.default_partition);
    p.inherit_privileges := coalesce(manage.inherit_privileges, p.inherit_privileges);
    IF manage.partition_names IS NOT NULL THEN
        p.partition_names := names.partition_names;
        p.name_format := names.name_format;
    END IF;
    IF manage.epoch NOT IN ('none', 'NONE') THEN
        p.epoch_unit := CASE WHEN manage.epoch IN ('seconds', 's') THEN 'seconds' ELSE 'milliseconds' END;
    END IF;
    IF manage.template_table IN ('none', 'NONE') THEN
        tpl := NULL;
        p.template_schema := NULL;
        p.template_table := NULL;
    ELSIF manage.template_table IS NOT NULL THEN
        BEGIN
            tpl := pg_catalog.to_regclass(manage.template_table);  -- the leaves of a level-2 policy get its parent's
        EXCEPTION WHEN OTHERS THEN
            tpl := NULL;
        END;
        IF tpl IS NULL THEN
            PERFORM @schema@.refuse(pg_catalog.format('table ''%s'' does not exist', manage.template_table),
                'write it as SQL does (schema.table, with double quotes around mixed case or odd characters); an '
                'unqualified name follows the search_path');
        END IF;
        SELECT n.nspname, c.relname INTO p.template_schema, p.template_table
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tpl;
        IF tpl = manage.parent OR (SELECT relkind FROM pg_catalog.pg_class WHERE oid = tpl) <> 'r' THEN
            PERFORM @schema@.refuse(pg_catalog.format('template table %s is not a plain table',
                                                      @schema@.quote_name(p.template_schema, p.template_table)),
                'create one with the unique indexes new partitions need (CREATE TABLE t (LIKE parent); CREATE '
                'UNIQUE INDEX ON t (...))');
        END IF;
    END IF;

    -- The shape, from the key: LIST parents one partition per value; RANGE on a time key time ranges, on an
    -- integer key epoch time (with an epoch unit, or when the policy was one) or integer ranges.
    shape := @schema@.choose_shape(k.strategy, k.key_type, pg_catalog.format('%s of %s', @schema@.quote_name(k.key_column), name),
                                   manage.partition_interval, manage.premake, manage.retention,
                                   manage.retention_action, manage.start, manage.epoch, manage.list_values,
                                   manage.values_query, manage.list_retention,
                                   CASE WHEN found_p THEN p.shape END);
    changed := found_p AND shape <> p.shape;
    p.shape := shape;
    IF (NOT found_p OR changed) AND shape <> 'list' AND manage.partition_interval IS NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('%s %s, so an interval is required', name,
                                                  CASE WHEN found_p THEN 'changes shape' ELSE 'is not managed yet' END),
                                CASE WHEN shape = 'integer' THEN 'for example 1000000 (the width of a partition)'
                                     ELSE 'for example ''1 day'' or ''daily''' END);
    END IF;
    IF (NOT found_p OR changed) AND shape = 'list' AND manage.list_values IS NULL AND manage.values_query IS NULL THEN
        PERFORM @schema@.refuse(name || ' is partitioned BY LIST, so its values are required',
                                'list them, or give a query whose first column gives them (''SELECT code FROM regions'')');
    END IF;
    IF changed OR shape = 'list' THEN
        p.retention := NULL;
        p.start_at := NULL;
        p.start_value := NULL;
    END IF;
    IF changed AND shape = 'integer' AND manage.partition_names IS NULL THEN
        p.name_format := NULL;  -- pg_partman names integer ranges by their lower bound
    END IF;
    IF shape <> 'epoch' THEN
        p.epoch_unit := NULL;
    ELSE
        p.epoch_unit := coalesce(p.epoch_unit, 'seconds');
    END IF;
    IF shape IN ('time', 'epoch') THEN
        IF manage.partition_interval ~ '^[0-9]+$' THEN
            PERFORM @schema@.refuse(pg_catalog.format('interval ''%s'' is a plain number, but epoch time is planned in time intervals',
                                                      manage.partition_interval),
                                    'give one such as ''1 day'', or epoch ''none'' for ranges of integer width');
        END IF;
        p.partition_interval := coalesce(@schema@.parse_interval(manage.partition_interval, 'interval'), p.partition_interval);
        p.retention := CASE WHEN manage.retention IN ('none', 'NONE') THEN NULL
                            ELSE coalesce(@schema@.parse_interval(manage.retention, 'period'), p.retention) END;
        p.start_at := CASE WHEN manage.start IN ('none', 'NONE') THEN NULL
                           ELSE coalesce(@schema@.parse_instant(manage.start, p.timezone), p.start_at) END;
        p.start_value := NULL;
    ELSIF shape = 'integer' THEN
        IF manage.partition_interval !~ '^[0-9]+$' THEN
            PERFORM @schema@.refuse(pg_catalog.format('interval ''%s'' is not a whole number, but the key %s of %s is %s',
                                                      manage.partition_interval, @schema@.quote_name(k.key_column), name, k.key_type),
                'give a width such as 1000000, or an epoch unit (seconds or milliseconds) when the column holds epoch time');
        END IF;
        p.partition_interval := coalesce(@schema@.parse_whole(manage.partition_interval, 'interval', true)::text, p.partition_interval);
        p.retention := CASE WHEN manage.retention IN ('none', 'NONE') THEN NULL
                            ELSE coalesce(@schema@.parse_whole(manage.retention, 'retention', true)::text, p.retention) END;
        p.start_value := CASE WHEN manage.start IN ('none', 'NONE') THEN NULL
                              ELSE coalesce(@schema@.parse_whole(manage.start, 'start', false), p.start_value) END;
        p.start_at := NULL;
    ELSE
        p.partition_interval := NULL;
        IF manage.values_query IS NOT NULL THEN
            p.values_query := pg_catalog.regexp_replace(manage.values_query, '[[:space:];]+$', '');
            p.list_values := NULL;
        ELSIF manage.list_values IS NOT NULL THEN
            p.list_values := manage.list_values;
            p.values_query := NULL;
        END IF;
        IF p.values_query IS NULL THEN
            p.list_values := @schema@.checked_values(p.list_values, k.key_type, 'the list of values', true);
        ELSE
            values_now := pg_catalog.cardinality(@schema@.query_values(p.values_query, k.key_type, name));
        END IF;
    END IF;
    IF shape <> 'list' THEN
        p.list_values := NULL;
        p.values_query := NULL;
    END IF;
    PERFORM @schema@.check_fits(p, k.key_type);
    PERFORM @schema@.check_partition_names(p);
    IF shape IN ('time', 'epoch') THEN
        PERFORM @schema@.check_window(p, k.key_type, now());
    END IF;

    INSERT INTO @schema@.policy AS o (parent_schema, parent_table, partition_interval, premake, retention,
                                      retention_action, retention_schema, timezone, start_at, archive_to, shape,
                                      epoch_unit, start_value, list_values, values_query, list_retention,
                                      default_partition, inherit_privileges, template_schema, template_table,
                                      level, partition_key, partition_names, name_format)
    VALUES (p.parent_schema, p.parent_table, p.partition_interval, p.premake, p.retention, p.retention_action,
            p.retention_schema, p.timezone, p.start_at, p.archive_to, p.shape, p.epoch_unit, p.start_value,
            p.list_values, p.values_query, p.list_retention, p.default_partition, p.inherit_privileges,
            p.template_schema, p.template_table, p.level, p.partition_key, p.partition_names, p.name_format)
    ON CONFLICT (parent_schema, parent_table, level) DO UPDATE SET
        partition_interval = EXCLUDED.partition_interval, premake = EXCLUDED.premake, retention = EXCLUDED.retention,
        retention_action = EXCLUDED.retention_action, retention_schema = EXCLUDED.retention_schema,
        timezone = EXCLUDED.timezone, start_at = EXCLUDED.start_at, archive_to = EXCLUDED.archive_to,
        shape = EXCLUDED.shape, epoch_unit = EXCLUDED.epoch_unit, start_value = EXCLUDED.start_value,
        list_values = EXCLUDED.list_values, values_query = EXCLUDED.values_query,
        list_retention = EXCLUDED.list_retention, default_partition = EXCLUDED.default_partition,
        inherit_privileges = EXCLUDED.inherit_privileges, template_schema = EXCLUDED.template_schema,
        template_table = EXCLUDED.template_table, partition_key = EXCLUDED.partition_key,
        partition_names = EXCLUDED.partition_names, name_format = EXCLUDED.name_format, updated_at = now()
    RETURNING (o.xmax = 0) INTO inserted;
    change := CASE WHEN inserted THEN 'inserted' ELSE 'updated' END;

    -- A default partition at once, so that no insert fails before the first run: the parent's, or for a
    -- level-2 policy one in each partition partitioned already.
    IF p.default_partition AND NOT sub_level THEN
        PERFORM @schema@.create_default_partition(manage.parent, tpl, p.inherit_privileges, p.partition_names);
    ELSIF p.default_partition THEN
        FOR child IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits i
                       JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relkind = 'p'
                      WHERE i.inhparent = manage.parent ORDER BY c.relname LOOP
            PERFORM @schema@.create_default_partition(child, tpl, p.inherit_privileges, p.partition_names);
        END LOOP;
    END IF;
END
$$;
COMMENT ON FUNCTION @schema@.manage(regclass, text, integer, text, text, text, text, text, text, text, text[], text,
                                    text, boolean, boolean, text, text, integer, text) IS
    'partman: registers or updates the policy of a partitioned parent, in the caller''s transaction';
