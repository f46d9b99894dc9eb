// Reads, in one query for all parents, what new children copy from their parent (owner, grants,
// tablespace, replica identity, comment, a template table's unique indexes) and the foreign keys that
// reference parents and partitions.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/core/plan.hpp"
#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::db {

// Fills the `properties` of parents `which` (indices: out[i] belongs to policies[i]) and the
// `referenced_by` of their children.
void read_parent_properties(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                            const std::vector<std::size_t>& which, std::vector<core::ParentSnapshot>& out);
// Asks the server, in one query, how many rows each create of `plan` moves out of a default partition
// (partman's estimate_rows() in `schema`: the planner's estimate, no scan), and records the answers.
void estimate_moves(pqxx::transaction_base& tx, const std::string& schema, core::Plan& plan);

} // namespace partman::db
