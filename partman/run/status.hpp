// status: each managed parent's policy and partitions, and where each partition stands, read in one
// read-only session; no printing.
#pragma once

#include <string>
#include <vector>

#include "partman/core/status.hpp"
#include "partman/run/target.hpp"

namespace partman::run {

// What to show.
struct StatusRequest : Target
{
  std::vector<std::string> parents; // as SQL writes them; none: every managed parent
  core::Micros now = 0;             // the instant partitions are classified at
};

// Each parent's status; `statuses` point into `policies` and `snapshot`, so the report is moved, never
// copied.
struct StatusReport
{
  StatusReport() = default;
  StatusReport(const StatusReport&) = delete;
  StatusReport& operator=(const StatusReport&) = delete;
  StatusReport(StatusReport&&) = default;
  StatusReport& operator=(StatusReport&&) = default;

  std::vector<core::Policy> policies;
  std::vector<core::ParentSnapshot> snapshot;
  std::vector<core::ParentStatus> statuses;
  // Returns false when a parent's status could not be made (its error says why).
  bool complete() const;
};

// Reads the policies and the catalog (sizes and the exact rows of default partitions too) and classifies
// every partition at request.now.
StatusReport read_status(const StatusRequest& request);

} // namespace partman::run
