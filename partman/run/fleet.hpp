// Several databases at once: one job per database on a bounded number of threads (each job opens its own
// connections), the outcome of each kept apart.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace partman::run {

// The work of one command on one database; writes what it has to say to `out`, returns an exit code and
// throws nothing (the caller turns its errors into codes).
using DatabaseJob = std::function<int(const std::string& dsn, std::ostream& out)>;

// How one database's job ended.
struct DatabaseOutcome
{
  std::string dsn;
  int exit_code = 0;
  std::string output;
};

// Runs `job` on every database in `dsns`, on up to `jobs` at once; returns the outcomes in `dsns` order.
std::vector<DatabaseOutcome> run_fleet(const std::vector<std::string>& dsns, int jobs,
                                       const DatabaseJob& job);

} // namespace partman::run
