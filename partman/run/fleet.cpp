#include "partman/run/fleet.hpp"

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

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

} // namespace partman::run
