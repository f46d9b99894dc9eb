// What every subcommand shares: global options, the clock, the target databases, error handling.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <ostream>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "partman/cli/exit_codes.hpp"
#include "partman/core/interval.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/session.hpp"
#include "partman/run/fleet.hpp"
#include "partman/run/maintenance.hpp"
#include "partman/run/primary.hpp"
#include "partman/run/target.hpp"

namespace partman::cli {

// Options that precede or follow any subcommand.
struct Globals
{
  std::vector<std::string> dsns;  // conninfo strings or URIs; none: libpq's PG* variables, service, .pgpass
  std::string dsn_file;           // a file with one conninfo or URI a line
  std::string schema = "partman"; // where partman's own tables live
  int jobs = 4;                   // databases worked on at once
};

// The work of one command on one database; prints to `out` and returns an exit code.
using DatabaseJob = run::DatabaseJob;

// Returns `--at` as an instant, or the system clock's now when `at` is empty; UsageError when invalid.
core::Micros resolve_now(const std::string& at);
// Opens a session for a command that writes (`command` names it); UsageError on a standby.
using run::open_primary;
// Lock timeouts and retries from the command line.
using LockArgs = run::LockSettings;

// Adds --lock-timeout and --exclusive-lock-timeout to `cmd`, bound to `args`.
void add_lock_timeout_options(CLI::App& cmd, LockArgs& args);
// Adds --retries and --exclusive-retries to `cmd`, bound to `args`.
void add_retry_options(CLI::App& cmd, LockArgs& args);
// Returns the databases of this run: the --dsn values, then the lines of --dsn-file; one empty string
// (libpq's defaults) when neither is given.
std::vector<std::string> target_dsns(const Globals& globals);
// Returns the one database of a command that works on one; UsageError when several are given.
std::string single_dsn(const Globals& globals, const char* command);
// Returns the one database of a command that works on one, with --schema; UsageError when several are given.
run::Target one_target(const Globals& globals, const char* command);
// Returns a request of an operation (a run::Target and more) for the one database of `command`.
template <typename Request> Request request_for(const Globals& globals, const char* command)
{
  Request request;
  static_cast<run::Target&>(request) = one_target(globals, command);
  return request;
}
// Writes `line` to `out` with its control characters escaped (core::printable), then a newline, so that
// names and values from the catalog never act on the terminal; text output writes its lines through here.
void print_line(std::ostream& out, const std::string& line);
// Writes "partman: error: MESSAGE" to `err` as one line (print_line), without libpq's trailing newline.
void print_error(std::ostream& err, std::string message);
// Hides, in place, the passwords that -d/--dsn values write in `argv`, so that ps and /proc/PID/cmdline
// never show them; call it on the real argv after copying it for the parser.
void hide_dsn_passwords(int argc, char** argv);
// Returns "unknown command 'X'" with a hint (the nearest command's name when one is close) when the parse
// of `app` failed because its first argument names no command; "" otherwise.
std::string unknown_command(const CLI::App& app);
// Runs `job`; an exception becomes "partman: error: ..." on `err` and its documented exit code.
int run_guarded(const std::function<int()>& job, std::ostream& err);
// Runs `job` on every target database: directly for one; for several, on up to --jobs at once, each
// database's output printed as one block in order. Returns 0 when all succeeded, the common code when all
// failed alike, and 3 (partial) otherwise. With `json` and several databases, prints one JSON document
// (render_fleet_json) instead of the blocks, and names the databases that failed on standard error.
int for_each_database(const Globals& globals, const DatabaseJob& job, bool json = false);

// Each subcommand adds itself to `app`; its callback stores the exit code in `exit_code`.
void add_install_command(CLI::App& app, const Globals& globals, int& exit_code);
void add_manage_commands(CLI::App& app, const Globals& globals, int& exit_code);
void add_plan_commands(CLI::App& app, const Globals& globals, int& exit_code);
void add_status_command(CLI::App& app, const Globals& globals, int& exit_code);
void add_archive_commands(CLI::App& app, const Globals& globals, int& exit_code);
void add_import_command(CLI::App& app, const Globals& globals, int& exit_code);
void add_drain_command(CLI::App& app, const Globals& globals, int& exit_code);
void add_worker_command(CLI::App& app, const Globals& globals, int& exit_code);
void add_check_command(CLI::App& app, const Globals& globals, int& exit_code);
// Prints the UNKNOWN status line of `partman check` for a parse error and returns 3, when the parse that
// failed was of the check command; returns -1 otherwise.
int check_parse_error(const CLI::App& app, const std::string& message);

} // namespace partman::cli
