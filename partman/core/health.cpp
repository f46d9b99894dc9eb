#include "partman/core/health.hpp"

#include <algorithm>

namespace partman::core {

const char* to_string(HealthLevel level)
{
  switch (level) {
  case HealthLevel::ok:
    return "OK";
  case HealthLevel::warning:
    return "WARNING";
  case HealthLevel::critical:
    return "CRITICAL";
  case HealthLevel::unknown:
    return "UNKNOWN";
  }
  return "UNKNOWN";
}

int ahead_limit(int limit, int premake)
{
  return std::min(limit, premake);
}

std::string age_text(Micros age)
{
  const Micros seconds = std::max<Micros>(age, 0) / k_micros_per_second;
  if (seconds < 120)
    return std::to_string(seconds) + " s";
  if (seconds < 120 * 60)
    return std::to_string(seconds / 60) + " min";
  if (seconds < 48 * 3600)
    return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " days";
}

std::vector<Finding> judge_health(const ParentHealth& parent, const HealthLimits& limits, Micros now)
{
  std::vector<Finding> out;
  const auto add = [&](HealthLevel level, std::string message) {
    out.push_back({level, parent.parent, std::move(message)});
  };
  if (!parent.error.empty())
    add(HealthLevel::critical, "cannot be planned: " + parent.error);
  if (parent.error.empty() && parent.ahead) {
    const int ahead = *parent.ahead;
    const int critical = ahead_limit(limits.critical, parent.premake);
    const int warning = ahead_limit(limits.warning, parent.premake);
    const std::string figure = std::to_string(ahead) + " partition(s) ahead of now";
    if (ahead < critical)
      add(HealthLevel::critical, figure + ", fewer than " + std::to_string(critical));
    else if (ahead < warning)
      add(HealthLevel::warning, figure + ", fewer than " + std::to_string(warning));
  }
  const std::string last_error =
      parent.run.last_error.empty() ? "" : "; last error: " + parent.run.last_error;
  if (!parent.run.last_success)
    add(HealthLevel::critical, "no successful run recorded" + last_error);
  else if (now - *parent.run.last_success > limits.max_age)
    add(HealthLevel::critical, "last successful run " + age_text(now - *parent.run.last_success) +
                                   " ago, more than " + age_text(limits.max_age) + last_error);
  if (parent.run.failed_archives > 0)
    add(HealthLevel::critical, std::to_string(parent.run.failed_archives) + " failed archive(s)");
  if (parent.default_rows > limits.max_default_rows)
    add(HealthLevel::warning, "about " + std::to_string(parent.default_rows) +
                                  " row(s) in default partition " + parent.default_name + ", more than " +
                                  std::to_string(limits.max_default_rows));
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.level > b.level; });
  return out;
}

} // namespace partman::core
