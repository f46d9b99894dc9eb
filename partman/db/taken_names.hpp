// Reads the names of relations that are not partitions but stand where new children would be named, so
// that new children avoid them.
#pragma once

#include <cstddef>
#include <pqxx/transaction_base>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::db {

// Reads the names new children of parents `which` (indices: out[i] belongs to policies[i]) must avoid, in
// one query.
void read_taken_names(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                      const std::vector<std::size_t>& which, std::vector<core::ParentSnapshot>& out);

} // namespace partman::db
