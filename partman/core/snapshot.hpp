// What the catalog says about managed parents and their partitions, read once per run.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "partman/core/archive_state.hpp"
#include "partman/core/boxed.hpp"
#include "partman/core/interned.hpp"
#include "partman/core/interval.hpp"
#include "partman/core/policy.hpp"

namespace partman::core {

// What few partitions have, kept out of line so that a million partitions stay small.
struct ChildRare
{
  std::vector<std::string> values;          // a LIST partition's values, as the key type prints them
  std::string referenced_by;                // a foreign key that references this table itself ("\"fk\" of
                                            // \"s\".\"t\""); empty: none
  std::optional<std::int64_t> counted_rows; // an exact count, where one was taken (default partitions)
};

// Returns a row estimate (pg_class.reltuples, a real) as a count: exact up to 2^24, above which a real holds
// seven significant digits, so the count is rounded to them; -1 when negative (never analysed).
inline std::int64_t estimate_count(float estimate)
{
  if (estimate < 0)
    return -1;
  const double v = estimate;
  if (v <= 16777216.0)
    return std::llround(v);
  const double scale = std::pow(10.0, std::floor(std::log10(v)) - 6);
  return static_cast<std::int64_t>(std::llround(v / scale)) * static_cast<std::int64_t>(scale);
}

// One partition (or an unattached table that holds a partition's name).
struct Child
{
  Interned schema; // shared: partitions are many, schemas few
  std::string name;
  std::optional<Micros> lower; // empty: MINVALUE (integer keys: the value itself)
  std::optional<Micros> upper; // empty: MAXVALUE
  std::int64_t bytes = 0; // pg_total_relation_size (of a Citus table: citus_total_relation_size, its shards)
  float estimated_rows = -1; // pg_class.reltuples (a real; of a distributed table, its shards' summed up);
                             // negative when never analysed
  bool is_default = false;
  bool null_value = false;     // a LIST partition that also holds NULL
  bool detach_pending = false; // an interrupted DETACH ... CONCURRENTLY
  bool partitioned = false;    // itself partitioned (a sub-partitioned child)
  Boxed<ChildRare> rare;       // set on the few partitions that have any of it

  // Returns a LIST partition's values.
  const std::vector<std::string>& values() const { return rare_or_none().values; }
  // Returns the foreign key that references this table itself; empty: none.
  const std::string& referenced_by() const { return rare_or_none().referenced_by; }
  // Returns the exact row count, where one was taken.
  const std::optional<std::int64_t>& counted_rows() const { return rare_or_none().counted_rows; }
  // Returns the row estimate as a count, to the seven significant digits a real holds (1234567936 reads
  // 1234568000, not a false exact count); -1 when never analysed.
  std::int64_t estimated_count() const { return estimate_count(estimated_rows); }

private:
  const ChildRare& rare_or_none() const
  {
    static const ChildRare none;
    return rare ? *rare : none;
  }
};

// A privilege a parent grants to a role other than its owner.
struct Grant
{
  std::string grantee; // empty: PUBLIC
  std::string privilege;
  bool grantable = false;
};

// A unique index of a policy's template table, which every new child gets.
struct TemplateIndex
{
  std::string name;       // its name on the template table
  std::string definition; // what follows the table in its CREATE INDEX: "USING btree (email)"
};

// What new children copy from their parent where PostgreSQL does not carry it, what moving rows out of a
// default partition needs, and the foreign keys retention must respect (read in one more query, only for
// the parents whose plan creates or removes something: see needs_details).
struct ParentProperties
{
  std::string owner;                  // the parent's owner
  std::string session_user;           // the role partman runs as
  std::vector<Grant> grants;          // the parent's privileges for roles other than its owner
  std::string tablespace;             // the parent's tablespace (empty: the database's default)
  char replica_identity = 'd';        // d(efault), n(othing), f(ull) or i(ndex)
  std::string replica_index;          // 'i': the definition of the parent's replica identity index, as
                                      // TemplateIndex::definition
  std::optional<std::string> comment; // the parent's COMMENT ON TABLE
  std::vector<std::string> columns;   // the columns a moved row is written to, in order
  bool template_found = false;        // the policy's template table exists
  std::vector<TemplateIndex> template_indexes; // its unique indexes the parent does not have
  std::string referenced_by;                   // a foreign key that references the parent
};

// An archive that an earlier run began and did not finish (its row in the archive table).
struct PendingArchive
{
  long long id = 0;
  std::string schema; // the table being archived
  std::string name;
  ArchiveState state = ArchiveState::detaching; // any but dropped
  bool table_exists = false;                    // the table is still there
  bool attached = false;                        // it is still a partition of the parent
};

// How Citus distributes a parent, read from its catalog (pg_dist_partition) where the citus extension is
// installed; a parent that is no Citus table has `citus` false.
struct Distribution
{
  bool citus = false; // a Citus table: Citus re-sends its DDL to the workers and has no DETACH CONCURRENTLY
  std::string column; // hash-distributed on this column (its partitions colocated with it); empty: a
                      // reference table or a Citus local table
};

// One managed parent as the catalog shows it.
struct ParentSnapshot
{
  std::string schema;
  std::string table;
  bool exists = false;
  bool partitioned = false;
  Strategy strategy = Strategy::none;
  int key_count = 0;
  std::string key_column;
  std::string key_type_name;
  KeyType key_type = KeyType::unsupported;
  Distribution distribution; // what Citus does with it (nothing: not a Citus table)
  std::vector<Child> children;
  std::vector<std::string> taken_names;      // relations in the parent's schema that share the child prefix
  std::vector<std::string> interrupted;      // partitions (in the parent's schema) whose drop or detach an
                                             // earlier run began and did not record as finished
  std::vector<std::string> unfinished_moves; // tables (in the parent's schema) into which an interrupted run
                                             // moved rows of the default partition
  std::vector<PendingArchive> archives;      // unfinished archives of this parent's partitions
  std::optional<std::int64_t> key_max; // integer policies: the largest key in the partitions (none: no rows)
  std::vector<std::string> queried_values; // LIST policies with a values query: what it returned, in order
  std::string values_error;                // why that query failed or what it returned cannot be used
  ParentProperties properties;
  // A parent whose policy has a level-2 policy: what its new partitions are partitioned on.
  std::string sub_key_type_name; // the type of the level-2 policy's partition key (empty: no such column)
  KeyType sub_key_type = KeyType::unsupported;
  std::vector<std::string> sub_queried_values; // a level-2 LIST policy with a values query: what it returned
  std::string sub_values_error;
  // A partition planned under its parent's level-2 policy, as a parent of its own: that parent, and its own
  // bounds when that parent is partitioned BY RANGE on the same key (all of its range is then covered).
  std::string outer_schema;
  std::string outer_table; // empty: a level-1 parent
  bool within = false;
  std::optional<Micros> within_lower; // empty: MINVALUE
  std::optional<Micros> within_upper; // empty: MAXVALUE
};

// Returns the message that explains why a parent cannot be planned, or an empty string when it can.
std::string check_parent_shape(const ParentSnapshot& parent);

} // namespace partman::core
