#include "partman/run/saved_plan.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "partman/core/errors.hpp"
#include "partman/core/render.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::run {

void write_plan_file(const std::string& path, const std::string& text)
{
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
    f.flush();
    if (!f)
      throw UsageError("--out: cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw UsageError("--out: cannot rename '" + tmp + "' to '" + path + "'");
}

SavedPlan read_saved_plan(const std::string& path)
{
  std::ifstream f(path);
  if (!f)
    throw UsageError("--plan: cannot read '" + path + "'");
  SavedPlan saved;
  saved.path = path;
  try {
    const auto doc = nlohmann::json::parse(f);
    if (doc.at("format") != "partman-plan" || doc.at("version") != core::k_plan_json_version)
      throw UsageError("--plan: '" + path + "' is not a partman plan of version " +
                       std::to_string(core::k_plan_json_version));
    if (!doc.contains("fingerprint"))
      throw UsageError("--plan: '" + path +
                       "' has no fingerprint; HINT: save plans with 'partman plan --out FILE'");
    saved.fingerprint = doc.at("fingerprint").get<std::string>();
    auto at = core::parse_instant(doc.at("at").get<std::string>(), *core::find_zone("UTC"));
    if (!at)
      throw UsageError("--plan: " + at.error());
    saved.at = *at;
    for (const auto& p : doc.at("parents")) {
      saved.parents.push_back(p.at("parent").get<std::string>());
      for (const auto& a : p.at("actions"))
        saved.sql.push_back(a.at("sql").get<std::vector<std::string>>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("--plan: '" + path + "' is not a valid plan: " + e.what());
  }
  return saved;
}

void check_saved_plan(const SavedPlan& saved, const core::Plan& plan)
{
  const char* hint = "; HINT: make and review a new plan with 'partman plan --out FILE'";
  if (plan.fingerprint != saved.fingerprint)
    throw UsageError("--plan: the catalog or a policy has changed since '" + saved.path + "' was made" +
                     hint);
  std::size_t i = 0;
  bool same = true;
  for (const auto& p : plan.parents) {
    for (const auto& a : p.actions) {
      same = same && i < saved.sql.size() && saved.sql[i] == a.sql;
      ++i;
    }
  }
  if (!same || i != saved.sql.size())
    throw UsageError("--plan: '" + saved.path + "' does not hold the actions this partman computes from it" +
                     hint);
}

} // namespace partman::run
