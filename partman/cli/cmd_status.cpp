// partman status: policies and partitions of managed parents, where each partition stands.
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/status.hpp"
#include "partman/run/status.hpp"

namespace partman::cli {

namespace {

struct StatusArgs
{
  std::vector<std::string> parents;
  std::string at;
  std::string format = "text";
  std::string states;    // --state: a comma-separated list of states
  core::StatusView view; // --summary, and the states parsed
};

int run_status(const Globals& globals, const StatusArgs& args, const std::string& dsn, std::ostream& out)
{
  run::StatusRequest request;
  request.dsn = dsn;
  request.schema = globals.schema;
  request.parents = args.parents;
  request.now = resolve_now(args.at);
  const run::StatusReport report = run::read_status(request);
  out << (args.format == "json" ? core::render_status_json(report.statuses, request.now, args.view)
                                : core::render_status_text(report.statuses, args.view));
  return exit_code_of(report);
}

} // namespace

void add_status_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<StatusArgs>();
  auto* cmd =
      app.add_subcommand("status", "Show each managed parent's policy and partitions: bounds, estimated "
                                   "rows, size,\nand whether each is past, current, future or expired; "
                                   "and the rows in a default partition.");
  cmd->add_option("PARENT", args->parents, "Managed parents to show (default: all)");
  cmd->add_option("--at", args->at,
                  "Classify partitions as of this time instead of now (UTC without an offset)");
  cmd->add_option("-f,--format", args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--summary", args->view.summary,
                "One line per parent: its partitions counted by state, its oldest and newest bound, and the\n"
                "rows in its default partition");
  cmd->add_option("--state", args->states,
                  "Show only partitions in these states, and only parents that have one (comma-separated:\n"
                  "past, current, future, expired, default, detach-pending, listed, unlisted)");
  cmd->footer("Examples:\n"
              "  partman status --summary                 a line per parent\n"
              "  partman status app.events --state future,expired -f json");
  cmd->callback([&globals, &exit_code, args] {
    const DatabaseJob job = [&](const std::string& dsn, std::ostream& out) {
      return run_status(globals, *args, dsn, out);
    };
    exit_code = run_guarded(
        [&] {
          if (!args->states.empty()) {
            const auto states = core::parse_states(args->states);
            if (!states)
              throw UsageError("--state: " + states.error());
            args->view.states = *states;
          }
          return for_each_database(globals, job, args->format == "json");
        },
        std::cerr);
  });
}

} // namespace partman::cli
