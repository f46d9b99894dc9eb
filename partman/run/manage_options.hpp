// The options of manage as a user gives them on the command line, and what only the client can check of
// them: its comma syntax for values, its numbers, and that archive storage can be written. Everything else
// is checked by partman.manage() in the database, for the command and for SQL alike.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace partman::run {

// The manage options as typed; empty strings mean "not given" (keep the current value, or the default).
struct ManageOptions
{
  std::string parent;
  std::string interval;
  std::string premake;
  std::string retention;
  std::string retention_action;
  std::string retention_schema;
  std::string archive_to;
  std::string timezone;
  std::string start;
  std::string epoch;                      // seconds, milliseconds or none
  std::string values;                     // a,b,c
  std::vector<std::string> value;         // --value, repeated, each taken as it stands
  std::string values_query;               // SELECT ...
  std::string list_retention;             // keep, detach, drop or archive
  std::optional<bool> default_partition;  // --default-partition / --no-default-partition
  std::optional<bool> inherit_privileges; // --inherit-privileges / --no-inherit-privileges
  std::string template_table;             // a table, or none
  std::string partition_names;            // partman, pg_partman or pg_partman:FORMAT
  std::string subpartition_by;            // RANGE (column) or LIST (column): the level-2 policy; or none
  int level = 1;                          // 2: the options are for the level-2 policy
};

// Returns the values of --values (split at commas, spaces around each trimmed) and --value (as given);
// UsageError for an empty item of --values.
std::vector<std::string> listed_values(const ManageOptions& a);
// Returns --premake as the decimal number it holds ("" when not given); UsageError when it is no number.
std::string parse_premake(const std::string& text);
// Writes and removes a small object where archives will go, so a policy never names storage that partman
// cannot write (missing credentials, unreachable endpoint, no permission); UsageError when it cannot.
void check_storage_writable(const std::string& uri);

} // namespace partman::run
