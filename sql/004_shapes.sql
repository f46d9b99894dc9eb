-- partman schema, version 4: partition shapes beyond time ranges. A policy's shape is 'time' (RANGE on a
-- timestamptz, timestamp or date key), 'integer' (RANGE on an integer key, in slots of a fixed width
-- counted from the largest value present), 'epoch' (RANGE on an integer key that holds epoch seconds or
-- milliseconds, planned with time intervals) or 'list' (LIST: one partition per value, the values listed
-- here or produced by a query that plan runs in a read-only session).
ALTER TABLE @schema@.policy ADD COLUMN shape text NOT NULL DEFAULT 'time'
    CONSTRAINT policy_shape_check CHECK (shape IN ('time', 'integer', 'epoch', 'list'));
ALTER TABLE @schema@.policy ADD COLUMN epoch_unit text
    CONSTRAINT policy_epoch_unit_check CHECK (epoch_unit IN ('seconds', 'milliseconds'));
ALTER TABLE @schema@.policy ADD COLUMN start_value bigint;  -- integer: also cover from this value
ALTER TABLE @schema@.policy ADD COLUMN list_values text[];  -- list: the values, as the key type prints them
ALTER TABLE @schema@.policy ADD COLUMN values_query text;   -- list: or a query whose first column gives them
ALTER TABLE @schema@.policy ADD COLUMN list_retention text NOT NULL DEFAULT 'keep'
    CONSTRAINT policy_list_retention_check CHECK (list_retention IN ('keep', 'detach', 'drop', 'archive'));
-- An integer policy keeps its width in partition_interval and its retention in retention, as whole
-- numbers; a list policy has neither.
ALTER TABLE @schema@.policy ALTER COLUMN partition_interval DROP NOT NULL;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_shape_fields_check CHECK (
    CASE shape
        WHEN 'time' THEN partition_interval IS NOT NULL AND epoch_unit IS NULL
        WHEN 'epoch' THEN partition_interval IS NOT NULL AND epoch_unit IS NOT NULL
        WHEN 'integer' THEN partition_interval ~ '^[1-9][0-9]*$' AND coalesce(retention ~ '^[1-9][0-9]*$', true)
        ELSE partition_interval IS NULL AND retention IS NULL AND (list_values IS NULL) <> (values_query IS NULL)
    END);
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_list_archive_check
    CHECK (list_retention <> 'archive' OR archive_to IS NOT NULL);

-- Returns the largest value of integer column `key_column` in the first of `partitions` that holds a row
-- (NULL when none does). Callers pass a parent's partitions from the highest bound down, so this reads
-- the newest partitions only, each with max(), which an index on the key answers without a scan; never
-- the whole parent. A partition dropped since the caller read the catalog is skipped.
CREATE FUNCTION @schema@.max_key(partitions regclass[], key_column name) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    part regclass;
    found bigint;
BEGIN
    FOREACH part IN ARRAY partitions LOOP
        CONTINUE WHEN part IS NULL;
        BEGIN
            -- ONLY: rows of this partition itself (a sub-partitioned one is read with its children)
            EXECUTE format('SELECT max(%I)::bigint FROM %s%s', key_column,
                           CASE WHEN (SELECT relkind FROM pg_class WHERE oid = part) = 'p' THEN '' ELSE 'ONLY ' END,
                           part)
                INTO found;
        EXCEPTION WHEN undefined_table THEN
            CONTINUE;
        END;
        IF found IS NOT NULL THEN
            RETURN found;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @schema@.max_key(regclass[], name) IS
    'partman: the largest key value in the first of the given partitions that holds rows';
