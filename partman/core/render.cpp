#include "partman/core/render.hpp"

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "partman/core/citus.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/printable.hpp"

namespace partman::core {

namespace {

std::string parent_text(const ParentPlan& p)
{
  return quote_qualified(p.schema, p.table);
}

// Returns the policy of a parent's plan in a few words, and whose partition it is under a level-2 policy.
std::string policy_text(const ParentPlan& p)
{
  return p.partition_of.empty() ? p.summary : "a partition of " + p.partition_of + "; " + p.summary;
}

std::string action_target(const Action& a)
{
  return quote_qualified(a.schema, a.name);
}

// Returns `text` for a -- comment line: psql ends a comment at a newline or a carriage return, which a
// quoted identifier may hold, so each one starts a new comment line instead of a statement.
std::string comment(const std::string& text)
{
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r')
      out += "\n-- ";
    else
      out.push_back(c);
  }
  return out;
}

struct Counts
{
  std::size_t by_kind[5] = {0, 0, 0, 0, 0};
  std::size_t errors = 0;
  std::size_t refused = 0;
};

Counts count(const Plan& plan)
{
  Counts c;
  for (const auto& p : plan.parents) {
    if (!p.error.empty())
      ++c.errors;
    if (!p.refused.empty())
      ++c.refused;
    for (const auto& a : p.actions)
      ++c.by_kind[static_cast<int>(a.kind)];
  }
  return c;
}

// Returns what the executor does after an archive action's SQL, in words.
std::string archive_steps(const Action& a)
{
  return "export " + action_target(a) + " (COPY, zstd, SHA-256) to " + a.archive_to +
         ", read it back and verify checksum and rows, then DROP TABLE " + action_target(a);
}

// Returns what a create does with the default partition's rows of its range, in words.
std::string move_text(const Action& a)
{
  const DefaultMove& m = *a.move;
  const std::string def = quote_qualified(m.schema, m.name);
  std::string rows = m.estimated_rows < 0 ? "the rows of its range"
                     : m.estimated_rows <= 1
                         ? "the rows of its range (none or few expected)"
                         : "about " + std::to_string(m.estimated_rows) + " rows of its range (estimated)";
  if (m.resume)
    return "the rest of " + rows + " from " + def + ", in batches of " + std::to_string(m.batch_size) +
           " rows (each its own transaction), then the last ones inside the attach's transaction";
  if (m.batched)
    return rows + " from " + def + " into the new, not yet attached table, in batches of " +
           std::to_string(m.batch_size) + " rows (each its own transaction" +
           (m.key_ranges ? ", bounded by key ranges" : "") +
           "), then the last ones inside the attach's transaction";
  return rows + " from " + def + " into the new table inside the attach's transaction";
}

} // namespace

std::string list_literal(KeyType type, const std::string& value)
{
  const std::size_t digits = value.size() > 1 && value[0] == '-' ? 1 : 0;
  const bool number =
      value.size() > digits && value.find_first_not_of("0123456789", digits) == std::string::npos;
  return is_integer_key(type) && number ? value : quote_literal(value);
}

std::string values_text(KeyType type, const std::vector<std::string>& values)
{
  std::string out;
  for (const auto& v : values)
    out += (out.empty() ? "" : ", ") + list_literal(type, v);
  return out;
}

std::string iso_utc(Micros utc)
{
  const date::sys_time<std::chrono::microseconds> tp{std::chrono::microseconds{utc}};
  if (utc % k_micros_per_second == 0)
    return date::format("%FT%TZ", date::floor<std::chrono::seconds>(tp));
  return date::format("%FT%TZ", tp);
}

std::string json_time(std::string text)
{
  const auto digit = [&text](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() >= 19 && digit(0) && text[4] == '-' && text[7] == '-' && text[10] == ' ' && digit(11) &&
      text[13] == ':' && text[16] == ':')
    text[10] = 'T';
  return text;
}

