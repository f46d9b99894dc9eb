// Installs or upgrades the partman schema in place from the scripts in sql/ (compiled in).
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

namespace partman::db {

// One numbered script of sql/.
struct SqlScript
{
  int version;
  const char* name;
  const char* text;
};

// Returns the scripts of sql/, in version order (generated at build time).
const std::vector<SqlScript>& embedded_scripts();
// Returns the schema version this binary installs.
int latest_schema_version();

// What install did.
struct InstallResult
{
  int from_version = 0; // 0: a new install
  int to_version = 0;
  bool extension = false; // the schema is the extension partman (CREATE EXTENSION), updated as one
};

// Creates or upgrades the partman schema `schema` in one transaction; refuses a schema that holds an
// extension (pg_partman is often installed in a schema named partman) and the names PostgreSQL keeps for
// its system schemas (pg_*, information_schema). A schema that holds the extension partman itself is
// brought to this binary's version with ALTER EXTENSION partman UPDATE.
InstallResult install_schema(pqxx::connection& conn, const std::string& schema);
// Throws UsageError unless `schema` holds the partman schema at the version this binary expects.
void require_schema(pqxx::connection& conn, const std::string& schema);

} // namespace partman::db
