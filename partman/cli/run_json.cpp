#include "partman/cli/run_json.hpp"

#include <nlohmann/json.hpp>

#include "partman/cli/exit_codes.hpp"
#include "partman/core/names.hpp"
#include "partman/core/render.hpp"
#include "partman/core/timepoint.hpp"
#include "partman/db/session.hpp"

namespace partman::cli {

namespace {

nlohmann::json text_or_null(const std::string& text)
{
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json action_json(const db::ActionOutcome& a)
{
  return {{"action", core::to_string(a.action->kind)},
          {"partition", core::quote_qualified(a.action->schema, a.action->name)},
          {"bounds", core::bounds_json(*a.action)},
          {"status", db::to_string(a.status)},
          {"ms", a.ms},
          {"attempts", a.attempts},
          {"messages", a.messages},
          {"error", text_or_null(a.error)},
          {"archive_id", a.archive_id != 0 ? nlohmann::json(a.archive_id) : nlohmann::json(nullptr)},
          {"moved_rows", a.moved}};
}

} // namespace

std::string render_run_json(const run::RunReport& report)
{
  nlohmann::json parents = nlohmann::json::array();
  for (const auto& p : report.parents) {
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& a : p.actions)
      actions.push_back(action_json(a));
    nlohmann::json parent = core::parent_json(p.plan->schema, p.plan->table, p.plan->partition_of,
                                              p.plan->summary, db::to_string(p.status), p.plan->error);
    parent["refused"] = text_or_null(p.plan->refused);
    parent["actions"] = actions;
    parents.push_back(parent);
  }
  const auto& d = report.done;
  const nlohmann::json doc = {
      {"format", "partman-run"},
      {"version", k_run_json_version},
      {"partman_version", PARTMAN_VERSION},
      {"at", core::iso_utc(report.at)},
      {"standby", report.standby},
      {"seconds", report.seconds},
      {"reconnected", text_or_null(report.reconnected)},
      {"done",
       {{"created", d[0]}, {"dropped", d[1]}, {"detached", d[2]}, {"finalized", d[3]}, {"archived", d[4]}}},
      {"failed_parents", report.failed},
      {"parents", parents},
      {"exit_code", exit_code_of(report)}};
  return doc.dump(2) + "\n";
}

std::string render_fleet_json(const std::vector<run::DatabaseOutcome>& outcomes, int exit_code)
{
  const std::string prefix = "partman: error: ";
  nlohmann::json databases = nlohmann::json::array();
  for (const auto& o : outcomes) {
    nlohmann::json report = nlohmann::json::parse(o.output, nullptr, false);
    std::string error;
    if (report.is_discarded()) {
      report = nullptr;
      error = o.output;
      if (error.rfind(prefix, 0) == 0)
        error.erase(0, prefix.size());
      while (!error.empty() && error.back() == '\n')
        error.pop_back();
    }
    databases.push_back({{"database", db::describe_dsn(o.dsn)},
                         {"exit_code", o.exit_code},
                         {"report", report},
                         {"error", text_or_null(error)}});
  }
  const nlohmann::json doc = {{"format", "partman-fleet"},
                              {"version", k_run_json_version},
                              {"databases", databases},
                              {"exit_code", exit_code}};
  return doc.dump(2) + "\n";
}

} // namespace partman::cli
