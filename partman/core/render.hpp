// Renders a Plan for people (text), for psql (sql) and for machines (json).
#pragma once

#include <string>

#include "partman/core/plan.hpp"

namespace partman::core {

// The output formats of `plan`.
enum class PlanFormat
{
  text,
  sql,
  json
};

// The version of the JSON plan document; raised when a field changes meaning or goes away.
constexpr int k_plan_json_version = 1;

// Returns the plan as readable text with a reason per action; control characters in names, values and
// messages are escaped (printable), as in all text output.
std::string render_text(const Plan& plan);
// Returns a psql script that runs the plan's statements, each action in its own transaction, under
// `lock_timeout`, and those that take ACCESS EXCLUSIVE on a parent or its default partition under
// `exclusive_lock_timeout`.
std::string render_sql(const Plan& plan, const std::string& lock_timeout,
                       const std::string& exclusive_lock_timeout);
// Returns the plan as a versioned JSON document.
std::string render_json(const Plan& plan);
// Returns a LIST value as SQL for a key of `type`: integers as they are, everything else quoted.
std::string list_literal(KeyType type, const std::string& value);
// Returns LIST values as SQL literals for a key of `type`, "'a', 'b'" or "5, 7" (for people and for SQL).
std::string values_text(KeyType type, const std::vector<std::string>& values);
// Returns the instant as ISO 8601 UTC, e.g. "2026-11-25T04:20:00Z".
std::string iso_utc(Micros utc);

} // namespace partman::core
