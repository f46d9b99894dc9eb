// A create whose rows of the new range move out of the default partition in batches before the attach,
// and what is left of one that failed.
#pragma once

#include <chrono>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "partman/core/plan.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/recorder.hpp"

namespace partman::db {

// Returns the SET LOCAL lock_timeout that an action taking ACCESS EXCLUSIVE on a parent or its default
// partition runs first in its transaction (none for the others, or without an exclusive timeout).
std::vector<std::string> timeout_statements(const core::Action& a, const ExecutorOptions& options);

// Runs the create behind `out` whose rows move in batches: first the new, unattached table and its
// 'started' history row, in one transaction (unless an earlier attempt or run made it); then batches of
// rows, each its own short transaction (by ctid, or by key range for a Citus table); then the rest of the
// action (its locks, the last rows, the attach) in one transaction that records it as done. A run killed
// in between leaves the table and its 'started' row, and the next run adopts the table.
void run_move(pqxx::connection& conn, const core::ParentPlan& parent, const Recorder& recorder,
              const ExecutorOptions& options, ActionOutcome& out,
              std::chrono::steady_clock::time_point started_at);

// Settles what a failed or deferred create that moves rows in batches left (`out.prepared`): its new table
// is dropped when it holds no row, and its 'started' history row is then closed with the action's error
// (`out.prepared` becomes false); a table that holds rows stays for the next run to adopt. Adds what was
// done to `out.error`. A failure to settle is logged and leaves both as they are.
void settle_failed_move(pqxx::connection& conn, ActionOutcome& out);

} // namespace partman::db
