// pg_partman's configuration (one row of its part_config table) mapped onto a partman policy: what maps,
// what does not and why, and what stops a parent from being imported at all.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "partman/core/policy.hpp"

namespace partman::core {

// An interval as PostgreSQL holds it: months, days and microseconds (as the server cast the text).
struct PgInterval
{
  std::int64_t months = 0;
  std::int64_t days = 0;
  std::int64_t micros = 0;
};

// One parent in pg_partman's part_config, with what the catalog says about it.
struct PgPartmanParent
{
  std::string parent_table; // as pg_partman writes it: schema.table, unquoted
  std::string schema;       // the table pg_partman's name denotes; empty when there is no such table
  std::string table;
  std::string control_type;                  // the control column's type (format_type); empty: not found
  std::map<std::string, std::string> values; // part_config's columns as text; NULL and absent columns omitted
  std::optional<PgInterval> interval;        // partition_interval cast by the server (time and epoch keys)
  std::optional<PgInterval> retention;       // retention likewise
  std::string sub_partition_of;              // the configured parent it is a sub-partition set of, if any
  std::string template_schema;               // the plain table template_table names; empty: there is none
  std::string template_table;
  // Its part_config_sub row: the sub_ columns without their prefix (sub_parent as parent_table), with this
  // parent's schema, table and the control column's type in it; none when it is not sub-partitioned.
  std::shared_ptr<const PgPartmanParent> sub;
};

// One line of the report: a pg_partman setting and what became of it.
struct MappedOption
{
  std::string setting; // pg_partman's side, e.g. "premake 4"
  std::string outcome; // partman's side ("--premake 4"), or why it does not map
};

// A parent of pg_partman mapped onto a partman policy.
struct PgPartmanMapping
{
  std::string problem;             // why the parent cannot be imported; empty when it can
  Policy policy;                   // the equivalent policy (time and epoch: with intervals.front())
  std::vector<Interval> intervals; // time and epoch: candidate intervals, preferred first (7 days: 1 week,
                                   // then 7 days); integer ranges have one width and none of these
  std::vector<Interval> sub_intervals; // the same for the level-2 policy (policy.sub)
  std::vector<MappedOption> mapped;
  std::vector<MappedOption> not_mapped;
};

// Maps one part_config row, and its part_config_sub row onto a level-2 policy (report lines marked
// "level 2: "); `timezone` is the database's TimeZone (looked up by the caller), which pg_partman's
// boundaries follow; `names` pg_partman keeps pg_partman's partition names, partman takes partman's own.
PgPartmanMapping map_pg_partman(const PgPartmanParent& parent, const NamedZone& timezone,
                                PartitionNames names = PartitionNames::pg_partman);
// Makes `mapping.intervals[index]` the policy's interval (level 2: `mapping.sub_intervals[index]` the level-2
// policy's), and the report say so.
void choose_interval(PgPartmanMapping& mapping, std::size_t index, int level = 1);
// Returns the manage option that names new partitions as `policy` does ("--partition-names ...", quoted for
// a POSIX shell).
std::string names_option(const Policy& policy);
// Returns the 'partman manage' command line that registers `policy` at its level (words quoted for a POSIX
// shell).
std::string manage_command(const Policy& policy);

} // namespace partman::core
