// The run_state table: per managed parent, when a run last worked on it and when one last succeeded.
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/core/health.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::db {

// How one run ended for one parent.
struct RunMark
{
  TableName parent;
  std::string error; // empty: the run succeeded for it
};

// Records the marks of one run in `schema`'s run_state in one statement (the server's clock stamps them):
// last_run for every mark, last_success for those without an error, last_error as given (NULL when empty).
void record_run_state(pqxx::connection& conn, const std::string& schema, const std::vector<RunMark>& marks);

// Returns the records of `parents` (in order), read in one query.
std::vector<core::RunRecord> read_run_records(pqxx::transaction_base& tx, const std::string& schema,
                                              const std::vector<TableName>& parents);
// Returns the estimated rows of each table of `tables` (in order): the larger of pg_class.reltuples (from
// the last VACUUM or ANALYZE) and the live rows of the statistics system (kept up to date by every write,
// lost after a crash); -1 for a table that does not exist. A table that Citus distributes (`distributed[i]`
// true; only where the citus extension is installed) is estimated from its shards. One query.
std::vector<std::int64_t> estimate_rows(pqxx::transaction_base& tx, const std::vector<TableName>& tables,
                                        const std::vector<bool>& distributed = {});

} // namespace partman::db
