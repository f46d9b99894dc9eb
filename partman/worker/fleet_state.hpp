// What the worker knows of each database it maintains: its schedule, its control session and the figures
// its metrics show. Only the coordinator thread touches it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "partman/core/health.hpp"

#include "partman/worker/control.hpp"
#include "partman/worker/job.hpp"

namespace partman::worker {

using SteadyTime = std::chrono::steady_clock::time_point;

// The figures of one database since the worker started (or since the database was added).
struct DatabaseStats
{
  bool seen = false;            // a turn has finished
  Outcome last = Outcome::down; // how the last turn ended
  double last_success = 0;      // Unix time of the last run with no failed parent (0: none yet)
  double last_run_seconds = 0;  // how long the last run took
  double run_seconds_sum = 0;   // how long all runs took
  std::uint64_t runs_ok = 0, runs_failed = 0;
  std::array<std::uint64_t, 5> applied{}; // actions done, by core::ActionKind
  std::array<std::uint64_t, 5> failed{};  // actions failed, by core::ActionKind
  std::uint64_t deferrals = 0;            // actions deferred after their lock retries
  std::uint64_t refusals = 0;             // parents whose removals the guard refused
  bool removals_waiting = false;          // the last run held removals for the removal window
  std::string last_error;                 // of the last turn that failed ("" after a success)
  std::vector<core::ParentHealth> health; // each parent's figures, as last read
  SteadyTime health_read{};               // when they were read
  SteadyTime recorded{};                  // when a turn was last recorded in run_state
  std::uint64_t quiet_turns = 0;          // turns that found the catalog unchanged and nothing due
};

// One database.
struct Database
{
  std::string dsn;   // as configured or discovered, with worker_dsn's settings
  std::string label; // user@host:port/dbname, never a password
  bool discovered = false;
  bool wanted = true; // false: removed from the configuration; forgotten when its turn ends
  bool running = false;
  bool again = false; // a policy changed during its turn: run again at once
  SteadyTime due{};
  int failures = 0; // turns failed in a row
  std::unique_ptr<ControlSession> control;
  std::unique_ptr<run::KnownCatalog> known; // what its last run planned from
  DatabaseStats stats;
};

// Every database, by its configured conninfo.
using Fleet = std::map<std::string, Database>;

// Counts what a finished turn did into `stats`.
void record_turn(DatabaseStats& stats, const JobResult& result);

} // namespace partman::worker
