#include "partman/worker/metrics.hpp"

#include <chrono>
#include <fstream>
#include <unistd.h>

#include "partman/core/plan.hpp"
#include "partman/worker/exposition.hpp"

namespace partman::worker {

namespace {

// Returns this process's resident memory in bytes (0 when /proc cannot say).
double resident_bytes()
{
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(statm >> pages >> resident))
    return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

constexpr std::array<core::ActionKind, 5> k_kinds{core::ActionKind::create, core::ActionKind::drop,
                                                  core::ActionKind::detach, core::ActionKind::finalize_detach,
                                                  core::ActionKind::archive};

void declare(Exposition& e)
{
  e.family("partman_up", "gauge", "1 when the last turn reached the database");
  e.family("partman_leader", "gauge", "1 when this worker holds the database's leader lock and maintains it");
  e.family("partman_standby", "gauge", "1 when the database's server is a standby (nothing is done there)");
  e.family("partman_last_success_timestamp_seconds", "gauge",
           "Unix time of the last run in which no parent failed (0: none since the worker started)");
  e.family("partman_last_run_duration_seconds", "gauge", "How long the last run took");
  e.family("partman_run_duration_seconds", "summary", "How long maintenance runs took");
  e.family("partman_runs_total", "counter", "Maintenance runs, by result (ok: no parent failed)");
  e.family("partman_quiet_runs_total", "counter",
           "Runs that found the catalog as the last run read it and nothing due, so read no more");
  e.family("partman_actions_applied_total", "counter", "Actions applied, by kind");
  e.family("partman_actions_failed_total", "counter", "Actions that failed, by kind");
  e.family("partman_lock_timeout_deferrals_total", "counter",
           "Actions deferred to the next run after their lock-timeout retries");
  e.family("partman_refused_removals_total", "counter",
           "Parents whose removals the guard refused (too many at once, or the clock)");
  e.family("partman_removals_waiting", "gauge",
           "1 when the last run held removals back until the removal window opens");
  e.family("partman_partitions_ahead", "gauge", "Partitions that start after now (RANGE parents)");
  e.family("partman_partitions_ahead_goal", "gauge",
           "The partitions ahead the parent's policy keeps (premake)");
  e.family("partman_partitions_missing", "gauge", "Partitions the next run would create");
  e.family("partman_default_partition_rows", "gauge",
           "Estimated rows in the parent's default partition (rows that fit no partition)");
  e.family("partman_archives_failed", "gauge", "The parent's archives in state failed");
  e.family("partman_archived_bytes", "gauge",
           "Bytes stored by the parent's archives whose partition was dropped");
  e.family("partman_parent_plan_error", "gauge", "1 when the parent cannot be planned");
  e.family("partman_removal_window_open", "gauge", "1 while removals may run (no window, or inside it)");
  e.family("partman_worker_cycles_total", "counter", "Loops of the worker's scheduler");
  e.family("partman_databases", "gauge", "Databases the worker maintains or watches");
  e.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes");
  e.family("process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds");
}

void database_samples(Exposition& e, const Database& db)
{
  const DatabaseStats& s = db.stats;
  const Labels labels{{"database", db.label}};
  e.sample("partman_up", labels, s.seen && s.last != Outcome::down);
  e.sample("partman_leader", labels, s.seen && s.last == Outcome::ran);
  e.sample("partman_standby", labels, s.seen && s.last == Outcome::standby);
  e.sample("partman_last_success_timestamp_seconds", labels, s.last_success);
  e.sample("partman_last_run_duration_seconds", labels, s.last_run_seconds);
  e.sample("partman_run_duration_seconds_sum", labels, s.run_seconds_sum);
  e.sample("partman_run_duration_seconds_count", labels, static_cast<double>(s.runs_ok + s.runs_failed));
  e.sample("partman_runs_total", {{"database", db.label}, {"result", "ok"}}, static_cast<double>(s.runs_ok));
  e.sample("partman_runs_total", {{"database", db.label}, {"result", "failed"}},
           static_cast<double>(s.runs_failed));
  e.sample("partman_quiet_runs_total", labels, static_cast<double>(s.quiet_turns));
  for (std::size_t k = 0; k < k_kinds.size(); ++k) {
    const Labels by_kind{{"database", db.label}, {"kind", core::to_string(k_kinds[k])}};
    e.sample("partman_actions_applied_total", by_kind, static_cast<double>(s.applied[k]));
    e.sample("partman_actions_failed_total", by_kind, static_cast<double>(s.failed[k]));
  }
  e.sample("partman_lock_timeout_deferrals_total", labels, static_cast<double>(s.deferrals));
  e.sample("partman_refused_removals_total", labels, static_cast<double>(s.refusals));
  e.sample("partman_removals_waiting", labels, s.removals_waiting);
  for (const auto& h : s.health) {
    const Labels parent{{"database", db.label}, {"parent", h.parent}};
    if (h.ahead) {
      e.sample("partman_partitions_ahead", parent, *h.ahead);
      e.sample("partman_partitions_ahead_goal", parent, h.premake);
    }
    e.sample("partman_partitions_missing", parent, static_cast<double>(h.missing));
    if (!h.default_name.empty() && h.default_rows >= 0)
      e.sample("partman_default_partition_rows", parent, static_cast<double>(h.default_rows));
    e.sample("partman_archives_failed", parent, static_cast<double>(h.run.failed_archives));
    e.sample("partman_archived_bytes", parent, static_cast<double>(h.run.archived_bytes));
    e.sample("partman_parent_plan_error", parent, !h.error.empty());
  }
}

} // namespace

void record_turn(DatabaseStats& stats, const JobResult& result)
{
  stats.seen = true;
  stats.last = result.outcome;
  stats.last_error = result.error;
  if (result.outcome != Outcome::ran)
    return;
  const run::RunReport& r = result.report;
  stats.last_run_seconds = r.seconds;
  stats.run_seconds_sum += r.seconds;
  stats.removals_waiting = result.removals_waiting;
  for (std::size_t k = 0; k < r.done.size(); ++k)
    stats.applied[k] += r.done[k];
  stats.refusals += result.refused;
  for (const auto& p : r.parents) {
    for (const auto& a : p.actions) {
      const auto k = static_cast<std::size_t>(a.action->kind);
      stats.failed[k] += a.status == db::ActionOutcome::Status::failed;
      stats.deferrals += a.status == db::ActionOutcome::Status::deferred;
    }
  }
  if (result.recorded)
    stats.recorded = std::chrono::steady_clock::now();
  stats.quiet_turns += result.quiet;
  if (result.health) {
    stats.health = result.health->parents;
    stats.health_read = std::chrono::steady_clock::now();
  }
  if (result.bad_parents == 0) {
    ++stats.runs_ok;
    stats.last_success = static_cast<double>(now_micros()) / 1e6;
  } else {
    ++stats.runs_failed;
  }
}

std::string render_metrics(const Fleet& fleet, const WorkerFacts& facts)
{
  Exposition e;
  declare(e);
  for (const auto& [key, db] : fleet) {
    if (db.stats.seen && db.stats.last == Outcome::not_installed)
      continue; // a discovered database without partman: not maintained
    database_samples(e, db);
  }
  e.sample("partman_removal_window_open", {}, facts.window_open);
  e.sample("partman_worker_cycles_total", {}, static_cast<double>(facts.cycles));
  e.sample("partman_databases", {}, static_cast<double>(fleet.size()));
  e.sample("process_resident_memory_bytes", {}, resident_bytes());
  e.sample("process_start_time_seconds", {}, facts.start_time);
  return e.text();
}

} // namespace partman::worker
