// Renders a Plan for people (text), for psql (sql) and for machines (json).
#pragma once

#include <nlohmann/json_fwd.hpp>
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
// Returns the instant as RFC 3339 in UTC, e.g. "2026-11-25T04:20:00Z".
std::string iso_utc(Micros utc);
// Returns a bound or instant as JSON writes it (RFC 3339): "2026-11-25 00:00:00+01:00" (bound_text,
// format_instant) becomes "2026-11-25T00:00:00+01:00", a timestamp without time zone's
// "2026-11-25 00:00:00" becomes "2026-11-25T00:00:00"; dates, numbers and MINVALUE stay as they are.
std::string json_time(std::string text);
// Returns an action's bounds as JSON, {"from": ..., "to": ...} (json_time), or null for one without.
nlohmann::json bounds_json(const Action& action);
// Returns the keys that a parent has in every JSON document (plan, status, run) with the same meaning:
// parent, schema, table, level, partition_of, summary (the policy in a few words), status and error.
nlohmann::json parent_json(const std::string& schema, const std::string& table,
                           const std::string& partition_of, const std::string& summary,
                           const std::string& status, const std::string& error);

} // namespace partman::core
