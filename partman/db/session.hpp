// Connecting by libpq's conventions and setting up a session partman can rely on.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace partman::db {

// Session settings every partman connection runs with.
struct SessionOptions
{
  std::string lock_timeout = "1s";
  std::string exclusive_lock_timeout; // set per action by the executor; only checked here (empty: not)
  bool read_only = false;             // plan and status: the server refuses any write
};

// What the server told a session as it opened (in the round trip of its settings).
struct ServerFacts
{
  bool standby = false;        // in recovery: nothing can be written
  std::int64_t server_now = 0; // the server's now(), microseconds since 1970-01-01 UTC
  std::int64_t host_now = 0;   // this host's clock when the answer arrived, the same unit
  bool citus = false;          // the citus extension is installed (CatalogOptions::citus)
};

// Opens a connection from a conninfo string or URI (empty: PG* variables, service file, .pgpass) and
// applies `options`; with `facts`, also says whether the server is a standby and what its clock says, in
// the same round trip. Throws ConnectionError or UsageError.
std::unique_ptr<pqxx::connection> open_session(const std::string& dsn, const SessionOptions& options,
                                               ServerFacts* facts = nullptr);
// Returns `dsn` as a conninfo string with `settings` set (with `only_missing`, only those `dsn` does not
// set itself); a URI becomes key=value pairs. Throws UsageError when libpq cannot parse `dsn`.
std::string edit_conninfo(const std::string& dsn, const std::map<std::string, std::string>& settings,
                          bool only_missing);
// Returns the value `dsn` gives `key` ("" when it gives none).
std::string conninfo_value(const std::string& dsn, const std::string& key);
// Returns a word without '=' that is no URI (a libpq service name, as psql takes "service=NAME") as
// "service='NAME'"; any other `dsn` as it is.
std::string service_or_conninfo(const std::string& dsn);
// Returns "user@host:port/dbname" for a conninfo or URI (never its password), for output about a fleet.
std::string describe_dsn(const std::string& dsn);
// Returns the databases a --dsn-file lists: one conninfo or URI a line, blank lines and '#' comments skipped.
std::vector<std::string> read_dsn_list(std::istream& in);
// Returns the databases the file at `path` lists (read_dsn_list); UsageError naming `what` (the option or
// key that gave the path) when it cannot be read.
std::vector<std::string> read_dsn_file(const std::string& path, const char* what);
// Returns libpq's `message` without trailing white space and with any password of `dsn` masked; throws
// UsageError when libpq cannot parse `dsn`.
std::string mask_password(std::string message, const std::string& dsn);
// Returns `text` as a statement parameter, or NULL when it is empty.
inline const char* nullable(const std::string& text)
{
  return text.empty() ? nullptr : text.c_str();
}
// Returns a PostgreSQL array literal of `items` for a text[] parameter.
std::string text_array(const std::vector<std::string>& items);

} // namespace partman::db
