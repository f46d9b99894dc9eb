// Machine-readable reports: a maintenance run as one JSON document, several databases as one document.
#pragma once

#include <string>
#include <vector>

#include "partman/run/fleet.hpp"
#include "partman/run/maintenance.hpp"

namespace partman::cli {

// The version of the run report's JSON document; raised when a key changes meaning or goes away.
constexpr int k_run_json_version = 1;

// Returns the report of `apply` as one JSON document: when, how long, counts per action kind, and each
// parent with its status and its actions (status, duration, attempts, error).
std::string render_run_json(const run::RunReport& report);
// Returns the outcomes of several databases as one JSON document: each database's connection (never its
// password), exit code, and its report (the command's own JSON) or its error.
std::string render_fleet_json(const std::vector<run::DatabaseOutcome>& outcomes, int exit_code);

} // namespace partman::cli
