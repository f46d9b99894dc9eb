-- partman schema, version 14: policies declared in SQL. partman.manage() registers or updates the policy of
-- a partitioned parent inside the caller's transaction (a migration that creates the table and declares its
-- policy at once), with the options and rules of `partman manage`, which calls it: the same inputs are
-- refused with the same messages (SQLSTATE 22023, a HINT where it helps). partman.unmanage() removes one.
-- Only the owner of a parent (or a member of the role that owns it) may write its policy, by these functions
-- or directly: a trigger on the policy table holds that rule for every writer. The functions run with the
-- caller's rights; a values query runs as the caller too, read-only.

-- Refuses (SQLSTATE 42501) a role that may not `command` the policy of `parent`: one without the privileges
-- of the role that owns it.
CREATE FUNCTION @schema@.require_owner(parent regclass, command text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner name;
    name text;
BEGIN
    SELECT pg_catalog.pg_get_userbyid(c.relowner), @schema@.quote_name(n.nspname, c.relname) INTO owner, name
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    IF owner IS NOT NULL AND NOT pg_catalog.pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('role %s may not %s %s: only its owner %s and the members of that role may',
                                        @schema@.quote_name(current_user), command, name, @schema@.quote_name(owner)),
            HINT = pg_catalog.format('run it as %s, or have a superuser GRANT %s TO %s', pg_catalog.quote_ident(owner),
                                     pg_catalog.quote_ident(owner), pg_catalog.quote_ident(current_user));
    END IF;
END
$$;
COMMENT ON FUNCTION @schema@.require_owner(regclass, text) IS
    'partman: refuses a role that does not have the privileges of the owner of a parent';

-- Checks every write to the policy table: the role must have the privileges of the parent's owner (the
-- old row's parent and the new one's); a new row must name a table that exists, unless a superuser writes it.
-- It runs as the writer, with a fixed search_path, so that no operator of the writer's schemas decides it.
CREATE FUNCTION @schema@.policy_owner_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        rel := pg_catalog.to_regclass(@schema@.quote_name(OLD.parent_schema, OLD.parent_table));
        IF rel IS NOT NULL THEN
            PERFORM @schema@.require_owner(rel, 'change the policy of');
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    rel := pg_catalog.to_regclass(@schema@.quote_name(NEW.parent_schema, NEW.parent_table));
    IF rel IS NOT NULL THEN
        PERFORM @schema@.require_owner(rel, 'manage');
    ELSIF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('table %s does not exist, so no role owns it and may give it a policy',
                                        @schema@.quote_name(NEW.parent_schema, NEW.parent_table)),
            HINT = 'create the table first, then its policy';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @schema@.policy_owner_check() IS
    'partman: lets only the owner of a parent (or a member of its role) write the parent''s policy';
CREATE TRIGGER policy_owner BEFORE INSERT OR UPDATE OR DELETE ON @schema@.policy
    FOR EACH ROW EXECUTE FUNCTION @schema@.policy_owner_check();

