#include "partman/db/installer.hpp"

#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/db/privileges.hpp"

namespace partman::db {

namespace {

// The advisory lock that serialises concurrent installs.
constexpr int k_install_lock = 0x70617274;

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// Returns the version the meta table of `schema` records (0: none); the table must exist.
int meta_version(pqxx::transaction_base& tx, const std::string& schema)
{
  const auto v =
      tx.exec("SELECT value FROM " + core::quote_ident(schema) + ".meta WHERE key = 'schema_version'");
  return v.empty() ? 0 : std::stoi(v[0][0].as<std::string>());
}

int installed_version(pqxx::transaction_base& tx, const std::string& schema)
{
  const auto r = tx.exec_params("SELECT to_regclass(format('%I.meta', $1::text)) IS NOT NULL", schema);
  return r[0][0].as<bool>() ? meta_version(tx, schema) : 0;
}

// Throws UsageError when `schema` is at a version newer than this binary's.
void refuse_newer(const std::string& schema, int version)
{
  if (version > latest_schema_version())
    throw UsageError("schema '" + schema + "' is at version " + std::to_string(version) +
                     ", newer than this partman (" + std::to_string(latest_schema_version()) +
                     "); HINT: upgrade partman");
}

// Brings the extension partman, at `version`, to this binary's version with ALTER EXTENSION UPDATE (which
// runs the update scripts installed on the server) and commits; nothing when it is there already.
InstallResult update_extension(pqxx::work& tx, const std::string& version)
{
  InstallResult result;
  result.extension = true;
  result.to_version = latest_schema_version();
  try {
    result.from_version = std::stoi(version);
  } catch (const std::exception&) {
    throw UsageError("the extension partman is at version '" + version +
                     "', which this partman does not know (its versions are whole numbers)");
  }
  refuse_newer("partman", result.from_version);
  if (result.from_version == result.to_version)
    return result;
  const std::string to = std::to_string(result.to_version);
  try {
    tx.exec("ALTER EXTENSION partman UPDATE TO " + tx.quote(to));
  } catch (const pqxx::insufficient_privilege&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    throw UsageError(
        "cannot update the extension partman from version " + version + " to " + to + ": " +
        first_line(e.what()) +
        "; HINT: install the extension files of this partman on the database server (the partman "
        "package, or 'cmake --install'), then rerun 'partman install' or run ALTER EXTENSION "
        "partman UPDATE");
  }
  tx.commit();
  return result;
}

} // namespace

int latest_schema_version()
{
  return embedded_scripts().empty() ? 0 : embedded_scripts().back().version;
}

InstallResult install_schema(pqxx::connection& conn, const std::string& schema)
{
  if (schema.empty())
    throw UsageError("the schema name is empty; HINT: pass --schema NAME");
  // PostgreSQL keeps these names for its own schemas (CREATE SCHEMA refuses pg_*).
  if (schema.rfind("pg_", 0) == 0 || schema == "information_schema")
    throw UsageError("--schema: '" + schema +
                     "' is a name PostgreSQL reserves for its system schemas (pg_* and information_schema); "
                     "HINT: choose another, such as --schema partman");
  pqxx::work tx(conn);
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(k_install_lock) + ")");
  const auto ext =
      tx.exec_params("SELECT e.extname, e.extversion FROM pg_extension e JOIN pg_namespace n ON "
                     "n.oid = e.extnamespace WHERE n.nspname = $1 ORDER BY e.extname <> 'partman', 1",
                     schema);
  if (!ext.empty() && ext[0][0].as<std::string>() == "partman")
    return update_extension(tx, ext[0][1].as<std::string>());
  if (!ext.empty())
    throw UsageError("schema '" + schema + "' holds the extension '" + ext[0][0].as<std::string>() +
                     "'; partman keeps its tables apart from it; HINT: choose another schema with --schema, "
                     "for example --schema partman_policy (and pass the same --schema, or set "
                     "PARTMAN_SCHEMA, on every command)");
  InstallResult result;
  result.from_version = installed_version(tx, schema);
  const std::string q = core::quote_ident(schema);
  // CREATE SCHEMA IF NOT EXISTS would need CREATE on the database even when the schema exists (a role that
  // owns a schema made for it has no such right): create it only when it is missing.
  const auto found = tx.exec_params("SELECT current_user::text, current_database()::text, EXISTS (SELECT 1 "
                                    "FROM pg_namespace WHERE nspname = $1), has_database_privilege("
                                    "current_database(), 'CREATE')",
                                    schema);
  if (!found[0][2].as<bool>()) {
    const std::string role = core::quote_ident(found[0][0].as<std::string>());
    if (!found[0][3].as<bool>())
      throw UsageError("role " + role + " cannot create schema " + q + ": it lacks CREATE on database " +
                       core::quote_ident(found[0][1].as<std::string>()) +
                       "; HINT: as a superuser, CREATE SCHEMA " + q + " AUTHORIZATION " + role +
                       ", then rerun 'partman install'");
    tx.exec("CREATE SCHEMA " + q);
  }
  refuse_newer(schema, result.from_version);
  for (const auto& script : embedded_scripts()) {
    if (script.version > result.from_version)
      tx.exec(replace_all(script.text, "@schema@", q));
  }
  result.to_version = latest_schema_version();
  if (result.from_version == result.to_version)
    return result; // nothing to write: a role that may only use the schema can rerun install too
  tx.exec_params(
      "INSERT INTO " + q +
          ".meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = "
          "EXCLUDED.value",
      std::to_string(result.to_version));
  tx.commit();
  return result;
}

void require_schema(pqxx::connection& conn, const std::string& schema)
{
  // One statement outside a transaction block (a run makes this check first, so it costs one round trip):
  // a schema or meta table that does not exist is an error here, which nothing else shares.
  int version = 0;
  try {
    pqxx::nontransaction tx(conn);
    version = meta_version(tx, schema);
  } catch (const pqxx::insufficient_privilege&) {
    require_privileges(conn, schema, Access::read);
    throw;
  } catch (const pqxx::undefined_table&) {
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "3F000") // invalid_schema_name
      throw;
  }
  if (version == 0)
    throw UsageError("the partman schema '" + schema +
                     "' is not installed in this database; HINT: run "
                     "'partman install' (with --schema if you chose another name)");
  if (version != latest_schema_version())
    throw UsageError("the partman schema '" + schema + "' is at version " + std::to_string(version) +
                     ", this partman expects " + std::to_string(latest_schema_version()) +
                     "; HINT: run 'partman install' to upgrade it");
}

} // namespace partman::db
