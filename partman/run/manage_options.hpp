// The options of manage as a user gives them, and how they change a policy: checked before anything
// connects where they can be, and against the parent's shape once it is read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

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

// A level-2 policy as --subpartition-by gives it: BY LIST or BY RANGE, on a column of the parent.
struct SubSpec
{
  bool list = false;
  std::string column; // as written, for the server's parse_ident()
};

// Returns true for the word that clears an option ("none").
bool is_none(const std::string& text);
// Writes and removes a small object where archives will go, so a policy never names storage that partman
// cannot write (missing credentials, unreachable endpoint, no permission); UsageError when it cannot.
void check_storage_writable(const std::string& uri);
// Applies the options that mean the same for every shape on top of `p` (the current policy or the
// defaults); they are checked before anything connects (UsageError).
void apply_common_options(const ManageOptions& a, core::Policy& p);
// Returns the shape the policy of `parent` takes: LIST for a LIST parent; for a RANGE parent, time on a
// time key, and on an integer key epoch (--epoch, or the policy was one) or integer ranges.
core::Shape choose_shape(const ManageOptions& a, const core::Policy& current, bool found,
                         const core::ParentSnapshot& parent);
// Applies the options whose meaning depends on the shape on top of `p` (already of its new shape;
// `changed` when it had another shape, whose interval, retention and start do not carry over).
void apply_shape_options(const ManageOptions& a, core::Policy& p, bool changed,
                         const core::ParentSnapshot& parent);
// Parses "RANGE (column)" or "LIST (column)" (any case; a quoted column keeps its case); UsageError else.
SubSpec parse_sub_spec(const std::string& text);

} // namespace partman::run
