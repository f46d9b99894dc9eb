// What a run read, kept by a long-running caller (the worker) so that its next turn can tell in one cheap
// query that nothing it planned from changed, and plan again in memory instead of reading the catalog.
#pragma once

#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "partman/core/plan.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::run {

// The policies and catalog a run planned from, and the change token read before it.
struct KnownCatalog
{
  std::string token;                          // read_change_token's, read before the catalog
  std::vector<core::Policy> policies;         // as the catalog read left them (ordered, level 2 added)
  std::vector<core::ParentSnapshot> snapshot; // one per policy
};

// The change token and the server's clock, read in one round trip.
struct ChangeToken
{
  std::string token; // another value whenever a partition, a partitioned table or partman's tables change
  core::Micros server_now = 0; // the server's now()
  core::Micros host_now = 0;   // this host's clock when the answer arrived
};

// Reads the change token: the count and the sum of the row versions (xmin) of pg_inherits, of the pg_class
// rows of partitioned tables and partitions, and of partman's policy and archive tables, and the newest
// history entry. Any CREATE, ATTACH, DETACH, DROP or RENAME of a partition or partitioned table, any policy
// change and any action a run records gives another token; VACUUM and ANALYZE do not (they update their
// statistics in place). Costs a scan of pg_inherits and of pg_class, no lock.
ChangeToken read_change_token(pqxx::connection& conn, const std::string& schema);

// Returns true when the plans of `policies` follow from the catalog and the time alone: no integer policy
// (its premake follows the largest key in the table) and no LIST values query (its answer is data).
bool plans_from_catalog_alone(const std::vector<core::Policy>& policies);

// Plans `known` again at `now` under `guard`; returns the plan when it does nothing (no action, no error, no
// refusal, nothing interrupted or pending), else none: the caller then reads the catalog and runs.
std::optional<core::Plan> quiet_plan(const KnownCatalog& known, core::Micros now,
                                     const core::PlanOptions& guard);

} // namespace partman::run
