-- partman schema, version 1: one policy row per managed parent, one history row per applied action.
-- @schema@ is replaced by the quoted schema name at install time (the extension's scripts: by partman).
-- A line that starts with "--extension-only " is a comment for `partman install` and a statement in the
-- extension's scripts (packaging/extension_sql.cmake writes them): it registers a table or sequence with
-- pg_extension_config_dump, so that pg_dump keeps its rows.

-- The schema version (key 'schema_version'), so a newer partman upgrades the schema in place.
CREATE TABLE IF NOT EXISTS @schema@.meta (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE @schema@.policy (
    parent_schema      name        NOT NULL,
    parent_table       name        NOT NULL,
    partition_interval text        NOT NULL,
    premake            integer     NOT NULL DEFAULT 4 CHECK (premake >= 1),
    retention          text,
    retention_action   text        NOT NULL DEFAULT 'detach' CHECK (retention_action IN ('drop', 'detach')),
    retention_schema   name,
    timezone           text        NOT NULL DEFAULT 'UTC',
    start_at           timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (parent_schema, parent_table)
);
COMMENT ON TABLE @schema@.policy IS 'partman: how each managed partitioned parent is kept (one row per parent)';

CREATE TABLE @schema@.history (
    id               bigserial        PRIMARY KEY,
    run_id           uuid             NOT NULL,
    applied_at       timestamptz      NOT NULL DEFAULT clock_timestamp(),
    parent_schema    name             NOT NULL,
    parent_table     name             NOT NULL,
    action           text             NOT NULL,
    partition_schema name,
    partition_name   name,
    sql              text             NOT NULL,
    duration_ms      double precision,
    outcome          text             NOT NULL CHECK (outcome IN ('ok', 'failed', 'deferred')),
    error            text
);
CREATE INDEX history_parent_idx ON @schema@.history (parent_schema, parent_table, applied_at);
COMMENT ON TABLE @schema@.history IS 'partman: one row per action applied, with its SQL, duration and outcome';

--extension-only SELECT pg_catalog.pg_extension_config_dump('@schema@.policy', '');
--extension-only SELECT pg_catalog.pg_extension_config_dump('@schema@.history', '');
--extension-only SELECT pg_catalog.pg_extension_config_dump('@schema@.history_id_seq', '');
