// Reads the catalog of every managed parent and its partitions in one query.
#pragma once

#include <pqxx/transaction_base>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::db {

// What to read beyond what the planner needs.
struct CatalogOptions
{
  bool sizes = false;         // pg_total_relation_size of each partition (status)
  bool count_default = false; // an exact row count of each default partition (status; one query each)
  std::string history_schema; // read unfinished removals from this partman schema's history (plan, apply)
};

// Reads the bounds of a single-column time range partition from its relpartbound node tree; returns false
// when the tree is not one it knows.
bool parse_bound_node(const std::string& node, std::optional<core::Micros>& lower,
                      std::optional<core::Micros>& upper);
// Returns one snapshot per policy, in the same order, read in one round trip (plus the default counts).
std::vector<core::ParentSnapshot> read_catalog(pqxx::transaction_base& tx,
                                               const std::vector<core::Policy>& policies,
                                               const CatalogOptions& options = {});

} // namespace partman::db
