// The worker's metrics, following Prometheus's naming conventions (partman_ prefix, base units, _total for
// counters, _seconds and _timestamp_seconds), one series per database (label `database`, never a password).
#pragma once

#include <string>

#include "partman/worker/exposition.hpp"
#include "partman/worker/fleet_state.hpp"

namespace partman::worker {

// What the metrics say about the worker itself.
struct WorkerFacts
{
  double start_time = 0;    // Unix time the worker started
  std::uint64_t cycles = 0; // coordinator loops
  bool window_open = true;  // removals may run now
  bool has_window = false;  // a removal window is configured
};

// Writes the exposition text of `fleet` and `facts` to `sink`, in pieces.
void render_metrics(const Fleet& fleet, const WorkerFacts& facts, const Exposition::Sink& sink);

} // namespace partman::worker
