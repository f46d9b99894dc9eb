// The checks a policy must pass before it is saved: its parent's shape, the policy itself, and what it
// names in the database (manage and import-pg-partman share them).
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::db {

// Returns why `policy` cannot be saved for `parent` (its snapshot from read_catalog), or an empty string
// when it can: the parent's shape, the policy's fit to its strategy and key, the policy itself, and its
// retention schema, which must exist.
std::string check_policy(pqxx::transaction_base& tx, const core::ParentSnapshot& parent,
                         const core::Policy& policy);

} // namespace partman::db
