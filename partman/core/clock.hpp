// The clock a plan is judged at, against the server's: removals judged ahead of the server's clock, or by
// a host clock far from it, wait for --force.
#pragma once

#include <string>

#include "partman/core/interval.hpp"

namespace partman::core {

// How far this host's clock and the server's may differ before removals judged by it wait for --force.
constexpr Micros k_max_clock_skew = 5 * 60 * k_micros_per_second;

// What the clocks say about a plan judged at one instant.
struct ClockCheck
{
  std::string warning; // this host's clock and the server's differ by more than k_max_clock_skew
  std::string refusal; // why removals wait for --force (for PlanOptions::hold_removals), or ""
};

// Compares `now`, the instant a plan is judged at (read from this host's clock when `from_host_clock`,
// else given: --at, a saved plan), with the server's clock `server_now`, read when this host's clock said
// `host_now`: a given `now` later than the server's, or a host clock more than k_max_clock_skew away from
// it when it gave `now`, refuses removals; a skew is a warning either way.
ClockCheck check_clock(Micros now, bool from_host_clock, Micros server_now, Micros host_now);

} // namespace partman::core
