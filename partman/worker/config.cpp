#include "partman/worker/config.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <toml++/toml.h>

#include "partman/core/errors.hpp"

extern char** environ;

namespace partman::worker {

namespace {

// How a key's value is read.
enum class Kind
{
  text,
  list,
  number,
  duration
};

// A key, how its value is read, and where it goes.
struct Field
{
  ConfigKey key;
  Kind kind;
  std::function<void(WorkerConfig&, const std::vector<std::string>&)> set;
  std::function<std::string(const WorkerConfig&)> get;
};

std::string joined(const std::vector<std::string>& items)
{
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

int read_number(const std::string& text, int low, int high)
{
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || n < low || n > high)
    throw UsageError("'" + text + "' is not a whole number from " + std::to_string(low) + " to " +
                     std::to_string(high));
  return n;
}

core::Millis read_duration(const std::string& text)
{
  const auto d = core::parse_duration(text);
  if (!d)
    throw UsageError(d.error());
  return *d;
}

// Returns a field of kind `kind` for the member `member`.
template <typename T>
Field field(ConfigKey key, Kind kind, T WorkerConfig::*member, int low = 0, int high = 0)
{
  Field f{key, kind, nullptr, nullptr};
  if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    f.set = [member](WorkerConfig& c, const std::vector<std::string>& v) { c.*member = v; };
    f.get = [member](const WorkerConfig& c) { return joined(c.*member); };
  } else if constexpr (std::is_same_v<T, int>) {
    f.set = [member, low, high](WorkerConfig& c, const std::vector<std::string>& v) {
      c.*member = read_number(v.at(0), low, high);
    };
    f.get = [member](const WorkerConfig& c) { return std::to_string(c.*member); };
  } else if constexpr (std::is_same_v<T, core::Millis>) {
    f.set = [member](WorkerConfig& c, const std::vector<std::string>& v) {
      c.*member = read_duration(v.at(0));
    };
    f.get = [member](const WorkerConfig& c) { return core::duration_text(c.*member); };
  } else {
    f.set = [member](WorkerConfig& c, const std::vector<std::string>& v) { c.*member = v.at(0); };
    f.get = [member](const WorkerConfig& c) { return c.*member; };
  }
  return f;
}

const std::vector<Field>& fields()
{
  using C = WorkerConfig;
  static const std::vector<Field> all{
      field({"dsn", "LIST", "Databases to maintain: conninfo strings, URIs or libpq service names (as -d)"},
            Kind::list, &C::dsns),
      field({"dsn_file", "PATH",
             "A file with one database a line (as --dsn-file); keeps passwords off the\n"
             "command line and out of the environment"},
            Kind::text, &C::dsn_file),
      field({"discover", "LIST",
             "Servers (conninfo) whose every database with partman's schema is maintained;\n"
             "read again each interval, so new databases are picked up"},
            Kind::list, &C::discover),
      field({"interval", "DURATION",
             "How often each database is planned and applied (with up to 10% jitter);\n"
             "a policy change is applied at once (LISTEN/NOTIFY)"},
            Kind::duration, &C::interval),
      field({"listen", "HOST:PORT", "Address of /metrics, /healthz and /readyz ('off': no HTTP)"}, Kind::text,
            &C::listen),
      field({"textfile", "PATH",
             "Also write the metrics to this .prom file (node_exporter's textfile\n"
             "collector), replaced atomically at most once a second"},
            Kind::text, &C::textfile),
      field({"max_connections", "N",
             "Databases worked on at once; each database has one session of the\n"
             "worker's, which holds its lock, listens for policy changes and runs it"},
            Kind::number, &C::max_connections, 1, 256),
      field({"shutdown_timeout", "DURATION",
             "On SIGTERM or SIGINT, how long runs in flight may take to finish\n"
             "before their sessions are closed (the server then cancels)"},
            Kind::duration, &C::shutdown_timeout),
      field({"removal_window", "WINDOW",
             "Hours when drops, detaches and archives may run, e.g.\n"
             "'01:00-05:00 Europe/Berlin'; outside them only creates run"},
            Kind::text, &C::removal_window),
      field({"schema", "NAME", "Schema of partman's tables in each database"}, Kind::text, &C::schema),
      field({"leader_check", "DURATION",
             "How often a worker that does not lead a database tries to take it\n"
             "over (the bound of a takeover, with TCP keepalives)"},
            Kind::duration, &C::leader_check),
      field({"retry_max", "DURATION",
             "Longest wait before a failed database is tried again (the back-off\n"
             "doubles from 1s, with jitter)"},
            Kind::duration, &C::retry_max),
      field({"lock_timeout", "DURATION", "As apply's --lock-timeout"}, Kind::text, &C::lock_timeout),
      field({"exclusive_lock_timeout", "DURATION", "As apply's --exclusive-lock-timeout"}, Kind::text,
            &C::exclusive_lock_timeout),
      field({"max_removal_percent", "N", "As apply's --max-removal"}, Kind::number, &C::max_removal_percent,
            0, 100),
      field({"log_format", "FORMAT", "text or json"}, Kind::text, &C::log_format),
  };
  return all;
}

const Field* find_field(const std::string& name)
{
  for (const auto& f : fields()) {
    if (name == f.key.name)
      return &f;
  }
  return nullptr;
}

// Sets `name` from `source` (for messages), rethrowing a bad value with both named.
void set(WorkerConfig& config, const Field& f, const std::vector<std::string>& values,
         const std::string& source)
{
  try {
    if (f.kind != Kind::list && values.size() != 1)
      throw UsageError("one value expected, got " + std::to_string(values.size()));
    f.set(config, values);
  } catch (const UsageError& e) {
    throw UsageError(source + ": " + f.key.name + ": " + e.what());
  }
}

// Returns the values of a TOML node for a key of kind `kind`; throws UsageError for a wrong type.
std::vector<std::string> toml_values(const toml::node& node, Kind kind)
{
  std::vector<std::string> out;
  if (kind == Kind::list) {
    const auto* array = node.as_array();
    if (!array)
      throw UsageError("an array of strings expected");
    for (const auto& item : *array) {
      const auto text = item.value<std::string>();
      if (!item.is_string() || !text)
        throw UsageError("an array of strings expected");
      out.push_back(*text);
    }
  } else if (kind == Kind::number) {
    if (!node.is_integer())
      throw UsageError("a whole number expected");
    out.push_back(std::to_string(*node.value<std::int64_t>()));
  } else {
    if (!node.is_string())
      throw UsageError("a string expected");
    out.push_back(*node.value<std::string>());
  }
  return out;
}

void read_file(WorkerConfig& config, const std::string& path, bool path_given)
{
  if (!path_given && !std::ifstream(path))
    return;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    if (!std::ifstream(path))
      throw UsageError("--config: cannot read '" + path + "'");
    throw UsageError(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " +
                     std::string(e.description()));
  }
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const Field* f = find_field(name);
    if (!f)
      throw UsageError(path + ": unknown key '" + name + "'; HINT: see 'partman worker --help' for the keys");
    try {
      set(config, *f, toml_values(node, f->kind), path);
    } catch (const UsageError& e) {
      const std::string message = e.what();
      throw UsageError(message.rfind(path, 0) == 0 ? message : path + ": " + name + ": " + message);
    }
  }
}

