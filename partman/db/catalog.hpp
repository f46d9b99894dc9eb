// Reads the catalog of every managed parent and its partitions in one query.
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
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
  std::string partman_schema; // partman's schema, whose max_key() finds integer policies' largest values
  bool properties = true;     // what new children copy from their parents (read_parent_properties)
  bool taken_names = true;    // the names new children must avoid (the fingerprint covers them)
  // Whether the citus extension is installed (ServerFacts::citus), so the catalog query reads how Citus
  // distributes each parent (pg_dist_partition exists only with it); unknown: the query for servers without
  // Citus says whether it is, and is read again with Citus's catalog when it is.
  std::optional<bool> citus;
};

// Returns one snapshot per policy, in the same order, read in one round trip, plus one for the largest
// values of all integer policies, one per values query of LIST policies (the policy's own query), one for
// what new children copy from their parents (read_parent_properties, unless options.properties is false),
// and the default counts.
std::vector<core::ParentSnapshot> read_catalog(pqxx::transaction_base& tx,
                                               const std::vector<core::Policy>& policies,
                                               const CatalogOptions& options = {});
// Reads the catalog as read_catalog does, and also every partitioned partition of a parent whose policy has
// a level-2 policy, as a parent of its own under that policy (one more catalog query for all of them):
// `policies` gets their policies, each parent's right after it.
std::vector<core::ParentSnapshot> read_catalog_tree(pqxx::transaction_base& tx,
                                                    std::vector<core::Policy>& policies,
                                                    const CatalogOptions& options = {});

} // namespace partman::db