nlohmann::json bounds_json(const Action& action)
{
  if (action.from.empty())
    return nullptr;
  return {{"from", json_time(action.from)}, {"to", json_time(action.to)}};
}

nlohmann::json parent_json(const std::string& schema, const std::string& table,
                           const std::string& partition_of, const std::string& summary,
                           const std::string& status, const std::string& error)
{
  return {{"parent", quote_qualified(schema, table)},
          {"schema", schema},
          {"table", table},
          {"level", partition_of.empty() ? 1 : 2},
          {"partition_of", partition_of.empty() ? nlohmann::json(nullptr) : nlohmann::json(partition_of)},
          {"summary", summary},
          {"status", status},
          {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}};
}

std::string render_text(const Plan& plan)
{
  // Names, values and messages from the catalog go into lines that append_line escapes for the terminal.
  std::string out;
  append_line(out, "Plan at " + iso_utc(plan.at));
  for (const auto& p : plan.parents) {
    out += "\n";
    append_line(out, parent_text(p) + " (" + policy_text(p) + ")");
    if (!p.distributed.empty())
      append_line(out, "  " + p.distributed + ": " + k_citus_differences);
    if (!p.error.empty())
      append_line(out, "  ! error: " + p.error);
    else if (p.actions.empty())
      append_line(out, "  nothing to do");
    if (!p.refused.empty())
      append_line(out, "  ! refused: " + p.refused);
    for (const auto& a : p.actions) {
      std::string head = "  " + std::string(a.kind == ActionKind::create ? "+ " : "- ") + to_string(a.kind) +
                         " " + action_target(a);
      if (!a.from.empty())
        head += " [" + a.from + ", " + a.to + ")";
      if (!a.values.empty())
        head += " IN (" + values_text(a.value_type, a.values) + ")";
      append_line(out, head);
      append_line(out, "      " + a.reason);
      append_line(out, "      locks: " + std::string(a.locks) +
                           (a.exclusive ? "; waits for them at most the exclusive lock timeout" : ""));
      if (a.move)
        append_line(out, "      moves: " + move_text(a));
      if (!a.archive_to.empty())
        append_line(out, "      then: " + archive_steps(a));
    }
    for (const auto& n : p.notes)
      append_line(out, "  ! " + std::string(to_string(n.level)) + ": " + n.message);
  }
  const Counts c = count(plan);
  std::string total = std::to_string(c.by_kind[0]) + " to create, " + std::to_string(c.by_kind[1]) +
                      " to drop, " + std::to_string(c.by_kind[2]) + " to detach, " +
                      std::to_string(c.by_kind[3]) + " to finalize";
  if (c.by_kind[4] > 0)
    total += ", " + std::to_string(c.by_kind[4]) + " to archive";
  total += ", over " + std::to_string(plan.parents.size()) + " parent(s)";
  if (c.errors > 0)
    total += "; " + std::to_string(c.errors) + " parent(s) cannot be planned";
  if (c.refused > 0)
    total += "; " + std::to_string(c.refused) + " parent(s) refused (see --force)";
  out += "\n";
  append_line(out, total);
  return out;
}

