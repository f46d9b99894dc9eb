-- partman schema, version 6: sub-partitioning on two levels. A parent's policy (level 1) may come with a
-- level-2 policy, which keeps the partitions of each of its partitions: new partitions of the parent are
-- created already partitioned on partition_key (BY LIST for a 'list' shape, else BY RANGE), with their
-- own partitions, and every partitioned partition is planned under the level-2 policy as a parent of its
-- own (premake, retention, values).
ALTER TABLE @schema@.policy ADD COLUMN level smallint NOT NULL DEFAULT 1
    CONSTRAINT policy_level_check CHECK (level IN (1, 2));
ALTER TABLE @schema@.policy ADD COLUMN partition_key name;
ALTER TABLE @schema@.policy ADD CONSTRAINT policy_partition_key_check
    CHECK ((level = 2) = (partition_key IS NOT NULL));
ALTER TABLE @schema@.policy DROP CONSTRAINT policy_pkey;
ALTER TABLE @schema@.policy ADD PRIMARY KEY (parent_schema, parent_table, level);
