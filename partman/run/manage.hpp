// manage and unmanage: register, update or remove the policy of a parent, through partman.manage() and
// partman.unmanage() in the database, which hold the rules. Plain requests in, reports out; invalid input is
// a UsageError (exit 2), with nothing written.
#pragma once

#include <string>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"
#include "partman/run/manage_options.hpp"
#include "partman/run/target.hpp"

namespace partman::run {

// What manage needs.
struct ManageRequest : Target
{
  ManageOptions options; // the parent and the options given
};

// What manage did.
struct ManageReport
{
  // What changed in the policy table.
  enum class Change
  {
    inserted,   // a new policy
    updated,    // an existing policy, changed
    sub_removed // the level-2 policy was removed (--subpartition-by none)
  };
  Change change = Change::inserted;
  bool sub_level = false;      // the policy saved is the level-2 one
  core::Policy policy;         // as saved; for sub_removed, the parent's own (level-1) policy
  core::ParentSnapshot parent; // the parent as the policy sees it (for a level-2 policy, a new partition)
  std::size_t query_rows = 0;  // the values its values query gives now
};

// Saves the policy of the options (or removes the level-2 one) with partman.manage(), in one transaction.
ManageReport manage(const ManageRequest& request);

// What unmanage needs.
struct UnmanageRequest : Target
{
  std::string parent; // as SQL writes it; may name a table that no longer exists
};

// What unmanage did.
struct UnmanageReport
{
  std::string schema; // the parent whose policies were removed
  std::string table;
};

// Removes every policy of the parent (UsageError when it has none); no table is changed.
UnmanageReport unmanage(const UnmanageRequest& request);

} // namespace partman::run