std::string render_sql(const Plan& plan, const std::string& lock_timeout,
                       const std::string& exclusive_lock_timeout)
{
  std::string out = "-- partman " PARTMAN_VERSION " plan at " + iso_utc(plan.at) +
                    "\n-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE\n"
                    "SET lock_timeout = " +
                    quote_literal(lock_timeout) + ";\nSET standard_conforming_strings = on;\n";
  for (const auto& p : plan.parents) {
    out += "\n-- " + comment(parent_text(p) + " (" + policy_text(p) + ")") + "\n";
    if (!p.distributed.empty())
      out += "-- " + comment(p.distributed + ": " + k_citus_differences) + "\n";
    if (!p.error.empty())
      out += "-- error: " + comment(p.error) + "\n";
    for (const auto& n : p.notes)
      out += "-- " + std::string(to_string(n.level)) + ": " + comment(n.message) + "\n";
    if (!p.refused.empty())
      out += "-- refused, so its removals are left out: " + comment(p.refused) + "\n";
    for (const auto& a : p.actions) {
      if (!p.refused.empty() && !applies_when_refused(a))
        continue;
      out +=
          "-- " + std::string(to_string(a.kind)) + " " + comment(action_target(a) + ": " + a.reason) + "\n";
      if (a.move)
        out += "-- moves " + comment(move_text(a)) +
               "\n-- (run from psql, this script moves them all inside the one transaction below)\n";
      if (a.transactional && !a.sql.empty())
        out += "BEGIN;\n";
      out += exclusive_timeout_sql(a, exclusive_lock_timeout);
      for (const auto& s : a.sql)
        out += s + ";\n";
      if (a.transactional && !a.sql.empty())
        out += "COMMIT;\n";
      if (!a.archive_to.empty())
        out += "-- then partman, not psql: " + comment(archive_steps(a)) +
               "\n-- (run from psql, this script leaves the table detached and in place)\n";
    }
  }
  return out;
}

std::string render_json(const Plan& plan)
{
  nlohmann::json parents = nlohmann::json::array();
  for (const auto& p : plan.parents) {
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& a : p.actions) {
      actions.push_back(
          {{"action", to_string(a.kind)},
           {"partition", action_target(a)},
           {"schema", a.schema},
           {"name", a.name},
           {"bounds", bounds_json(a)},
           {"values", a.values.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.values)},
           {"sql", a.sql},
           {"transaction", a.transactional},
           {"per_statement", a.per_statement},
           {"locks", std::string(a.locks)},
           {"exclusive", a.exclusive},
           {"reason", a.reason},
           {"move", a.move ? nlohmann::json{{"from", quote_qualified(a.move->schema, a.move->name)},
                                            {"estimated_rows", a.move->estimated_rows < 0
                                                                   ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(a.move->estimated_rows)},
                                            {"batched", a.move->batched},
                                            {"batch_size", a.move->batch_size},
                                            {"batch_sql", a.move->batch_sql},
                                            {"batches_by", a.move->key_ranges ? "key range" : "ctid"},
                                            {"resumes", a.move->resume}}
                           : nlohmann::json(nullptr)},
           {"sub_partitions", a.kind == ActionKind::create && !a.sub_partitions.empty()
                                  ? nlohmann::json(a.sub_partitions)
                                  : nlohmann::json(nullptr)},
           {"archive", a.archive_to.empty()
                           ? nlohmann::json(nullptr)
                           : nlohmann::json{{"to", a.archive_to},
                                            {"resumes", a.archive_id != 0 ? nlohmann::json(a.archive_id)
                                                                          : nlohmann::json(nullptr)}}}});
    }
    nlohmann::json notes = nlohmann::json::array();
    for (const auto& n : p.notes)
      notes.push_back({{"level", to_string(n.level)}, {"message", n.message}});
    nlohmann::json parent = parent_json(p.schema, p.table, p.partition_of, p.summary,
                                        !p.error.empty()     ? "error"
                                        : !p.refused.empty() ? "refused"
                                                             : "ok",
                                        p.error);
    parent["policy"] = p.summary; // version 1's name of "summary"
    parent["refused"] = p.refused.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.refused);
    parent["distributed"] = p.distributed.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.distributed);
    parent["actions"] = actions;
    parent["notes"] = notes;
    parents.push_back(parent);
  }
  nlohmann::json doc = {{"format", "partman-plan"},
                        {"version", k_plan_json_version},
                        {"partman_version", PARTMAN_VERSION},
                        {"at", iso_utc(plan.at)},
                        {"parents", parents}};
  if (!plan.fingerprint.empty())
    doc["fingerprint"] = plan.fingerprint;
  return doc.dump(2) + "\n";
}

} // namespace partman::core