std::map<std::string, std::string> process_environment()
{
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    if (const auto eq = entry.find('='); eq != std::string::npos && entry.rfind("PARTMAN_", 0) == 0)
      out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

void check(WorkerConfig& config)
{
  if (config.log_format != "text" && config.log_format != "json")
    throw UsageError("log_format: '" + config.log_format + "' is neither text nor json");
  if (config.listen == "off")
    config.listen.clear();
  if (!config.listen.empty() && config.listen.rfind(':') == std::string::npos)
    throw UsageError("listen: '" + config.listen +
                     "' has no port; HINT: write HOST:PORT, e.g. 127.0.0.1:9839");
  if (config.interval < core::Millis(100))
    throw UsageError("interval: '" + core::duration_text(config.interval) + "' is below 100ms");
  config.window = {};
  if (!config.removal_window.empty()) {
    const auto window = core::parse_removal_window(config.removal_window);
    if (!window)
      throw UsageError("removal_window: " + window.error());
    config.window = *window;
  }
}

} // namespace

const std::vector<ConfigKey>& config_keys()
{
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> out;
    for (const auto& f : fields())
      out.push_back(f.key);
    return out;
  }();
  return keys;
}

std::string env_name(const ConfigKey& key)
{
  std::string out = "PARTMAN_";
  for (const char* c = key.name; *c; ++c)
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
  return out;
}

std::string option_name(const ConfigKey& key)
{
  std::string out = "--";
  for (const char* c = key.name; *c; ++c)
    out += *c == '_' ? '-' : *c;
  return out;
}

std::string value_text(const WorkerConfig& config, const std::string& name)
{
  const Field* f = find_field(name);
  return f ? f->get(config) : "";
}

WorkerConfig load_config(const std::string& path, bool path_given, const CommandLineValues& command_line,
                         const std::map<std::string, std::string>* env)
{
  WorkerConfig config;
  read_file(config, path, path_given);
  const auto environment = env ? *env : process_environment();
  for (const auto& f : fields()) {
    const std::string var = env_name(f.key);
    if (const auto it = environment.find(var); it != environment.end() && !it->second.empty())
      set(config, f, {it->second}, "environment " + var);
  }
  for (const auto& [name, values] : command_line) {
    const Field* f = find_field(name);
    if (!f)
      throw UsageError("unknown configuration key '" + name + "'");
    set(config, *f, values, "command line " + option_name(f->key));
  }
  check(config);
  return config;
}

} // namespace partman::worker
