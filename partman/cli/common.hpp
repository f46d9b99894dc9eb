// What every subcommand shares: global options, the clock, connecting, and naming parents.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "partman/core/interval.hpp"
#include "partman/db/session.hpp"

namespace partman::cli {

// Options that precede or follow any subcommand.
struct Globals
{
  std::string dsn;                // conninfo or URI; empty: libpq's PG* variables, service file, .pgpass
  std::string schema = "partman"; // where partman's own tables live
};

// Returns `--at` as an instant, or the system clock's now when `at` is empty; UsageError when invalid.
core::Micros resolve_now(const std::string& at);
// Connects with the global options; throws ConnectionError or UsageError.
std::unique_ptr<pqxx::connection> connect(const Globals& globals, const db::SessionOptions& options);
// Adds --lock-timeout to `cmd`, bound to `value`.
void add_lock_timeout_option(CLI::App& cmd, std::string& value);

// Each subcommand adds itself to `app`; its callback stores the exit code in `exit_code`.
void add_install_command(CLI::App& app, const Globals& globals, int& exit_code);
void add_manage_commands(CLI::App& app, const Globals& globals, int& exit_code);
void add_plan_commands(CLI::App& app, const Globals& globals, int& exit_code);
void add_status_command(CLI::App& app, const Globals& globals, int& exit_code);

} // namespace partman::cli
