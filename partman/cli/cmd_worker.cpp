// partman worker: the long-running process that keeps a fleet of databases current (worker/).
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/cli/logging.hpp"
#include "partman/core/errors.hpp"
#include "partman/worker/worker.hpp"

namespace partman::cli {

namespace {

// The keys that are global options of every command, not options of `worker`.
bool global_key(const std::string& name)
{
  return name == "dsn" || name == "dsn_file" || name == "schema" || name == "log_format";
}

const char* const k_worker_footer =
    R"(Each key is also a line of the TOML file (--config; 'max_connections = 8',
'dsn = ["service=app"]') and an environment variable (PARTMAN_MAX_CONNECTIONS); the command line wins
over the environment, which wins over the file. The databases are the global -d/--dsn and --dsn-file
(keys dsn and dsn_file), and --discover. Passwords: ~/.pgpass, PGPASSFILE, a service file, or a dsn_file
readable only by the worker's user; never the command line.

Signals: SIGTERM or SIGINT stop within shutdown_timeout (exit 0); SIGHUP reads the configuration again
(an invalid file is refused and the running configuration kept).

Examples:
  partman worker -d 'host=/run/postgresql dbname=app' --interval 5min
  partman worker --config /etc/partman/worker.toml --discover 'host=db1 user=partman')";

} // namespace

void add_worker_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto* cmd = app.add_subcommand(
      "worker", "Run as a long-running worker: plan and apply every database on a schedule, at once when a\n"
                "policy changes, one worker acting per database (an advisory lock) when several run; with\n"
                "metrics on HTTP (/metrics, /healthz, /readyz). Configuration: a TOML file, PARTMAN_*\n"
                "variables, options.");
  cmd->footer(k_worker_footer);
  auto config_path = std::make_shared<std::string>(worker::k_default_config);
  auto values = std::make_shared<std::map<std::string, std::string>>();
  auto lists = std::make_shared<std::map<std::string, std::vector<std::string>>>();
  auto* config_option = cmd->add_option("--config", *config_path, "The TOML configuration file")
                            ->envname("PARTMAN_CONFIG")
                            ->capture_default_str();
  for (const auto& key : worker::config_keys()) {
    if (global_key(key.name))
      continue;
    const std::string fallback = worker::value_text(worker::WorkerConfig{}, key.name);
    const std::string help = std::string(key.help) + "\n[" + worker::env_name(key) + "; file key " +
                             key.name + (fallback.empty() ? "" : "; default " + fallback) + "]";
    if (std::string(key.value) == "LIST")
      cmd->add_option(worker::option_name(key), (*lists)[key.name], help)->type_name(key.value);
    else
      cmd->add_option(worker::option_name(key), (*values)[key.name], help)->type_name(key.value);
  }
  cmd->callback([&globals, &exit_code, cmd, config_path, config_option, values, lists] {
    exit_code = run_guarded(
        [&] {
          worker::WorkerOptions options;
          options.config_path = *config_path;
          options.config_given = config_option->count() > 0 || std::getenv("PARTMAN_CONFIG") != nullptr;
          for (const auto& key : worker::config_keys()) {
            if (global_key(key.name))
              continue;
            if (cmd->get_option(worker::option_name(key))->count() == 0)
              continue;
            if (std::string(key.value) == "LIST")
              options.command_line[key.name] = (*lists)[key.name];
            else
              options.command_line[key.name] = {(*values)[key.name]};
          }
          const CLI::App* top = cmd->get_parent();
          if (!globals.dsns.empty())
            options.command_line["dsn"] = globals.dsns;
          if (!globals.dsn_file.empty())
            options.command_line["dsn_file"] = {globals.dsn_file};
          if (top->get_option("--schema")->count() > 0)
            options.command_line["schema"] = {globals.schema};
          if (top->get_option("--log-format")->count() > 0)
            options.command_line["log_format"] = {top->get_option("--log-format")->as<std::string>()};
          options.name_thread = set_log_database;
          options.configure_logging = [](const worker::WorkerConfig& c) { set_log_format(c.log_format); };
          worker::Worker w(std::move(options));
          return w.run();
        },
        std::cerr);
  });
}

} // namespace partman::cli
