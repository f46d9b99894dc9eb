// Per-parent health for monitoring (partman check, the worker's metrics): the figures, and how they are
// judged against limits. Pure: the figures are read by run/health.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "partman/core/interval.hpp"
#include "partman/core/policy.hpp"

namespace partman::core {

// What partman's run_state and archive tables say about one parent.
struct RunRecord
{
  std::optional<Micros> last_run;     // when a run last worked on it (UTC); none: no run recorded
  std::optional<Micros> last_success; // when a run last succeeded for it; none: none did
  std::string last_error;             // the last run's error; empty when it succeeded
  std::int64_t failed_archives = 0;   // its archives in state 'failed'
  std::int64_t archived_bytes = 0;    // the bytes stored by its archives whose partition was dropped
};

// The health of one managed parent at one instant.
struct ParentHealth
{
  std::string parent; // as SQL writes it
  Shape shape = Shape::time;
  std::string error;              // why it cannot be planned; its partitions are then not judged
  int premake = 0;                // the partitions ahead its policy keeps (RANGE shapes)
  std::optional<int> ahead;       // RANGE shapes: partitions that start after now (integer keys: after the
                                  // largest value); none for LIST
  std::size_t missing = 0;        // partitions the next apply would create (those of a level-2 policy too)
  std::string default_name;       // its default partition as SQL writes it; empty: none
  std::int64_t default_rows = -1; // the default partition's estimated rows; -1: unknown or none
  RunRecord run;
};

// How bad something is, in the order of Nagios's exit codes.
enum class HealthLevel
{
  ok = 0,
  warning = 1,
  critical = 2,
  unknown = 3
};

// The limits a parent is judged against.
struct HealthLimits
{
  int warning = 2;  // WARNING when fewer partitions are ahead (at most its premake)
  int critical = 1; // CRITICAL when fewer partitions are ahead (at most its premake)
  Micros max_age = 26 * 60 * k_micros_per_minute; // CRITICAL when the last successful run is older
  std::int64_t max_default_rows = 0; // WARNING when a default partition holds more rows (estimated)
};

// One thing found wrong with a parent.
struct Finding
{
  HealthLevel level = HealthLevel::warning;
  std::string parent;  // as SQL writes it
  std::string message; // for people, without the parent's name
};

// Returns "OK", "WARNING", "CRITICAL" or "UNKNOWN".
const char* to_string(HealthLevel level);
// Returns the limit of partitions ahead that `limit` gives a parent with `premake`: the smaller of the two.
int ahead_limit(int limit, int premake);
// Returns what is wrong with `parent` at instant `now` under `limits`, the worst first; empty: nothing.
std::vector<Finding> judge_health(const ParentHealth& parent, const HealthLimits& limits, Micros now);
// Returns a length of time for people: "45 s", "12 min", "30 h", "3 days".
std::string age_text(Micros age);

} // namespace partman::core
