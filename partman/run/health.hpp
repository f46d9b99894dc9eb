// The health of the managed parents of one database, for `partman check` and the worker's metrics: read
// in one read-only session with a few queries; no printing.
#pragma once

#include <string>
#include <vector>

#include "partman/core/health.hpp"

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

} // namespace partman::run
