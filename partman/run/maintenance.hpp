// The maintenance operations on one database: plan (read, plan, nothing changed) and apply (read, lock,
// plan, execute, reconnecting once after a lost connection). Plain requests in, report values out; no
// printing: an observer hears each parent as it finishes.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "partman/core/plan.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/removal_window.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/session.hpp"
#include "partman/run/known_catalog.hpp"
#include "partman/run/saved_plan.hpp"

namespace partman::run {

// How long DDL may wait for locks, and how often it is tried again.
struct LockSettings
{
  std::string lock_timeout = "1s";              // one statement's wait for a lock
  std::string exclusive_lock_timeout = "100ms"; // actions with ACCESS EXCLUSIVE on a parent or its default
  int retries = 3;                              // retries after a lock conflict
  int exclusive_retries = 10;                   // retries of the actions under the exclusive timeout
};

// Returns the session settings of `locks` (the exclusive timeout is checked when the session opens).
db::SessionOptions session_options(const LockSettings& locks, bool read_only);
// Sets the executor's lock timeouts and retries from `locks`.
void set_lock_options(db::ExecutorOptions& options, const LockSettings& locks);

// What a plan or a maintenance run over one database needs.
struct RunRequest
{
  std::string dsn;                  // conninfo or URI ("": libpq's PG* settings)
  std::string schema = "partman";   // partman's own tables
  std::vector<std::string> parents; // as SQL writes them; none: every managed parent
  core::Micros now = 0;             // the instant plans are made at (a saved plan brings its own)
  bool now_from_clock = false;      // `now` was read from this host's clock (else given: --at)
  core::PlanOptions guard;          // the removal guard and the batch size
  core::RemovalWindow window;       // removals only inside it (zone null: any time)
  LockSettings locks;               // lock timeouts and retries
  int parallel = 2;                 // apply: parents worked on at once
  std::optional<SavedPlan> saved;   // apply: run exactly this saved plan, or nothing
};

// What a plan found: the plan of every parent, with the fingerprint of what it was made from.
struct PlanReport
{
  core::Plan plan;
  std::string window_hold; // the removal window is closed: why removals wait (refusals for it are no failure)
  // Returns true when every parent was planned and none had its removals refused.
  bool complete() const;
};

// How a maintenance run over one database went.
struct RunReport
{
  RunReport() = default;
  RunReport(const RunReport&) = delete; // `parents` points into `plan`
  RunReport& operator=(const RunReport&) = delete;
  RunReport(RunReport&&) = default;
  RunReport& operator=(RunReport&&) = default;

  bool standby = false;                   // the server was in recovery: nothing was done
  core::Micros at = 0;                    // the instant the plan was made at
  std::unique_ptr<core::Plan> plan;       // what was planned (null on a standby)
  std::vector<db::ParentOutcome> parents; // how each parent ended, in plan order
  std::array<std::size_t, 5> done{};      // actions done, by core::ActionKind
  std::size_t failed = 0;                 // parents failed, deferred, refused or unplannable
  std::string window_hold;                // as PlanReport's (parents held only for it are not `failed`)
  std::string reconnected;                // why the run reconnected once, or ""
  double seconds = 0;                     // how long the run took
  // Returns true when no parent failed, was deferred, refused or could not be planned.
  bool complete() const;
};

// Hears a maintenance run as it goes (one call at a time).
class RunObserver
{
public:
  virtual ~RunObserver() = default;
  // Hears that the run starts executing at `at`.
  virtual void started(core::Micros /*at*/) {}
  // Hears that the connection was lost and the run reconnects to plan again.
  virtual void reconnecting(const std::string& /*why*/) {}
  // Hears that one parent has finished.
  virtual void parent_done(const db::ParentOutcome& /*parent*/) {}
};

// Reads the policies and the catalog in a read-only session and plans; changes nothing.
PlanReport plan_database(const RunRequest& request);
// Plans and executes on one database: each parent under its advisory lock, each action in its own
// transaction; a lost connection is re-read and planned once more. A standby is left alone.
RunReport run_maintenance(const RunRequest& request, RunObserver& observer);

// Runs maintenance as run_maintenance does, on the caller's session `conn` (a primary, whose clock `facts`
// gives), which keeps its settings: a lost session ends the run (pqxx::broken_connection). With `keep`,
// the policies and catalog planned from are moved there (see KnownCatalog).
RunReport run_maintenance_on(pqxx::connection& conn, const db::ServerFacts& facts, const RunRequest& request,
                             RunObserver& observer, KnownCatalog* keep);
// Returns the request's guard with removals held back when the clock says so (the time judged at is ahead
// of the server's, or this host's clock far from it: with `log`, a warning says so) or when the removal
// window is closed.
core::PlanOptions judged_guard(const RunRequest& request, core::Micros now, bool from_host_clock,
                               const db::ServerFacts& facts, bool log);

// Returns true for a parent that failed, was deferred, refused or could not be planned.
bool is_bad(db::ParentOutcome::Status status);

} // namespace partman::run
