// The databases the worker maintains: those configured, and those found on the servers it discovers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "partman/worker/config.hpp"

namespace partman::worker {

// Returns the configured databases: `dsn` entries, then the lines of `dsn_file` (UsageError when it cannot
// be read).
std::vector<std::string> configured_databases(const WorkerConfig& config);
// Returns the conninfo of every database of the server `server` (a conninfo) that accepts connections
// and is no template: `server` with its dbname replaced. Throws ConnectionError when the server cannot be
// reached.
std::vector<std::string> discover_databases(const std::string& server);

} // namespace partman::worker
