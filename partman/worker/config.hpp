// The worker's configuration: one table of keys, read from a TOML file, then PARTMAN_* environment
// variables, then the command line (each later source overrides the earlier ones).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "partman/core/duration.hpp"
#include "partman/core/removal_window.hpp"

namespace partman::worker {

// Where the worker's configuration file is read from when --config is not given.
constexpr const char* k_default_config = "/etc/partman/worker.toml";

// Everything the worker runs with.
struct WorkerConfig
{
  std::vector<std::string> dsns;         // conninfo strings, URIs or service names
  std::string dsn_file;                  // a file with one of those a line
  std::vector<std::string> discover;     // servers whose databases with partman's schema are maintained
  core::Millis interval{600'000};        // how often each database is planned and applied
  std::string listen = "127.0.0.1:9839"; // HOST:PORT of /metrics, /healthz, /readyz ("" or "off": none)
  std::string textfile;                  // a .prom file for node_exporter's textfile collector
  int max_connections = 8;               // working sessions over all databases (runs at once)
  core::Millis shutdown_timeout{30'000}; // SIGTERM: how long runs in flight may take to finish
  std::string removal_window;            // "HH:MM-HH:MM ZONE": removals only then ("": any time)
  std::string schema = "partman";        // partman's tables in each database
  core::Millis leader_check{5'000};      // how often a worker that does not lead a database tries to
  core::Millis retry_max{600'000};       // the longest wait before a failed database is tried again
  std::string lock_timeout = "1s";       // as apply's --lock-timeout
  std::string exclusive_lock_timeout = "100ms"; // as apply's --exclusive-lock-timeout
  int max_removal_percent = 50;                 // as apply's --max-removal
  std::string log_format = "text";              // text or json

  core::RemovalWindow window; // removal_window parsed (zone null: no window)
};

// One key of the configuration, as the file, the environment and the command line name it.
struct ConfigKey
{
  const char* name;  // in the file ("max_connections"); the option is --max-connections
  const char* value; // the kind of value, for --help: DURATION, N, TEXT, LIST...
  const char* help;  // what it does
};

// Returns every key, in --help order.
const std::vector<ConfigKey>& config_keys();
// Returns the environment variable of `key` ("PARTMAN_MAX_CONNECTIONS").
std::string env_name(const ConfigKey& key);
// Returns the command-line option of `key` ("--max-connections").
std::string option_name(const ConfigKey& key);
// Returns the value of `name` in `config` as text, for logs of what a reload changed.
std::string value_text(const WorkerConfig& config, const std::string& name);

// The values given on the command line: key name to its values (one, or several for a list).
using CommandLineValues = std::map<std::string, std::vector<std::string>>;

// Reads the configuration: defaults, then the TOML file at `path` (a missing file is an error only when
// `path_given`), then `env` (the process environment when null), then `command_line`. Throws UsageError
// naming the key and the source of any bad value or unknown key.
WorkerConfig load_config(const std::string& path, bool path_given, const CommandLineValues& command_line,
                         const std::map<std::string, std::string>* env = nullptr);

} // namespace partman::worker
