// One turn of the worker on one database: make sure of the control session, skip a standby, a database
// without partman or one another worker leads, else run maintenance as `apply` does. A turn whose change
// token shows the catalog as the last run read it plans that catalog again in memory, and when nothing is
// due it reads nothing more (run::KnownCatalog); any other runs on a working session of its own.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "partman/core/removal_window.hpp"
#include "partman/run/health.hpp"
#include "partman/run/maintenance.hpp"
#include "partman/worker/control.hpp"

namespace partman::worker {

// How a turn ended.
enum class Outcome
{
  ran,           // this worker leads the database and ran maintenance (see `report`)
  follower,      // another worker leads it
  standby,       // the server is in recovery
  not_installed, // no partman schema there
  down,          // no session could be opened, or it was lost
  failed         // an error other than a lost session
};

// Returns this host's clock in microseconds since 1970 (the instant a turn plans at, and the metrics' times).
core::Micros now_micros();
// Returns "ran", "follower", ...
const char* to_string(Outcome outcome);

// What a turn needs.
struct JobInput
{
  std::string dsn;                          // with worker_dsn's settings
  std::string schema;                       // partman's tables
  std::unique_ptr<ControlSession> control;  // the database's control session (null: open one)
  std::unique_ptr<run::KnownCatalog> known; // what the last run on `control` planned from (null: none)
  run::LockSettings locks;                  // lock timeouts
  int max_removal_percent = 50;             // the removal guard
  core::RemovalWindow window;               // zone null: removals any time
  bool health_due = false;                  // read each parent's health after the run even if it did nothing
  bool record_due = false;                  // record a turn with nothing to do in run_state
  std::function<void(const std::string&)> name_thread; // names the database in this thread's log lines
  std::string label;                                   // the database, for logs
};

// What a turn found.
struct JobResult
{
  Outcome outcome = Outcome::failed;
  std::unique_ptr<ControlSession> control;  // kept for the next turn (null when lost)
  std::unique_ptr<run::KnownCatalog> known; // kept for the next turn (null: read the catalog then)
  bool quiet = false;                       // the catalog had not changed and nothing was due: not read
  bool recorded = false;                    // the turn was recorded in run_state
  std::string error;                        // why it failed or was down
  run::RunReport report;                    // outcome `ran`: the run
  bool removals_waiting = false;            // removals were held back for the removal window
  std::size_t bad_parents = 0;              // parents failed, deferred, refused (not for the window)
  std::size_t refused = 0;                  // parents whose removals the guard refused (not the window)
  std::optional<run::HealthReport> health;  // read after a run that changed something, or when due
};

// Takes one turn; throws nothing.
JobResult run_job(JobInput input);

} // namespace partman::worker
