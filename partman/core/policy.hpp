// The management policy of one partitioned parent, and its validation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "partman/core/interval.hpp"
#include "partman/core/result.hpp"
#include "partman/core/strategy.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

// What retention does with an expired partition.
enum class RetentionAction
{
  drop,
  detach,
  archive // detach, export to storage, verify the copy, then drop
};

// The type of a parent's partition key column, as far as the planner cares.
enum class KeyType
{
  timestamptz,
  timestamp,
  date,
  smallint,
  integer,
  bigint,
  text, // text and character varying
  uuid,
  unsupported
};

// How a policy cuts its parent into partitions.
enum class Shape
{
  time,    // RANGE on a time key, by calendar intervals
  integer, // RANGE on an integer key, by a fixed width counted from the largest value present
  epoch,   // RANGE on an integer key that holds epoch seconds or milliseconds, by calendar intervals
  list     // LIST: one partition per value
};

// What one unit of an epoch key is.
enum class EpochUnit
{
  seconds,
  milliseconds
};

// What happens to the partition of a value that is no longer listed.
enum class ListRetention
{
  keep,
  detach,
  drop,
  archive
};

// How a policy names the partitions it creates.
enum class PartitionNames
{
  partman,   // partman's own: events_p20261213, events_p2026w50, events_p202612, ids_p5000
  pg_partman // as pg_partman names them: events_p2026_12_13 (its datetime_string), ids_p5000
};

// One row of the policy table: how one parent is kept.
struct Policy
{
  std::string schema;
  std::string table;
  Interval interval;
  int premake = 4;
  std::optional<Interval> retention;
  RetentionAction retention_action = RetentionAction::detach;
  std::string retention_schema; // empty: detached partitions stay in the parent's schema
  std::string archive_to;       // archive: the storage URI (file:///... or s3://...)
  NamedZone timezone;           // looked up when the policy is read or built
  std::optional<Micros> start;  // an instant; the first partition created holds it
  Shape shape = Shape::time;
  EpochUnit epoch_unit = EpochUnit::seconds; // epoch: the unit of the key
  std::int64_t width = 0;                    // integer: slot k covers [k * width, (k + 1) * width)
  std::optional<std::int64_t> keep_last;     // integer: keep partitions whose upper bound is above max - this
  std::optional<std::int64_t> start_value;   // integer: also cover from here; premake base of an empty table
  std::vector<std::string> values;           // list: the values, as the key type prints them
  std::string values_query;                  // list: a query whose first column gives the values instead
  ListRetention list_retention = ListRetention::keep;
  bool default_partition = false; // keep a default partition (created when missing; never dropped)
  bool inherit_privileges = true; // new children get the parent's owner and grants
  std::string template_schema;    // a table whose unique indexes every new child gets (empty: none)
  std::string template_table;
  PartitionNames partition_names = PartitionNames::partman; // how new partitions and the default are named
  std::string name_format;   // pg_partman names of time and epoch policies: its datetime_string (empty: the
                             // one pg_partman's create_parent picks for the interval)
  int level = 1;             // 2: the policy of the partitions of a level-1 parent's partitions
  std::string partition_key; // level 2: the column those partitions are partitioned on
  std::shared_ptr<const Policy> sub; // level 1: its level-2 policy (schema and table are the parent's)

  // Returns "schema.table" as SQL would quote it.
  std::string parent_sql() const;
};

// How a policy removes the partitions it no longer keeps (expired, or no longer listed): what is done with
// them, and where they go.
struct Removal
{
  RetentionAction action = RetentionAction::detach;
  std::string schema;     // detach: the schema detached partitions move to (empty: they stay)
  std::string archive_to; // archive: the storage URI
};

// The most partitions premake may keep ahead.
constexpr int k_max_premake = 10000;

// Returns the policy's name for `action`.
const char* to_string(RetentionAction action);
// Parses "drop", "detach" or "archive".
Result<RetentionAction> parse_retention_action(const std::string& text);
// Returns "time", "integer", "epoch" or "list".
const char* to_string(Shape shape);
// Parses what to_string(Shape) returns.
Result<Shape> parse_shape(const std::string& text);
// Returns "seconds" or "milliseconds".
const char* to_string(EpochUnit unit);
// Parses "seconds" or "milliseconds" (also "s" and "ms").
Result<EpochUnit> parse_epoch_unit(const std::string& text);
// Returns "keep", "detach", "drop" or "archive".
const char* to_string(ListRetention retention);
// Parses "keep", "detach", "drop" or "archive".
Result<ListRetention> parse_list_retention(const std::string& text);
// Returns "partman" or "pg_partman".
const char* to_string(PartitionNames names);
// Returns "partman", or "pg_partman" followed by ":" and the name format when the policy has one.
std::string partition_names_text(const Policy& policy);
// Parses "partman", "pg_partman" or "pg_partman:FORMAT" into the names and the format (empty when none is
// given; the format itself is checked with the policy).
Result<std::pair<PartitionNames, std::string>> parse_partition_names(const std::string& text);
// Parses a whole number of at least 1 (an integer width or retention); `what` names it in the error.
Result<std::int64_t> parse_positive(const std::string& text, const char* what);
// Parses a whole number, negative allowed (an integer --start).
Result<std::int64_t> parse_integer(const std::string& text, const char* what);
// Returns the KeyType of a column type as format_type() prints it.
KeyType key_type_from_sql(const std::string& type_name);
// Returns true for smallint, integer and bigint keys.
bool is_integer_key(KeyType type);
// Returns true for timestamptz, timestamp and date keys.
bool is_time_key(KeyType type);
// Returns the smallest and largest value of an integer key type.
std::pair<std::int64_t, std::int64_t> integer_key_range(KeyType type);
// Returns how `policy` removes partitions: its retention action, or a LIST policy's list retention (keep
// removes nothing; its action then reads detach).
Removal removal_of(const Policy& policy);
// Returns the policy in a few words, as plan and status print it.
std::string policy_summary(const Policy& policy);
// Returns "RANGE (key)" or "LIST (key)": how a level-2 policy's partitions are partitioned.
std::string sub_partition_clause(const Policy& sub);
// Returns the level-2 policy of `outer` as it applies to partition `name` (in `schema`) of its parent, with
// the parent's template table.
Policy sub_policy_for(const Policy& outer, const std::string& schema, const std::string& name);

// Checks the policy against itself and the parent's key type; returns an empty string when it is valid. A
// key that does not fit is named by `key_type_name` (as format_type prints it), or by its KeyType.
std::string validate_policy(const Policy& policy, KeyType key_type, const std::string& key_type_name = {});
// Returns why a LIST values query cannot be one read-only query (its first word is not SELECT, WITH,
// VALUES or TABLE), or "" when it can; the server checks the rest (one statement, read-only).
std::string check_values_query(const std::string& query);
// Checks that the policy's shape fits the parent's strategy (range or list) and key type; returns an
// empty string when it does.
std::string check_policy_fits(const Policy& policy, Strategy strategy, KeyType key_type,
                              const std::string& key_type_name = {});

} // namespace partman::core
