// Benchmark of the pure planner (a figure, not a test): N parents with M daily partitions each, planned in
// memory by core::make_plan. Prints the plan time (best of 5) and the process's peak resident memory.
// Target: 1,000 parents x 1,000 partitions planned in under 100 ms with peak memory under 200 MB.
// Usage: planner_bench [PARENTS [PARTITIONS]]     (default 1000 1000; tests/bench/planner.sh builds and runs
// it)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"

namespace core = partman::core;

namespace {

// Returns the peak resident memory of the process so far, in MB (ru_maxrss is in KiB on Linux).
double peak_rss_mb()
{
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// Returns the current resident memory in MB (from /proc/self/statm), or -1 when it cannot be read.
double current_rss_mb()
{
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f)
    return -1;
  long pages = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  if (n != 2)
    return -1;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Returns the heap bytes a string holds beyond its own object (0 when it fits the small-string buffer).
std::size_t heap_bytes(const std::string& s)
{
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

// Returns an estimate of the bytes the snapshot holds: objects, vectors and string buffers.
std::size_t snapshot_bytes(const std::vector<core::ParentSnapshot>& parents)
{
  std::size_t n = parents.capacity() * sizeof(core::ParentSnapshot);
  for (const auto& p : parents) {
    n += heap_bytes(p.schema) + heap_bytes(p.table) + heap_bytes(p.key_column) + heap_bytes(p.key_type_name);
    n += p.children.capacity() * sizeof(core::Child);
    for (const auto& c : p.children)
      n += heap_bytes(c.schema) + heap_bytes(c.name);
    n += p.taken_names.capacity() * sizeof(std::string);
  }
  return n;
}

} // namespace

int main(int argc, char** argv)
{
  const int n_parents = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int n_children = argc > 2 ? std::atoi(argv[2]) : 1000;
  if (n_parents <= 0 || n_children <= 0) {
    std::fprintf(stderr, "usage: planner_bench [PARENTS [PARTITIONS]]\n");
    return 2;
  }
  const double rss_start = current_rss_mb();
  const double peak_start = peak_rss_mb();

  const auto daily = core::parse_partition_interval("daily");
  if (!daily) {
    std::fprintf(stderr, "cannot parse the interval\n");
    return 1;
  }
  const core::Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  // The partitions end 10 days ahead of today (UTC).
  const std::int64_t today = core::floor_div(now, core::k_micros_per_day);
  const std::int64_t first_day = today + 10 - (n_children - 1);

  std::vector<core::ParentSnapshot> parents;
  parents.reserve(n_parents);
  for (int i = 0; i < n_parents; ++i) {
    const std::string table = "ev_" + std::to_string(i);
    core::ParentSnapshot p;
    p.schema = "public";
    p.table = table;
    p.exists = true;
    p.partitioned = true;
    p.strategy = core::Strategy::range;
    p.key_count = 1;
    p.key_column = "ts";
    p.key_type_name = "timestamp with time zone";
    p.key_type = core::KeyType::timestamptz;
    p.children.reserve(n_children);
    for (int d = 0; d < n_children; ++d) {
      const core::Micros lo = (first_day + d) * core::k_micros_per_day;
      core::Child c;
      c.schema = "public";
      c.name = core::child_name(table, core::partition_suffix(*daily, lo));
      c.lower = lo;
      c.upper = lo + core::k_micros_per_day;
      c.estimated_rows = 1000;
      c.bytes = 8192 * 16;
      p.children.push_back(std::move(c));
    }
    parents.push_back(std::move(p));
  }
  const double rss_snapshot = current_rss_mb();
  const double peak_snapshot = peak_rss_mb();
  std::size_t partitions = 0;
  for (const auto& p : parents)
    partitions += p.children.size();
  std::printf("planner benchmark (core::make_plan, in memory, best of 5): %d parents, %zu partitions\n",
              n_parents, partitions);
  std::printf("  snapshot built          %.1f MB peak, %.1f MB resident (+%.1f MB over start; about %.1f MB "
              "of objects and strings)\n",
              peak_snapshot, rss_snapshot, rss_snapshot - rss_start,
              static_cast<double>(snapshot_bytes(parents)) / (1024.0 * 1024.0));

  // nightly: what a nightly run sees (1 create and 1 drop per parent); heavy: a retention cut by 90 days.
  std::size_t errors = 0;
  for (const auto& [name, premake, retention_text] :
       {std::tuple{"nightly", 11, "988 days"}, std::tuple{"heavy", 14, "900 days"}}) {
    const auto retention = core::parse_period(retention_text);
    std::vector<core::Policy> policies;
    policies.reserve(parents.size());
    for (const auto& parent : parents) {
      core::Policy pol;
      pol.schema = "public";
      pol.table = parent.table;
      pol.interval = *daily;
      pol.premake = premake;
      pol.retention = *retention;
      pol.retention_action = core::RetentionAction::drop;
      pol.timezone = core::NamedZone("UTC");
      policies.push_back(std::move(pol));
    }
    const core::PlanOptions force{50, true};
    double best_ms = 0;
    std::size_t actions = 0, creates = 0, drops = 0;
    for (int run = 0; run < 5; ++run) {
      const auto t0 = std::chrono::steady_clock::now();
      const core::Plan plan = core::make_plan(parents, policies, now, force);
      const auto t1 = std::chrono::steady_clock::now();
      const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
      if (run == 0 || ms < best_ms)
        best_ms = ms;
      actions = plan.action_count();
      creates = drops = errors = 0;
      for (const auto& pp : plan.parents) {
        errors += !pp.error.empty();
        for (const auto& a : pp.actions) {
          creates += a.kind == core::ActionKind::create;
          drops += a.kind == core::ActionKind::drop;
        }
      }
    }
    std::printf("  %-8s premake %d, retention %s: %zu actions (%zu create, %zu drop), plan %.1f ms "
                "(target < 100 ms), peak memory %.1f MB (target < 200 MB)\n",
                name, premake, retention_text, actions, creates, drops, best_ms, peak_rss_mb());
  }
  (void)peak_start;
  return errors == 0 ? 0 : 1;
}
