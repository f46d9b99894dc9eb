// The health of the managed parents of one database, for `partman check` and the worker's metrics: read
// in one read-only session with a few queries; no printing.
#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/core/health.hpp"
#include "partman/core/plan.hpp"
#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::run {

// What to read.
struct HealthRequest
{
  std::string dsn;                  // conninfo or URI ("": libpq's PG* settings)
  std::string schema = "partman";   // partman's own tables
  std::vector<std::string> parents; // as SQL writes them; none: every managed parent
  core::Micros now = 0;             // the instant judged at; 0: the server's clock
};

// The health of one database's parents.
struct HealthReport
{
  bool standby = false;                    // the server is in recovery (its figures are the primary's)
  core::Micros at = 0;                     // the instant the figures are for
  std::vector<core::ParentHealth> parents; // level-1 parents, in the order of the policies
};

// Reads the policies, the catalog (planned as `plan` plans it), run_state, failed archives and the
// estimated rows of default partitions. A partition kept by its parent's level-2 policy counts for that
// parent: its missing partitions are added, and an error of its plan is the parent's.
HealthReport read_health(const HealthRequest& request);
// Reads as read_health does, on the caller's session `conn` (a primary), judged at `at`.
HealthReport read_health_on(pqxx::connection& conn, const HealthRequest& request, core::Micros at);
// Returns the health of the parents of `policies` from a catalog already read (`snapshot`, one per policy)
// and its plan at `at`, reading only run_state, failed archives and the default partitions' estimates.
HealthReport health_of(pqxx::transaction_base& tx, const std::string& schema,
                       const std::vector<core::Policy>& policies,
                       const std::vector<core::ParentSnapshot>& snapshot, const core::Plan& plan,
                       core::Micros at);

} // namespace partman::run