-- The owner of a parent removes its policy without rights on run_state: the trigger that forgets the
-- parent's run state runs as partman's owner (it deletes that one row and notifies, nothing else).
ALTER FUNCTION @schema@.policy_changed() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Refuses a partition interval that is neither a time interval nor a whole number of at least 1 (the width
-- of an integer policy).
CREATE FUNCTION @schema@.check_interval_text(raw text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    message text;
    hint text;
BEGIN
    IF raw ~ '^[0-9]+$' AND raw::numeric BETWEEN 1 AND 9223372036854775807 THEN
        RETURN;
    END IF;
    PERFORM @schema@.parse_interval(raw, 'interval');
EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    PERFORM @schema@.refuse(message, pg_catalog.concat_ws('; ', NULLIF(hint, ''),
                                                           'for an integer key, a whole number of at least 1 (the width of a partition)'));
END
$$;

-- Returns the shape of a policy on a key (`strategy`, `key_type`; `key_text` names it in messages, "key of
-- table") for the options given (NULL: not given) and the shape the policy has (NULL: none yet): 'list' for
-- a LIST parent, 'time' on a time key, and on an integer key 'epoch' (with an epoch unit, or when it was one)
-- or 'integer'. Refuses an option of the other strategy, and an epoch unit or a plain number on a time key.
CREATE FUNCTION @schema@.choose_shape(strategy text, key_type text, key_text text, partition_interval text,
                                      premake integer, retention text, retention_action text, start text,
                                      epoch text, list_values text[], values_query text, list_retention text,
                                      current_shape text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    table_text text := pg_catalog.substr(key_text, pg_catalog.strpos(key_text, '" of "') + 5);
    given text;
BEGIN
    IF strategy = 'list' THEN
        given := CASE WHEN partition_interval IS NOT NULL THEN 'an interval' WHEN premake IS NOT NULL THEN 'premake'
                      WHEN retention IS NOT NULL THEN 'retention' WHEN retention_action IS NOT NULL THEN 'a retention action'
                      WHEN start IS NOT NULL THEN 'a start' WHEN epoch IS NOT NULL THEN 'an epoch unit' END;
        IF given IS NOT NULL THEN
            PERFORM @schema@.refuse(pg_catalog.format('%s is partitioned BY LIST, and %s applies to parents partitioned BY RANGE',
                                                      table_text, given),
                'give its values, or a query that produces them, and what happens to a value no longer listed (list retention)');
        END IF;
        RETURN 'list';
    END IF;
    given := CASE WHEN list_values IS NOT NULL THEN 'a list of values' WHEN values_query IS NOT NULL THEN 'a values query'
                  WHEN list_retention IS NOT NULL THEN 'a list retention' END;
    IF given IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('%s is partitioned BY RANGE, and %s applies to parents partitioned BY LIST',
                                                  table_text, given));
    END IF;
    IF key_type NOT IN ('smallint', 'integer', 'bigint') THEN
        IF epoch NOT IN ('none', 'NONE') THEN
            PERFORM @schema@.refuse(pg_catalog.format('the key %s is %s, not an integer', key_text, key_type),
                                    'an epoch unit is for integer columns that hold epoch time');
        END IF;
        IF partition_interval ~ '^[0-9]+$' THEN
            PERFORM @schema@.refuse(pg_catalog.format('interval ''%s'' is a plain number, but the key %s is %s',
                                                      partition_interval, key_text, key_type),
                                    'give a time interval such as ''1 day'' or ''monthly''');
        END IF;
        RETURN 'time';
    END IF;
    RETURN CASE WHEN epoch IN ('none', 'NONE') THEN 'integer' WHEN epoch IS NOT NULL THEN 'epoch'
                WHEN current_shape = 'epoch' THEN 'epoch' ELSE 'integer' END;
END
$$;

-- Registers the policy of partitioned table `parent`, or updates it: an argument left NULL keeps the
-- policy's value (or the default), 'none' clears retention, retention_schema, archive_to, start, epoch and
-- template_table. With subpartition_by ('RANGE (column)', 'LIST (column)'; 'none' removes it) or level 2,
-- the options are the level-2 policy's, which keeps the partitions of each partition. The shape follows
-- from the parent: a time key plans time ranges, an integer key integer ranges (or epoch time with an
-- epoch unit), a LIST parent one partition per value (list_values or values_query). With a default
-- partition, the parent gets it at once. partition_names ('partman', 'pg_partman', 'pg_partman:FORMAT')
-- says how new partitions and that default partition are named. Returns what changed ('inserted',
-- 'updated', 'sub_removed') and, for a values query, how many values it gives now. Runs in the caller's
-- transaction; writes nothing when it refuses (SQLSTATE 22023, or 42501 for a role that does not own the
-- parent).
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

-- Removes the policies of `parent` (its own and its level-2 one); no table is changed. Refuses a parent that
-- has none, and a role that does not own it.
CREATE FUNCTION @schema@.unmanage(parent regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    nsp name;
    tbl name;
BEGIN
    PERFORM @schema@.require_owner(unmanage.parent, 'unmanage');
    SELECT n.nspname, c.relname INTO nsp, tbl
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = unmanage.parent;
    DELETE FROM @schema@.policy p WHERE p.parent_schema = nsp AND p.parent_table = tbl;
    IF NOT FOUND THEN
        PERFORM @schema@.refuse(@schema@.quote_name(nsp, tbl) || ' is not managed by partman');
    END IF;
END
$$;
COMMENT ON FUNCTION @schema@.unmanage(regclass) IS
    'partman: removes the policies of a parent (both levels); no table is changed';
