#include "partman/worker/metrics.hpp"

#include <array>
#include <chrono>
#include <fstream>
#include <optional>
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

// Adds `name`{database} = `value`.
void by_db(Exposition& e, std::string_view name, const Database& db, double value)
{
  e.sample(name, {{"database", db.label}}, value);
}

// Adds `name`{database, parent} for each parent with a health reading, when `value` gives one.
template <class Value> void by_parent(Exposition& e, std::string_view name, const Database& db, Value value)
{
  for (const auto& h : db.stats.health) {
    if (const std::optional<double> v = value(h))
      e.sample(name, {{"database", db.label}, {"parent", h.parent}}, *v);
  }
}

// Adds `name`{database, kind} for each kind of action, from `counts`.
void by_kind(Exposition& e, std::string_view name, const Database& db,
             const std::array<std::uint64_t, 5>& counts)
{
  for (std::size_t k = 0; k < k_kinds.size(); ++k)
    e.sample(name, {{"database", db.label}, {"kind", core::to_string(k_kinds[k])}},
             static_cast<double>(counts[k]));
}

// A family with one or more samples per database.
struct DatabaseFamily
{
  const char* name;
  const char* type;
  const char* help;
  void (*samples)(Exposition&, std::string_view name, const Database&);
};

using Health = core::ParentHealth;
using Maybe = std::optional<double>;

// The families of each database, in the order they are written; each family's samples of all databases
// come together.
const std::array<DatabaseFamily, 20> k_families{{
    {"partman_up", "gauge", "1 when the last turn reached the database",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, db.stats.seen && db.stats.last != Outcome::down);
     }},
    {"partman_leader", "gauge", "1 when this worker holds the database's leader lock and maintains it",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, db.stats.seen && db.stats.last == Outcome::ran);
     }},
    {"partman_standby", "gauge", "1 when the database's server is a standby (nothing is done there)",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, db.stats.seen && db.stats.last == Outcome::standby);
     }},
    {"partman_last_success_timestamp_seconds", "gauge",
     "Unix time of the last run in which no parent failed (0: none since the worker started)",
     [](Exposition& e, std::string_view n, const Database& db) { by_db(e, n, db, db.stats.last_success); }},
    {"partman_last_run_duration_seconds", "gauge", "How long the last run took",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, db.stats.last_run_seconds);
     }},
    {"partman_run_duration_seconds", "summary", "How long maintenance runs took",
     [](Exposition& e, std::string_view, const Database& db) {
       by_db(e, "partman_run_duration_seconds_sum", db, db.stats.run_seconds_sum);
       by_db(e, "partman_run_duration_seconds_count", db,
             static_cast<double>(db.stats.runs_ok + db.stats.runs_failed));
     }},
    {"partman_runs_total", "counter", "Maintenance runs, by result (ok: no parent failed)",
     [](Exposition& e, std::string_view n, const Database& db) {
       e.sample(n, {{"database", db.label}, {"result", "ok"}}, static_cast<double>(db.stats.runs_ok));
       e.sample(n, {{"database", db.label}, {"result", "failed"}}, static_cast<double>(db.stats.runs_failed));
     }},
    {"partman_quiet_runs_total", "counter",
     "Runs that found the catalog as the last run read it and nothing due, so read no more",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, static_cast<double>(db.stats.quiet_turns));
     }},
    {"partman_actions_applied_total", "counter", "Actions applied, by kind",
     [](Exposition& e, std::string_view n, const Database& db) { by_kind(e, n, db, db.stats.applied); }},
    {"partman_actions_failed_total", "counter", "Actions that failed, by kind",
     [](Exposition& e, std::string_view n, const Database& db) { by_kind(e, n, db, db.stats.failed); }},
    {"partman_lock_timeout_deferrals_total", "counter",
     "Actions deferred to the next run after their lock-timeout retries",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, static_cast<double>(db.stats.deferrals));
     }},
    {"partman_refused_removals_total", "counter",
     "Parents whose removals the guard refused (too many at once, or the clock)",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, static_cast<double>(db.stats.refusals));
     }},
    {"partman_removals_waiting", "gauge",
     "1 when the last run held removals back until the removal window opens",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_db(e, n, db, db.stats.removals_waiting);
     }},
    {"partman_partitions_ahead", "gauge", "Partitions that start after now (RANGE parents)",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) { return h.ahead ? Maybe(*h.ahead) : std::nullopt; });
     }},
    {"partman_partitions_ahead_goal", "gauge", "The partitions ahead the parent's policy keeps (premake)",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) { return h.ahead ? Maybe(h.premake) : std::nullopt; });
     }},
    {"partman_partitions_missing", "gauge", "Partitions the next run would create",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) { return Maybe(static_cast<double>(h.missing)); });
     }},
    {"partman_default_partition_rows", "gauge",
     "Estimated rows in the parent's default partition (rows that fit no partition)",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) {
         return !h.default_name.empty() && h.default_rows >= 0 ? Maybe(static_cast<double>(h.default_rows))
                                                               : std::nullopt;
       });
     }},
    {"partman_archives_failed", "gauge", "The parent's archives in state failed",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) { return Maybe(static_cast<double>(h.run.failed_archives)); });
     }},
    {"partman_archived_bytes", "gauge", "Bytes stored by the parent's archives whose partition was dropped",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) { return Maybe(static_cast<double>(h.run.archived_bytes)); });
     }},
    {"partman_parent_plan_error", "gauge", "1 when the parent cannot be planned",
     [](Exposition& e, std::string_view n, const Database& db) {
       by_parent(e, n, db, [](const Health& h) { return Maybe(h.error.empty() ? 0 : 1); });
     }},
}};

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

void render_metrics(const Fleet& fleet, const WorkerFacts& facts, const Exposition::Sink& sink)
{
  Exposition e(sink);
  for (const auto& f : k_families) {
    e.family(f.name, f.type, f.help);
    for (const auto& [key, db] : fleet) {
      if (db.stats.seen && db.stats.last == Outcome::not_installed)
        continue; // a discovered database without partman: not maintained
      f.samples(e, f.name, db);
    }
  }
  struct WorkerFamily
  {
    const char *name, *type, *help;
    double value;
  };
  const WorkerFamily worker_families[] = {
      {"partman_removal_window_open", "gauge", "1 while removals may run (no window, or inside it)",
       facts.window_open ? 1.0 : 0.0},
      {"partman_worker_cycles_total", "counter", "Loops of the worker's scheduler",
       static_cast<double>(facts.cycles)},
      {"partman_databases", "gauge", "Databases the worker maintains or watches",
       static_cast<double>(fleet.size())},
      {"process_resident_memory_bytes", "gauge", "Resident memory size in bytes", resident_bytes()},
      {"process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds",
       facts.start_time}};
  for (const auto& f : worker_families) {
    e.family(f.name, f.type, f.help);
    e.sample(f.name, {}, f.value);
  }
  e.finish();
}

} // namespace partman::worker
