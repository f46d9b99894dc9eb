// Reads the catalog of every managed parent and its partitions in one query.
#pragma once

#include <pqxx/transaction_base>
#include <string_view>
#include <vector>

#include "partman/core/planner.hpp"
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
};

// Reads the bounds of a single-column time range partition from its relpartbound node tree; returns false
// when the tree is not one it knows.
bool parse_bound_node(std::string_view node, std::optional<core::Micros>& lower,
                      std::optional<core::Micros>& upper);
// Reads the values of a LIST partition from its deparsed bound, "FOR VALUES IN ('a', 7, NULL)"; returns
// false when the text is not of that form.
bool parse_list_bound(const std::string& bound, std::vector<std::string>& values, bool& null_value);
// Returns the query that reads a LIST policy's values from its values query: its first column, each value
// once, as text and as the key's type prints it.
std::string values_query_sql(const std::string& query, const std::string& key_type_name);
// The longest a values query may run.
constexpr const char* k_values_timeout = "60s";
// Runs a values query (in its own savepoint of `tx`, for at most k_values_timeout); returns the values as the
// key's type prints them, or why they cannot be used (the query failed, gave NULL, or a value the type would
// change).
core::Result<std::vector<std::string>> query_list_values(pqxx::transaction_base& tx, const std::string& query,
                                                         const std::string& key_type_name,
                                                         const std::string& parent_sql);
// Returns why a values query is not one statement that parses alone (the server explains it in a savepoint
// of `tx`, through the extended protocol, without running it), or "" when it is.
std::string values_query_problem(pqxx::dbtransaction& tx, const std::string& query);
// Returns listed values as the key's type prints them (the server casts each), or why they cannot be used:
// a value that is not of the type, NULL, a value given twice.
core::Result<std::vector<std::string>> canonical_list_values(pqxx::transaction_base& tx,
                                                             const std::vector<std::string>& values,
                                                             const std::string& key_type_name);
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

// A catalog snapshot and the plan made from it.
struct PlannedCatalog
{
  std::vector<core::ParentSnapshot> snapshot;
  core::Plan plan;
};
// Reads the catalog tree (as read_catalog_tree, which also orders `policies`) and plans it at `now`. What
// new children copy from their parents, and with options.taken_names false the names they must avoid, are
// read only for the parents that need them (core::needs_details: a run with nothing to do skips those
// queries), and then all are planned again; the plan is the one a full read would give.
PlannedCatalog plan_catalog(pqxx::transaction_base& tx, std::vector<core::Policy>& policies, core::Micros now,
                            const core::PlanOptions& plan_options, CatalogOptions options = {});

} // namespace partman::db
