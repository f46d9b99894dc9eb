#include "partman/run/maintenance.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "partman/archive/archiver.hpp"
#include "partman/core/clock.hpp"
#include "partman/core/fingerprint.hpp"
#include "partman/core/names.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/parent_properties.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/db/run_state.hpp"
#include "partman/db/session.hpp"
#include "partman/run/planning.hpp"

namespace partman::run {

namespace {

// The policies, catalog and plan of one run.
struct Planned
{
  std::vector<core::Policy> policies;
  std::vector<core::ParentSnapshot> snapshot;
  core::Plan plan;
  std::vector<db::TableName> busy;
};

// Reads policies and catalog and plans; with `lock`, first takes each parent's advisory lock; with
// `fingerprint`, also fingerprints the plan (which needs what every parent's new children must avoid).
Planned make_run_plan(pqxx::connection& conn, const RunRequest& request, const core::PlanOptions& guard,
                      const std::vector<std::string>& parents, core::Micros now, bool lock, bool fingerprint)
{
  db::require_schema(conn, request.schema);
  Planned out;
  out.policies = db::load_policies(conn, request.schema, db::resolve_tables(conn, parents));
  if (lock) {
    std::vector<db::TableName> names;
    for (const auto& p : out.policies)
      names.emplace_back(p.schema, p.table);
    out.busy = db::lock_parents(conn, names);
  }
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.history_schema = request.schema;
  catalog.partman_schema = request.schema;
  catalog.taken_names = fingerprint;
  auto planned = plan_catalog(tx, out.policies, now, guard, catalog);
  out.plan = std::move(planned.plan);
  db::estimate_moves(tx, request.schema, out.plan);
  if (fingerprint)
    out.plan.fingerprint = core::fingerprint(planned.snapshot, out.policies);
  out.snapshot = std::move(planned.snapshot);
  return out;
}

// Returns why `p` did not succeed, or "" when it did.
std::string outcome_error(const db::ParentOutcome& p)
{
  switch (p.status) {
  case db::ParentOutcome::Status::ok:
  case db::ParentOutcome::Status::busy:
    return {};
  case db::ParentOutcome::Status::unplannable:
    return p.plan->error;
  case db::ParentOutcome::Status::refused:
    return "refused: " + p.plan->refused;
  case db::ParentOutcome::Status::failed:
  case db::ParentOutcome::Status::deferred:
    break;
  }
  for (const auto& a : p.actions) {
    if (a.status == db::ActionOutcome::Status::failed || a.status == db::ActionOutcome::Status::deferred)
      return std::string(db::to_string(a.status)) + ": " + a.error;
  }
  return db::to_string(p.status);
}

// Returns how the run ended for each parent it worked on: a partition planned under its parent's level-2
// policy counts for that parent, and a parent another run holds (busy) is that run's to record.
std::vector<db::RunMark> run_marks(const std::vector<db::ParentOutcome>& parents)
{
  std::vector<db::RunMark> marks;
  std::map<std::string, std::size_t> index; // parent as SQL writes it -> its mark
  for (const auto& p : parents) {
    if (p.status == db::ParentOutcome::Status::busy)
      continue;
    const std::string error = outcome_error(p);
    if (!p.plan->partition_of.empty()) {
      const auto outer = index.find(p.plan->partition_of);
      if (outer != index.end() && marks[outer->second].error.empty())
        marks[outer->second].error = error;
      continue;
    }
    index.emplace(core::quote_qualified(p.plan->schema, p.plan->table), marks.size());
    marks.push_back({{p.plan->schema, p.plan->table}, error});
  }
  return marks;
}

// Records the run's marks in run_state; a failure to record is logged, not the run's failure.
void record_marks(pqxx::connection& conn, const std::string& schema,
                  const std::vector<db::ParentOutcome>& parents)
{
  try {
    db::record_run_state(conn, schema, run_marks(parents));
  } catch (const std::exception& e) {
    spdlog::warn("could not record the run in {}.run_state: {}", core::quote_ident(schema), e.what());
  }
}

} // namespace

core::PlanOptions judged_guard(const RunRequest& request, core::Micros now, bool from_host_clock,
                               const db::ServerFacts& facts, bool log)
{
  const core::ClockCheck clock = core::check_clock(now, from_host_clock, facts.server_now, facts.host_now);
  if (log && !clock.warning.empty())
    spdlog::warn("{}", clock.warning);
  core::PlanOptions guard = request.guard;
  if (!clock.refusal.empty())
    guard.hold_removals = clock.refusal;
  else if (request.window.zone && !request.window.open_at(now))
    guard.hold_removals = request.window.hold_reason();
  return guard;
}

db::SessionOptions session_options(const LockSettings& locks, bool read_only)
{
  db::SessionOptions options;
  options.lock_timeout = locks.lock_timeout;
  options.exclusive_lock_timeout = locks.exclusive_lock_timeout;
  options.read_only = read_only;
  return options;
}

void set_lock_options(db::ExecutorOptions& options, const LockSettings& locks)
{
  options.retries = locks.retries;
  options.exclusive_lock_timeout = locks.exclusive_lock_timeout;
  options.exclusive_retries = locks.exclusive_retries;
}

bool is_bad(db::ParentOutcome::Status status)
{
  switch (status) {
  case db::ParentOutcome::Status::ok:
  case db::ParentOutcome::Status::busy:
    return false;
  case db::ParentOutcome::Status::failed:
  case db::ParentOutcome::Status::deferred:
  case db::ParentOutcome::Status::unplannable:
  case db::ParentOutcome::Status::refused:
    return true;
  }
  return true;
}

bool PlanReport::complete() const
{
  for (const auto& p : plan.parents) {
    if (!p.error.empty() || (!p.refused.empty() && p.refused != window_hold))
      return false;
  }
  return true;
}

bool RunReport::complete() const
{
  return failed == 0;
}

PlanReport plan_database(const RunRequest& request)
{
  db::ServerFacts facts;
  auto conn = db::open_session(request.dsn, session_options(request.locks, true), &facts);
  const core::PlanOptions guard = judged_guard(request, request.now, request.now_from_clock, facts, true);
  PlanReport report;
  if (request.window.zone && guard.hold_removals == request.window.hold_reason())
    report.window_hold = guard.hold_removals;
  report.plan = make_run_plan(*conn, request, guard, request.parents, request.now, false, true).plan;
  return report;
}

namespace {

// Runs maintenance on `conn`; with `reopen`, a lost session is replaced by reopen() once and the catalog
// read and planned again, else the loss ends the run (pqxx::broken_connection). With `keep`, the policies
// and catalog planned from are moved there.
RunReport run_on(std::unique_ptr<pqxx::connection> owned, pqxx::connection* conn,
                 const db::ServerFacts& facts, const RunRequest& request, RunObserver& observer,
                 const std::function<std::unique_ptr<pqxx::connection>()>& reopen, KnownCatalog* keep)
{
  const auto started = std::chrono::steady_clock::now();
  const auto& saved = request.saved;
  RunReport report;
  report.at = saved ? saved->at : request.now;
  report.standby = facts.standby;
  if (report.standby)
    return report;
  const core::PlanOptions guard =
      judged_guard(request, report.at, !saved && request.now_from_clock, facts, true);
  if (request.window.zone && guard.hold_removals == request.window.hold_reason())
    report.window_hold = guard.hold_removals;
  observer.started(report.at);
  db::ExecutorOptions options;
  options.schema = request.schema;
  set_lock_options(options, request.locks);
  options.parallel = request.parallel;
  options.archive = [&request](pqxx::connection& c, long long id) {
    archive::run_archive(c, request.schema, id);
  };
  const auto heard = [&](const db::ParentOutcome& p) {
    const bool for_window = p.status == db::ParentOutcome::Status::refused && p.plan &&
                            !report.window_hold.empty() && p.plan->refused == report.window_hold;
    if (is_bad(p.status) && !for_window)
      ++report.failed;
    observer.parent_done(p);
  };
  const db::SessionOptions session = session_options(request.locks, false);
  for (int attempt = 1;; ++attempt) {
    try {
      if (attempt > 1) {
        owned = reopen();
        conn = owned.get();
      }
      Planned run = make_run_plan(*conn, request, guard, saved ? saved->parents : request.parents, report.at,
                                  true, saved.has_value());
      if (saved)
        check_saved_plan(*saved, run.plan);
      report.plan = std::make_unique<core::Plan>(std::move(run.plan));
      if (keep) {
        keep->policies = std::move(run.policies);
        keep->snapshot = std::move(run.snapshot);
      }
      report.failed = 0;
      report.parents = db::execute_plan(
          *conn, [&] { return db::open_session(request.dsn, session); }, *report.plan, run.busy, options,
          heard);
      break;
    } catch (const pqxx::broken_connection& e) {
      // What was in flight may or may not have committed: re-read the catalog and plan again rather than
      // repeat anything.
      if (saved || attempt > 1 || !reopen)
        throw;
      report.reconnected = e.what();
      observer.reconnecting(e.what());
    }
  }
  record_marks(*conn, request.schema, report.parents);
  db::unlock_parents(*conn);
  for (const auto& p : report.parents) {
    for (const auto& a : p.actions) {
      if (a.status == db::ActionOutcome::Status::ok)
        ++report.done[static_cast<std::size_t>(a.action->kind)];
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

} // namespace

RunReport run_maintenance(const RunRequest& request, RunObserver& observer)
{
  const db::SessionOptions session = session_options(request.locks, false);
  db::ServerFacts facts;
  auto conn = db::open_session(request.dsn, session, &facts);
  pqxx::connection* first = conn.get();
  return run_on(
      std::move(conn), first, facts, request, observer,
      [&] { return db::open_session(request.dsn, session); }, nullptr);
}

RunReport run_maintenance_on(pqxx::connection& conn, const db::ServerFacts& facts, const RunRequest& request,
                             RunObserver& observer, KnownCatalog* keep)
{
  return run_on(nullptr, &conn, facts, request, observer, nullptr, keep);
}

} // namespace partman::run
