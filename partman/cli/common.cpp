#include "partman/cli/common.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <pqxx/except>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "partman/cli/logging.hpp"
#include "partman/cli/run_json.hpp"
#include "partman/core/conninfo.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/printable.hpp"
#include "partman/core/timepoint.hpp"
#include "partman/db/privileges.hpp"
#include "partman/run/fleet.hpp"

namespace partman::cli {

namespace {

// Returns the edit distance between `a` and `b`, a swap of two neighbours counting as one edit.
std::size_t edit_distance(const std::string& a, const std::string& b)
{
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

} // namespace

core::Micros resolve_now(const std::string& at)
{
  if (at.empty())
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() *
           core::k_micros_per_second;
  auto parsed = core::parse_instant(at, *core::find_zone("UTC"));
  if (!parsed)
    throw UsageError("--at: " + parsed.error() + " (without an offset the time is read as UTC)");
  return *parsed;
}

void add_lock_timeout_options(CLI::App& cmd, LockArgs& args)
{
  cmd.add_option("--lock-timeout", args.lock_timeout,
                 "How long one DDL statement may wait for a lock before it is retried (PostgreSQL syntax)")
      ->capture_default_str();
  cmd.add_option("--exclusive-lock-timeout", args.exclusive_lock_timeout,
                 "The same for an action that takes ACCESS EXCLUSIVE on a parent or its default partition\n"
                 "(beside a default partition: creates, detaches, drops): the application's queries on\n"
                 "that table queue behind it while it waits, at most this long")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty()
                       ? std::string("empty; HINT: write a duration as PostgreSQL does, e.g. '100ms'")
                       : std::string();
          },
          "DURATION"))
      ->capture_default_str();
}

void add_retry_options(CLI::App& cmd, LockArgs& args)
{
  cmd.add_option("--retries", args.retries,
                 "Retries of an action that met the lock timeout or a deadlock, with back-off (doubling\n"
                 "from 200 ms up to 1 s) and jitter")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  cmd.add_option("--exclusive-retries", args.exclusive_retries,
                 "Retries of an action under --exclusive-lock-timeout, with the same back-off")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
}

std::vector<std::string> target_dsns(const Globals& globals)
{
  std::vector<std::string> out = globals.dsns;
  if (!globals.dsn_file.empty()) {
    const auto listed = db::read_dsn_file(globals.dsn_file, "--dsn-file");
    out.insert(out.end(), listed.begin(), listed.end());
    if (out.empty())
      throw UsageError("--dsn-file: '" + globals.dsn_file + "' names no database");
  }
  if (out.empty())
    out.emplace_back();
  return out;
}

std::string single_dsn(const Globals& globals, const char* command)
{
  const auto dsns = target_dsns(globals);
  if (dsns.size() != 1)
    throw UsageError(std::string("'partman ") + command + "' works on one database, but " +
                     std::to_string(dsns.size()) + " were given; HINT: pass one --dsn");
  return dsns.front();
}

run::Target one_target(const Globals& globals, const char* command)
{
  return {single_dsn(globals, command), globals.schema};
}

void print_line(std::ostream& out, const std::string& line)
{
  out << core::printable(line) << '\n';
}

void print_error(std::ostream& err, std::string message)
{
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  print_line(err, "partman: error: " + message);
}

void hide_dsn_passwords(int argc, char** argv)
{
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--")
      return; // what follows is positional
    if (arg == "-d" || arg == "--dsn") {
      if (i + 1 < argc)
        core::hide_passwords(argv[++i]);
    } else if (arg.rfind("--dsn=", 0) == 0) {
      core::hide_passwords(argv[i] + 6);
    } else if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
      // Short flags may be joined: -vd DSN, -dDSN.
      const std::size_t d = arg.find_first_not_of("vh", 1);
      if (d != std::string_view::npos && arg[d] == 'd') {
        if (d + 1 < arg.size())
          core::hide_passwords(argv[i] + d + 1);
        else if (i + 1 < argc)
          core::hide_passwords(argv[++i]);
      }
    }
  }
}

std::string unknown_command(const CLI::App& app)
{
  const auto rest = app.remaining();
  if (!app.get_subcommands().empty() || rest.empty() || rest.front().empty() || rest.front()[0] == '-')
    return "";
  const std::string& word = rest.front();
  std::string nearest;
  std::size_t best = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::size_t d = edit_distance(word, sub->get_name());
    if (d < best) {
      best = d;
      nearest = sub->get_name();
    }
  }
  return "unknown command '" + word + "'; HINT: " +
         (nearest.empty() ? std::string("see 'partman --help' for the commands")
                          : "did you mean '" + nearest + "'?");
}

int run_guarded(const std::function<int()>& job, std::ostream& err)
{
  try {
    return job();
  } catch (const std::exception&) {
    const ErrorExit error = current_error_exit();
    print_error(err, error.message);
    return error.code;
  }
}

int for_each_database(const Globals& globals, const DatabaseJob& job, bool json)
{
  const auto dsns = target_dsns(globals);
  if (dsns.size() == 1)
    return job(dsns.front(), std::cout);
  const auto outcomes = run::run_fleet(dsns, globals.jobs, [&job](const std::string& dsn, std::ostream& out) {
    set_log_database(db::describe_dsn(dsn));
    return run_guarded([&] { return job(dsn, out); }, out);
  });
  const int exit_code = fleet_exit_code(outcomes);
  std::vector<std::string> failed;
  for (const auto& o : outcomes) {
    if (o.exit_code != k_exit_ok)
      failed.push_back(db::describe_dsn(o.dsn));
  }
  if (json) {
    std::cout << render_fleet_json(outcomes, exit_code);
    for (const auto& o : outcomes) {
      if (o.exit_code != k_exit_ok)
        std::cerr << "partman: database " << db::describe_dsn(o.dsn) << ": exit " << o.exit_code << "\n";
    }
    return exit_code;
  }
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    std::cout << "== database " << i + 1 << " of " << outcomes.size() << ": "
              << db::describe_dsn(outcomes[i].dsn) << " (exit " << outcomes[i].exit_code << ")\n"
              << outcomes[i].output << "\n";
  std::cout << "databases: " << outcomes.size() - failed.size() << " ok, " << failed.size() << " with errors";
  for (std::size_t i = 0; i < failed.size(); ++i)
    std::cout << (i == 0 ? " (" : ", ") << failed[i] << (i + 1 == failed.size() ? ")" : "");
  std::cout << "\n";
  return exit_code;
}

} // namespace partman::cli
