// The management policy of one partitioned parent, and its validation.
#pragma once

#include <optional>
#include <string>

#include "partman/core/interval.hpp"
#include "partman/core/result.hpp"

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
  unsupported
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
  std::string timezone = "UTC";
  std::optional<Micros> start; // an instant; the first partition created holds it

  // Returns "schema.table" as SQL would quote it.
  std::string parent_sql() const;
};

// The most partitions premake may keep ahead.
constexpr int k_max_premake = 10000;

// Returns the policy's name for `action`.
const char* to_string(RetentionAction action);
// Parses "drop", "detach" or "archive".
Result<RetentionAction> parse_retention_action(const std::string& text);
// Returns the KeyType of a column type as format_type() prints it.
KeyType key_type_from_sql(const std::string& type_name);

// Checks the policy against itself and the parent's key type; returns an empty string when it is valid.
std::string validate_policy(const Policy& policy, KeyType key_type);

} // namespace partman::core
