// Reading pg_partman's configuration (its part_config table, 4.x or 5.x) without changing anything.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/core/pg_partman_map.hpp"

namespace partman::db {

// Where pg_partman's configuration was found.
struct PgPartmanSource
{
  std::string schema;  // holds part_config
  std::string version; // the pg_partman extension's version; empty when it is not installed in `schema`
};

// Finds part_config in `from_schema` when given, else in the schema of the pg_partman extension; throws
// UsageError with a hint when there is none.
PgPartmanSource find_pg_partman(pqxx::transaction_base& tx, const std::string& from_schema);
// Reads every parent of part_config, only the columns that exist there, with what the catalog says of each
// parent, and with its part_config_sub row if it has one; intervals and retentions of time keys come cast by
// the server (UsageError for one that is not an interval).
std::vector<core::PgPartmanParent> read_pg_partman_config(pqxx::transaction_base& tx,
                                                          const PgPartmanSource& source);
// Returns the database's TimeZone as a new session starts with it (partman's own sessions run in UTC).
std::string database_timezone(pqxx::transaction_base& tx);

} // namespace partman::db
