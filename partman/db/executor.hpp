// Applies a Plan: each action in its own transaction, under lock_timeout with bounded retries, recorded in
// the history table. One parent's failure never stops the others.
#pragma once

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <string>
#include <vector>

#include "partman/core/backoff.hpp"
#include "partman/core/plan.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::db {

// How the executor retries and records.
struct ExecutorOptions
{
  std::string schema = "partman"; // the partman schema (history table)
  int retries = 3;                // retries of an action that met lock_timeout or a deadlock
  core::Backoff backoff;          // waits between retries: 200 ms doubling up to 1 s, plus up to 50% jitter
  // The lock_timeout (SET LOCAL in its transaction; empty: the session's) and the retries of an action
  // that takes ACCESS EXCLUSIVE on a parent or its default partition, which the application's queries queue
  // behind while it waits: a short wait, tried more often.
  std::string exclusive_lock_timeout = "100ms";
  int exclusive_retries = 10;
  int parallel = 1;        // parents worked on at once, each worker on its own connection
  int progress_ms = 10000; // logs the progress of rows moved out of a default partition this often
                           // (0: after every batch)
  // Runs the steps of archive row `id` after its partition is detached (export, verify, drop); throws on
  // failure. Set by the caller, so the executor does not depend on storage code.
  std::function<void(pqxx::connection& conn, long long id)> archive;
};

// Opens one more session like the first, for a parallel worker.
using SessionFactory = std::function<std::unique_ptr<pqxx::connection>()>;

// How one action ended.
struct ActionOutcome
{
  enum class Status
  {
    started,
    ok,
    failed,
    deferred,
    skipped
  };
  const core::Action* action = nullptr;
  Status status = Status::skipped;
  std::string error;
  double ms = 0;
  int attempts = 0;
  std::size_t completed = 0; // statements done, for an action that runs outside a transaction block
  long long archive_id = 0;  // its archive row, for an archive action
  long long history_id = 0;  // its history row, written as 'started' before such an action begins
  bool prepared = false;     // a create that moves rows in batches: its table was created (and recorded)
  long long moved = 0;       // rows it moved out of the default partition in batches
  int messages = 0;          // messages (round trips) it sent to the server, its history row's included
};

// How one parent ended.
struct ParentOutcome
{
  enum class Status
  {
    ok,
    failed,
    deferred,
    busy,
    unplannable,
    refused
  };
  const core::ParentPlan* plan = nullptr;
  Status status = Status::ok;
  std::vector<ActionOutcome> actions;
};

// Returns true for a lock_timeout or a deadlock (or Citus's report of one on a worker): worth a retry after a
// back-off.
bool is_lock_conflict(const pqxx::sql_error& e);

// Takes partman's advisory lock on each parent without waiting; returns the parents another run holds.
std::vector<TableName> lock_parents(pqxx::connection& conn, const std::vector<TableName>& parents);
// Releases the parent locks (lock_parents) this session holds, and no other advisory lock.
void unlock_parents(pqxx::connection& conn);

// Executes the plan of every parent not in `busy`, on `conn` and, with options.parallel > 1, on sessions
// from `more`; `report` is called (one call at a time) as each parent finishes. Returns outcomes in plan
// order.
std::vector<ParentOutcome> execute_plan(pqxx::connection& conn, const SessionFactory& more,
                                        const core::Plan& plan, const std::vector<TableName>& busy,
                                        const ExecutorOptions& options,
                                        const std::function<void(const ParentOutcome&)>& report);

// Returns "ok", "failed", "deferred" or "skipped".
const char* to_string(ActionOutcome::Status status);
// Returns "ok", "failed", "deferred", "busy" or "error".
const char* to_string(ParentOutcome::Status status);

} // namespace partman::db
