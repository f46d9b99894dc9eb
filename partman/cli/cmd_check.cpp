// partman check: a Nagios/Icinga plugin. One status line with performance data; exit 0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN (this command's own codes, not the table of the other commands).
#include <algorithm>
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/printable.hpp"
#include "partman/db/session.hpp"
#include "partman/run/health.hpp"

namespace partman::cli {

namespace {

struct CheckArgs
{
  std::vector<std::string> parents;
  int warning = core::HealthLimits{}.warning;
  int critical = core::HealthLimits{}.critical;
  std::string max_age = "26 hours";
  std::int64_t max_default_rows = core::HealthLimits{}.max_default_rows;
};

// Returns how much worse `level` is than the others, for the overall state: CRITICAL above UNKNOWN above
// WARNING above OK.
int rank(core::HealthLevel level)
{
  switch (level) {
  case core::HealthLevel::ok:
    return 0;
  case core::HealthLevel::warning:
    return 1;
  case core::HealthLevel::unknown:
    return 2;
  case core::HealthLevel::critical:
    return 3;
  }
  return 2;
}

// Returns `text` fit for the status line: printable, with no '|' (which starts the performance data).
std::string status_text(const std::string& text)
{
  std::string out = core::printable(text);
  std::replace(out.begin(), out.end(), '|', '/');
  return out;
}

// Returns one performance datum: 'label'=value;warn;crit;min;max, the label quoted as Nagios reads it.
std::string perf(const std::string& label, const std::string& value, const std::string& rest)
{
  std::string quoted;
  for (char c : core::printable(label)) {
    if (c == '\'')
      quoted += "''";
    else
      quoted += c == '=' ? '_' : c;
  }
  return " '" + quoted + "'=" + value + rest;
}

// Appends the performance data of `h` to `out`, its labels starting with `prefix`.
void append_perf(std::string& out, const std::string& prefix, const core::ParentHealth& h,
                 const core::HealthLimits& limits, core::Micros now)
{
  const std::string name = prefix + h.parent;
  if (h.ahead)
    out += perf(name + " ahead", std::to_string(*h.ahead),
                ";" + std::to_string(core::ahead_limit(limits.warning, h.premake)) + ":;" +
                    std::to_string(core::ahead_limit(limits.critical, h.premake)) + ":;0;" +
                    std::to_string(h.premake));
  out += perf(name + " missing", std::to_string(h.missing), ";;;0;");
  if (!h.default_name.empty() && h.default_rows >= 0)
    out += perf(name + " default_rows", std::to_string(h.default_rows),
                ";" + std::to_string(limits.max_default_rows) + ";;0;");
  if (h.run.last_success)
    out += perf(name + " last_success_age", std::to_string((now - *h.run.last_success) / 1000000) + "s",
                ";;" + std::to_string(limits.max_age / 1000000) + ";0;");
  out += perf(name + " failed_archives", std::to_string(h.run.failed_archives), ";;0;0;");
}

// Returns the limits of `args`; UsageError for values that contradict each other or cannot be read.
core::HealthLimits limits_of(const CheckArgs& args)
{
  core::HealthLimits limits;
  limits.warning = args.warning;
  limits.critical = args.critical;
  limits.max_default_rows = args.max_default_rows;
  if (limits.critical > limits.warning)
    throw UsageError("--critical " + std::to_string(limits.critical) + " is above --warning " +
                     std::to_string(limits.warning) +
                     "; HINT: fewer partitions ahead is worse: give --critical at most --warning");
  const auto age = core::parse_period(args.max_age);
  if (!age)
    throw UsageError("--max-age: " + age.error());
  limits.max_age = age->approx_micros();
  return limits;
}

// Checks every target database and prints the status line; returns the Nagios exit code.
int run_check(const Globals& globals, const CheckArgs& args, std::ostream& out)
{
  const core::HealthLimits limits = limits_of(args);
  const auto dsns = target_dsns(globals);
  core::HealthLevel worst = core::HealthLevel::ok;
  std::vector<core::Finding> findings;
  std::string perfdata;
  std::size_t parents = 0;
  for (const auto& dsn : dsns) {
    const std::string prefix = dsns.size() > 1 ? db::describe_dsn(dsn) + " " : "";
    run::HealthRequest request;
    request.dsn = dsn;
    request.schema = globals.schema;
    request.parents = args.parents;
    std::vector<core::Finding> found;
    try {
      const run::HealthReport report = run::read_health(request);
      if (report.parents.empty())
        found.push_back({core::HealthLevel::unknown, "",
                         "no managed parents; HINT: register one with 'partman manage', or point the check "
                         "at the database that has them"});
      for (const auto& h : report.parents) {
        const auto judged = core::judge_health(h, limits, report.at);
        found.insert(found.end(), judged.begin(), judged.end());
        append_perf(perfdata, prefix, h, limits, report.at);
      }
      parents += report.parents.size();
    } catch (const std::exception& e) {
      if (dsns.size() == 1)
        throw;
      found.push_back({core::HealthLevel::unknown, "", e.what()});
    }
    for (auto& f : found) {
      f.parent = prefix + f.parent;
      if (rank(f.level) > rank(worst))
        worst = f.level;
      findings.push_back(std::move(f));
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const core::Finding& a, const core::Finding& b) {
    return rank(a.level) > rank(b.level);
  });
  std::string summary;
  if (findings.empty())
    summary =
        std::to_string(parents) + " parent(s): partitions ahead, default partitions and runs within limits";
  for (const auto& f : findings)
    summary += (summary.empty() ? "" : "; ") + (f.parent.empty() ? "" : f.parent + ": ") + f.message;
  out << "PARTMAN " << core::to_string(worst) << " - " << status_text(summary)
      << (perfdata.empty() ? "" : " |" + perfdata) << "\n";
  return static_cast<int>(worst);
}

// Accepts a whole number, 0 or more, of at most 18 digits.
const CLI::Validator k_count(
    [](std::string& text) -> std::string {
      const bool digits = !text.empty() && text.size() <= 18 &&
                          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      return digits ? "" : "'" + text + "' is not a whole number, 0 or more";
    },
    "COUNT");

// Prints an UNKNOWN status line for `message` and returns 3.
int unknown(const std::string& message)
{
  std::string text = message;
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  std::cout << "PARTMAN UNKNOWN - " << status_text(text) << "\n";
  return static_cast<int>(core::HealthLevel::unknown);
}

} // namespace

void add_check_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand(
      "check", "A Nagios/Icinga plugin: judge each managed parent and print one status line with\n"
               "performance data. CRITICAL: fewer partitions ahead of now than --critical, no successful\n"
               "run within --max-age, a failed archive, a parent that cannot be planned. WARNING: fewer\n"
               "partitions ahead than --warning, more rows in a default partition than --max-default-rows\n"
               "(an estimate). A parent's limits of partitions ahead are at most its premake.\n"
               "Exit codes (Nagios's, not the table below): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the\n"
               "database could not be read, no managed parents, or invalid options).");
  cmd->add_option("PARENT", args->parents, "Managed parents to check (default: all)");
  cmd->footer("Examples:\n"
              "  partman check --warning 3 --critical 1 --max-age '26 hours'\n"
              "  partman check app.events --max-default-rows 100000");
  cmd->add_option("--warning", args->warning, "WARNING when fewer partitions than this start after now")
      ->check(k_count)
      ->capture_default_str();
  cmd->add_option("--critical", args->critical, "CRITICAL when fewer partitions than this start after now")
      ->check(k_count)
      ->capture_default_str();
  cmd->add_option("--max-age", args->max_age,
                  "CRITICAL when no apply succeeded for a parent within this long ('26 hours', '15 minutes')")
      ->capture_default_str();
  cmd->add_option("--max-default-rows", args->max_default_rows,
                  "WARNING when a default partition holds more rows than this (estimated)")
      ->check(k_count)
      ->capture_default_str();
  cmd->callback([&globals, &exit_code, args] {
    try {
      exit_code = run_check(globals, *args, std::cout);
    } catch (const std::exception& e) {
      exit_code = unknown(e.what());
    }
  });
}

int check_parse_error(const CLI::App& app, const std::string& message)
{
  const auto* cmd = app.get_subcommand("check");
  if (cmd == nullptr || cmd->count() == 0)
    return -1;
  return unknown(message + "; HINT: see 'partman check --help'");
}

} // namespace partman::cli
