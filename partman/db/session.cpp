#include "partman/db/session.hpp"

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "partman/core/errors.hpp"

namespace partman::db {

std::unique_ptr<pqxx::connection> open_session(const std::string& dsn, const SessionOptions& options)
{
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(dsn);
  } catch (const pqxx::broken_connection& e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    throw ConnectionError("cannot connect to the database: " + message);
  } catch (const std::exception& e) {
    throw UsageError(std::string("invalid connection string: ") + e.what() +
                     "HINT: pass a conninfo ('host=... dbname=...') or a URI ('postgresql://...')");
  }
  pqxx::nontransaction tx(*conn);
  try {
    tx.exec_params("SELECT set_config('application_name', 'partman', false), "
                   "set_config('lock_timeout', $1, false), set_config('TimeZone', 'UTC', false), "
                   "set_config('DateStyle', 'ISO, YMD', false), set_config('IntervalStyle', 'postgres', false), "
                   "set_config('standard_conforming_strings', 'on', false), "
                   "set_config('default_transaction_read_only', $2, false)",
                   options.lock_timeout, options.read_only ? "on" : "off");
  } catch (const pqxx::sql_error& e) {
    throw UsageError("invalid lock timeout '" + options.lock_timeout + "': " + e.what() +
                     "HINT: write it as PostgreSQL does, e.g. '2s' or '500ms'");
  }
  return conn;
}

bool is_standby(pqxx::connection& conn)
{
  pqxx::nontransaction tx(conn);
  return tx.exec("SELECT pg_is_in_recovery()")[0][0].as<bool>();
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
