// partman: keeps PostgreSQL's partitioned tables healthy. This file only wires the subcommands.
#include <iostream>
#include <spdlog/spdlog.h>
#include <string>
#include <vector>

#include "partman/cli/common.hpp"
#include "partman/cli/help.hpp"
#include "partman/cli/logging.hpp"
#include "partman/core/errors.hpp"

int main(int argc, char** argv)
{
  using namespace partman;
  cli::set_up_logging();
  CLI::App app{"partman " PARTMAN_VERSION ": keeps PostgreSQL's declaratively partitioned tables healthy.\n"
               "It creates partitions before data arrives (premake), removes expired ones (retention),\n"
               "and shows every change as the exact SQL it will run before it runs it.",
               "partman"};
  app.set_version_flag("--version", "partman " PARTMAN_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  cli::Globals globals;
  app.add_option("-d,--dsn", globals.dsns,
                 "Connection string (conninfo or URI); repeat it to work on several databases at once;\n"
                 "default: libpq's PG* settings. Give the password through ~/.pgpass, a service file\n"
                 "(PGSERVICE) or PGPASSWORD, not here: ps shows command lines to every user");
  app.add_option("--dsn-file", globals.dsn_file, "A file with one connection string a line ('#' comments)");
  app.add_option("-j,--jobs", globals.jobs, "Databases worked on at once, for several --dsn")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--schema", globals.schema, "Schema that holds partman's policy and history tables")
      ->envname("PARTMAN_SCHEMA")
      ->capture_default_str();
  app.add_flag_callback(
      "-v,--verbose", [] { spdlog::set_level(spdlog::level::debug); },
      "Log each statement and retry on standard error");
  app.add_option_function<std::string>(
         "--log-format", [](const std::string& format) { cli::set_log_format(format); },
         "Log lines on standard error: text (with a UTC timestamp when stderr is not a terminal) or json\n"
         "(one object a line: time, level, database, message)")
      ->envname("PARTMAN_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));

  int exit_code = k_exit_ok;
  cli::add_install_command(app, globals, exit_code);
  cli::add_manage_commands(app, globals, exit_code);
  cli::add_plan_commands(app, globals, exit_code);
  cli::add_status_command(app, globals, exit_code);
  cli::add_archive_commands(app, globals, exit_code);
  cli::add_import_command(app, globals, exit_code);
  cli::add_drain_command(app, globals, exit_code);
  cli::add_worker_command(app, globals, exit_code);
  cli::add_check_command(app, globals, exit_code);
  // After the commands, which would take the footer (their own examples) as they are added.
  app.footer("Examples:\n"
             "  partman plan                   what the next apply would do, with its SQL\n"
             "  partman apply                  do it (cron or a systemd timer runs this)");
  cli::set_help_footers(app);

  // The parser reads a copy; the real argv, which ps and /proc/PID/cmdline show, loses its passwords.
  std::vector<std::string> args(argv, argv + argc);
  std::vector<char*> copy;
  for (auto& a : args)
    copy.push_back(a.data());
  cli::hide_dsn_passwords(argc, argv);

  try {
    app.parse(argc, copy.data());
    return exit_code;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const int code = cli::check_parse_error(app, e.what()); code >= 0)
      return code; // a Nagios plugin: bad input is UNKNOWN
    const std::string unknown = cli::unknown_command(app);
    cli::print_error(std::cerr, !unknown.empty()
                                    ? unknown
                                    : std::string(e.what()) +
                                          "; HINT: see 'partman --help' or 'partman COMMAND --help'");
    return k_exit_invalid;
  } catch (const std::exception& e) {
    cli::print_error(std::cerr, e.what());
    return k_exit_unexpected;
  }
}
