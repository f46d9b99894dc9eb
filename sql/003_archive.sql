-- partman schema, version 3: retention action 'archive'. An expired partition is detached, exported to the
-- policy's storage (archive_to), read back and verified, and only then dropped. Each archive's progress is
-- kept in the archive table, so a run killed at any step resumes and never drops an unverified table.
ALTER TABLE @schema@.policy DROP CONSTRAINT policy_retention_action_check;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_retention_action_check
    CHECK (retention_action IN ('drop', 'detach', 'archive'));
ALTER TABLE @schema@.policy ADD COLUMN archive_to text;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_archive_to_check
    CHECK (retention_action <> 'archive' OR archive_to IS NOT NULL);

CREATE TABLE @schema@.archive (
    id               bigserial   PRIMARY KEY,
    parent_schema    name        NOT NULL,
    parent_table     name        NOT NULL,
    partition_schema name        NOT NULL,
    partition_name   name        NOT NULL,
    bound_from       text,       -- the partition's bounds as the plan wrote them (for restore --attach)
    bound_to         text,
    storage          text        NOT NULL, -- the policy's archive_to when the archive began
    object_key       text,       -- the data, relative to storage: COPY text format, zstd-compressed
    manifest_key     text,       -- the JSON manifest beside it
    state            text        NOT NULL DEFAULT 'detaching'
                     CHECK (state IN ('detaching', 'detached', 'written', 'verified', 'dropped', 'failed')),
    rows             bigint,
    raw_bytes        bigint,     -- bytes of COPY text before compression
    stored_bytes     bigint,     -- bytes of the object
    sha256           text,       -- of the object as stored
    export_ms        double precision,
    verify_ms        double precision,
    error            text,       -- why the last attempt failed, when state is 'failed'
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dropped_at       timestamptz
);
-- At most one unfinished archive per table.
CREATE UNIQUE INDEX archive_open_idx ON @schema@.archive (partition_schema, partition_name)
    WHERE state <> 'dropped';
CREATE INDEX archive_parent_idx ON @schema@.archive (parent_schema, parent_table, id);
COMMENT ON TABLE @schema@.archive IS
    'partman: one row per archived partition: where its copy is, its checksum and rows, and how far it got';

--extension-only SELECT pg_catalog.pg_extension_config_dump('@schema@.archive', '');
--extension-only SELECT pg_catalog.pg_extension_config_dump('@schema@.archive_id_seq', '');
