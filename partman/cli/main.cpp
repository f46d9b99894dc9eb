// partman: keeps PostgreSQL's partitioned tables healthy. This file only wires the subcommands.
#include <iostream>
#include <spdlog/spdlog.h>
#include <string>
#include <vector>

#include "partman/cli/common.hpp"
#include "partman/cli/logging.hpp"
#include "partman/core/errors.hpp"

namespace {

const char* const k_footer = R"(Connection: libpq's conventions apply: PGHOST, PGPORT, PGDATABASE, PGUSER,
PGPASSWORD, PGSERVICE, ~/.pgpass; or -d/--dsn with a conninfo ('host=db dbname=app') or a URI.
A password is never printed. Keep it out of -d (ps shows command lines to every user; partman hides it
there once it has read it): use ~/.pgpass, a service file (PGSERVICE) or PGPASSWORD.

PARENT is a table name as SQL writes it: schema.table, with double quotes for mixed case or odd
characters ('"Sales"."Order Lines"'); an unqualified name follows the search_path.

Exit codes:
  0  success, or nothing to do (also on a standby, where nothing is changed)
  1  unexpected error
  2  invalid input or configuration; nothing was changed
  3  partial failure: some parents failed or were deferred; the others were done
  4  the database could not be reached; nothing was changed
  5  archive storage failed or a copy did not verify (restore, archive list); nothing was dropped
'partman check' is a Nagios plugin and exits as one: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.)";

} // namespace

int main(int argc, char** argv)
{
  using namespace partman;
  cli::set_up_logging();
  CLI::App app{"partman " PARTMAN_VERSION ": keeps PostgreSQL's declaratively partitioned tables healthy.\n"
               "It creates partitions before data arrives (premake), removes expired ones (retention),\n"
               "and shows every change as the exact SQL it will run before it runs it.",
               "partman"};
  app.footer(k_footer);
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
