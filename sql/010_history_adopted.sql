-- partman schema, version 10: a create recorded as 'started' whose run was killed while it moved rows out
-- of a default partition (apply or drain-default) leaves its table for the next run, which adopts it and
-- records its own create. When that create ends 'ok', the interrupted run's row is closed in the same
-- transaction: 'failed', with the error 'interrupted; adopted by run <run id>'. Without this it would stay
-- 'started' for ever, though nothing is in progress.
CREATE FUNCTION @schema@.close_adopted_creates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE @schema@.history h
       SET outcome = 'failed', error = 'interrupted; adopted by run ' || NEW.run_id
     WHERE h.parent_schema = NEW.parent_schema AND h.parent_table = NEW.parent_table
       AND h.outcome = 'started' AND h.action = 'create'
       AND h.partition_schema = NEW.partition_schema AND h.partition_name = NEW.partition_name
       AND h.id < NEW.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @schema@.close_adopted_creates() IS
    'partman: closes the started create rows of interrupted runs whose table a later run attached';
CREATE TRIGGER history_close_adopted AFTER INSERT OR UPDATE OF outcome ON @schema@.history
    FOR EACH ROW WHEN (NEW.action = 'create' AND NEW.outcome = 'ok')
    EXECUTE FUNCTION @schema@.close_adopted_creates();
