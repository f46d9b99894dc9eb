-- partman schema, version 5: default partitions and children that match their parent. A policy can keep
-- a default partition (created when missing, never dropped by partman), can give new children their
-- parent's owner and grants (the default) or not, and can name a template table whose unique indexes
-- every new child gets (unique keys that lack the partition key cannot live on the partitioned parent).
ALTER TABLE @schema@.policy ADD COLUMN default_partition boolean NOT NULL DEFAULT false;
ALTER TABLE @schema@.policy ADD COLUMN inherit_privileges boolean NOT NULL DEFAULT true;
ALTER TABLE @schema@.policy ADD COLUMN template_schema name;
ALTER TABLE @schema@.policy ADD COLUMN template_table name;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_template_check
    CHECK ((template_schema IS NULL) = (template_table IS NULL));

-- Returns the server's estimate of the rows of `rel` itself (not its partitions) that match `condition`:
-- 0 when its heap is empty, else the planner's estimate (at least 1), which costs no scan.
-- (VOLATILE: PostgreSQL allows EXPLAIN only there; it writes nothing, so read-only sessions call it.)
CREATE FUNCTION @schema@.estimate_rows(rel regclass, condition text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    IF pg_relation_size(rel) = 0 THEN
        RETURN 0;
    END IF;
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM ONLY %s WHERE %s', rel, condition) INTO plan;
    RETURN round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric)::bigint;
END
$$;
COMMENT ON FUNCTION @schema@.estimate_rows(regclass, text) IS
    'partman: the planner''s estimate of the rows of a table that match a condition, without a scan';
