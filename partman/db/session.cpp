#include "partman/db/session.hpp"

#include <pqxx/except>
#include <pqxx/nontransaction>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <libpq-fe.h>
#include <map>

#include "partman/core/errors.hpp"

namespace partman::db {

namespace {

// Returns the options written in a conninfo string or URI, as libpq parses them to connect; throws
// UsageError when libpq cannot parse `dsn`.
std::map<std::string, std::string> parse_conninfo(const std::string& dsn)
{
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (!options) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    // libpq quotes the text it could not parse, which may be part of a password.
    const bool secret = dsn.find("password") != std::string::npos || dsn.find('@') != std::string::npos;
    throw UsageError("invalid connection string" + (secret ? std::string() : ": " + message) +
                     "; HINT: pass a conninfo ('host=db dbname=app') or a URI ('postgresql://user@db/app')");
  }
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (o->val)
      out[o->keyword] = o->val;
  }
  PQconninfoFree(options);
  return out;
}

// Returns true when the server takes `value` as a lock_timeout.
bool valid_lock_timeout(pqxx::nontransaction& tx, const std::string& value)
{
  try {
    tx.exec_params("SELECT set_config('lock_timeout', $1, true)", value);
    return true;
  } catch (const pqxx::sql_error&) {
    return false;
  }
}

} // namespace

std::string mask_password(std::string message, const std::string& dsn)
{
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  const std::string password = conninfo_value(dsn, "password");
  if (password.empty())
    return message;
  const std::string mask = "********";
  // The search goes on after each mask, which may hold the password itself ("*").
  for (auto pos = message.find(password); pos != std::string::npos;
       pos = message.find(password, pos + mask.size()))
    message.replace(pos, password.size(), mask);
  return message;
}

std::unique_ptr<pqxx::connection> open_session(const std::string& dsn, const SessionOptions& options,
                                               ServerFacts* facts)
{
  parse_conninfo(dsn); // rejects a malformed string before libpq echoes it
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(dsn);
  } catch (const pqxx::broken_connection& e) {
    throw ConnectionError("cannot connect to the database: " + mask_password(e.what(), dsn));
  } catch (const std::exception& e) {
    throw UsageError("invalid connection string: " + mask_password(e.what(), dsn) +
                     "; HINT: pass a conninfo ('host=... dbname=...') or a URI ('postgresql://...')");
  }
  pqxx::nontransaction tx(*conn);
  try {
    const auto r = tx.exec_params(
        "SELECT pg_is_in_recovery(), (extract(epoch FROM now()) * 1000000)::int8, "
        "set_config('application_name', 'partman', false), "
        "set_config('lock_timeout', $1, false), set_config('TimeZone', 'UTC', false), "
        "set_config('DateStyle', 'ISO, YMD', false), set_config('IntervalStyle', 'postgres', false), "
        "set_config('standard_conforming_strings', 'on', false), set_config('jit', 'off', false), "
        "set_config('default_transaction_read_only', $2, false), "
        // checked only: a local setting ends with this statement's transaction, the session's stays
        "CASE WHEN $3::text IS NOT NULL THEN set_config('lock_timeout', $3, true) END, "
        "EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')",
        options.lock_timeout, options.read_only ? "on" : "off", nullable(options.exclusive_lock_timeout));
    if (facts) {
      facts->host_now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
      facts->standby = r[0][0].as<bool>();
      facts->server_now = r[0][1].as<std::int64_t>();
      facts->citus = r[0][11].as<bool>();
    }
  } catch (const pqxx::sql_error& e) {
    const bool exclusive =
        !options.exclusive_lock_timeout.empty() && !valid_lock_timeout(tx, options.exclusive_lock_timeout);
    throw UsageError(std::string(exclusive ? "invalid exclusive lock timeout '" : "invalid lock timeout '") +
                     (exclusive ? options.exclusive_lock_timeout : options.lock_timeout) + "': " + e.what() +
                     "HINT: write it as PostgreSQL does, e.g. '2s' or '500ms'");
  }
  return conn;
}

std::string edit_conninfo(const std::string& dsn, const std::map<std::string, std::string>& settings,
                          bool only_missing)
{
  auto options = parse_conninfo(dsn);
  for (const auto& [key, value] : settings) {
    if (!only_missing || options.find(key) == options.end())
      options[key] = value;
  }
  std::string out;
  for (const auto& [key, value] : options) {
    if (!out.empty())
      out += ' ';
    out += key + "='";
    for (const char c : value) {
      if (c == '\\' || c == '\'')
        out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

std::string conninfo_value(const std::string& dsn, const std::string& key)
{
  const auto options = parse_conninfo(dsn);
  const auto it = options.find(key);
  return it == options.end() ? "" : it->second;
}

std::string service_or_conninfo(const std::string& dsn)
{
  const bool uri = dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
  if (dsn.empty() || uri || dsn.find('=') != std::string::npos)
    return dsn;
  return edit_conninfo("", {{"service", dsn}}, false);
}

std::string describe_dsn(const std::string& dsn)
{
  auto options = parse_conninfo(dsn);
  const auto get = [&](const char* key, const char* env) {
    if (!options[key].empty())
      return options[key];
    const char* value = std::getenv(env);
    return std::string(value ? value : "");
  };
  std::string out = get("user", "PGUSER");
  if (!out.empty())
    out += "@";
  out += get("host", "PGHOST");
  if (const auto port = get("port", "PGPORT"); !port.empty())
    out += ":" + port;
  out += "/" + get("dbname", "PGDATABASE");
  if (const auto service = get("service", "PGSERVICE"); !service.empty())
    out += " (service " + service + ")";
  return out;
}

std::vector<std::string> read_dsn_list(std::istream& in)
{
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#')
      out.push_back(line);
  }
  return out;
}

std::vector<std::string> read_dsn_file(const std::string& path, const char* what)
{
  std::ifstream f(path);
  if (!f)
    throw UsageError(std::string(what) + ": cannot read '" + path + "'");
  return read_dsn_list(f);
}

std::string text_array(const std::vector<std::string>& items)
{
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

} // namespace partman::db
