// partman: keeps PostgreSQL's partitioned tables healthy. This file only wires the subcommands.
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"

namespace {

const char* const k_footer = R"(Connection: libpq's conventions apply: PGHOST, PGPORT, PGDATABASE, PGUSER,
PGPASSWORD, PGSERVICE, ~/.pgpass; or -d/--dsn with a conninfo ('host=db dbname=app') or a URI.
A password is never printed.

PARENT is a table name as SQL writes it: schema.table, with double quotes for mixed case or odd
characters ('"Sales"."Order Lines"'); an unqualified name follows the search_path.

Exit codes:
  0  success, or nothing to do (also on a standby, where nothing is changed)
  1  unexpected error
  2  invalid input or configuration; nothing was changed
  3  partial failure: some parents failed or were deferred; the others were done
  4  the database could not be reached; nothing was changed
  5  archive storage failed or a copy did not verify (restore, archive list); nothing was dropped)";

void print_error(const std::string& message)
{
  std::cerr << "partman: error: " << message << "\n";
}

} // namespace

int main(int argc, char** argv)
{
  using namespace partman;
  spdlog::set_default_logger(spdlog::stderr_color_mt("partman"));
  spdlog::set_pattern("partman: %l: %v");
  spdlog::set_level(spdlog::level::info);
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
                 "default: libpq's PG* settings");
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

  int exit_code = k_exit_ok;
  cli::add_install_command(app, globals, exit_code);
  cli::add_manage_commands(app, globals, exit_code);
  cli::add_plan_commands(app, globals, exit_code);
  cli::add_status_command(app, globals, exit_code);
  cli::add_archive_commands(app, globals, exit_code);
  cli::add_import_command(app, globals, exit_code);
  cli::add_drain_command(app, globals, exit_code);

  try {
    app.parse(argc, argv);
    return exit_code;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(std::string(e.what()) + "; HINT: see 'partman --help' or 'partman COMMAND --help'");
    return k_exit_invalid;
  } catch (const std::exception& e) {
    print_error(e.what());
    return k_exit_unexpected;
  }
}
