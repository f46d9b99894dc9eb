-- partman schema, version 11: what monitoring and a worker read without scanning the history.
--
-- run_state: one row per managed parent, written by every apply (also one with nothing to do) in one
-- statement at the end of the run: when a run last worked on the parent, when one last succeeded, and the
-- last run's error (NULL when it succeeded). `partman check --max-age` reads it.
CREATE TABLE @schema@.run_state (
    parent_schema name        NOT NULL,
    parent_table  name        NOT NULL,
    last_run      timestamptz NOT NULL,
    last_success  timestamptz,
    last_error    text,
    PRIMARY KEY (parent_schema, parent_table)
);
COMMENT ON TABLE @schema@.run_state IS
    'partman: per managed parent, when a run last worked on it, when one last succeeded, and its last error';
--extension-only SELECT pg_catalog.pg_extension_config_dump('@schema@.run_state', '');

-- A role given rights on partman's tables before this version (GRANT ... ON ALL TABLES covers only the
-- tables that existed then) keeps working: run_state gets the grants the history table has, and the
-- history table's owner gets the rights an owner of run_state would have.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee,
               a.privilege_type
          FROM pg_class c
         CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
          LEFT JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.oid = '@schema@.history'::regclass
           AND a.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
           AND a.grantee <> (SELECT relowner FROM pg_class WHERE oid = '@schema@.run_state'::regclass)
    LOOP
        EXECUTE format('GRANT %s ON @schema@.run_state TO %s', g.privilege_type, g.grantee);
    END LOOP;
END
$$;

-- A parent that loses its policy loses its run state; every change to a policy notifies channel
-- 'partman_policy' with the parent's name as partman writes it ("schema"."table"), so that a
-- worker LISTENing there plans that database at once. Notifications are sent when the transaction commits;
-- the same parent changed twice in one transaction notifies once.
CREATE FUNCTION @schema@.policy_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        p := OLD;
        IF OLD.level = 1 THEN
            DELETE FROM @schema@.run_state r
             WHERE r.parent_schema = OLD.parent_schema AND r.parent_table = OLD.parent_table;
        END IF;
    ELSE
        p := NEW;
    END IF;
    PERFORM pg_notify('partman_policy', format('"%s"."%s"', replace(p.parent_schema, '"', '""'),
                                               replace(p.parent_table, '"', '""')));
    IF TG_OP = 'UPDATE' AND (OLD.parent_schema, OLD.parent_table) IS DISTINCT FROM
                            (NEW.parent_schema, NEW.parent_table) THEN
        PERFORM pg_notify('partman_policy', format('"%s"."%s"', replace(OLD.parent_schema, '"', '""'),
                                                   replace(OLD.parent_table, '"', '""')));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @schema@.policy_changed() IS
    'partman: notifies channel partman_policy of a changed policy (payload: the parent), forgets its run state';
CREATE TRIGGER policy_notify AFTER INSERT OR UPDATE OR DELETE ON @schema@.policy
    FOR EACH ROW EXECUTE FUNCTION @schema@.policy_changed();
