#include "partman/run/fleet.hpp"

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

#include "partman/core/errors.hpp"

namespace partman::run {

std::vector<DatabaseOutcome> run_fleet(const std::vector<std::string>& dsns, int jobs, const DatabaseJob& job)
{
  std::vector<DatabaseOutcome> out(dsns.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < dsns.size(); i = next++) {
      std::ostringstream text;
      out[i].dsn = dsns[i];
      out[i].exit_code = job(dsns[i], text);
      out[i].output = text.str();
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(jobs, 1), dsns.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back(worker);
  for (auto& t : pool)
    t.join();
  return out;
}

int fleet_exit_code(const std::vector<DatabaseOutcome>& outcomes)
{
  const auto failed = static_cast<std::size_t>(std::count_if(
      outcomes.begin(), outcomes.end(), [](const auto& o) { return o.exit_code != k_exit_ok; }));
  if (failed == 0)
    return k_exit_ok;
  if (failed == outcomes.size() && std::all_of(outcomes.begin(), outcomes.end(), [&](const auto& o) {
        return o.exit_code == outcomes.front().exit_code;
      }))
    return outcomes.front().exit_code;
  return k_exit_partial;
}

} // namespace partman::run
