// The SQL partman reads Citus's facts with: how a parent is distributed, and the sizes and row estimates of
// distributed tables from their shards. It names Citus's catalog and functions, so it is sent only to a
// server where the citus extension is installed.
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "partman/core/snapshot.hpp"

namespace partman::db {

// Returns the columns "citus" (the table `relid` names is a Citus table) and "distcol" (its hash
// distribution column, else NULL), read from pg_dist_partition; `relid` is an SQL expression of its oid.
std::string citus_distribution_sql(const std::string& relid);
// Returns the size of distributed table `relid` (an SQL expression of its regclass or oid): its shards',
// with their indexes and TOAST.
std::string citus_size_sql(const std::string& relid);
// Returns, as a real, the rows of distributed table `relid` (an SQL expression of its regclass or oid): its
// shards' reltuples summed up, as Citus's own citus_stats reads them (-1 when no shard was ever analysed);
// with `live`, each shard's the larger of its reltuples and the live rows the statistics counted (-1 when
// no shard was ever analysed or written).
std::string citus_rows_sql(const std::string& relid, bool live);
// Returns, as a bigint, the planner's estimate of the rows of distributed table `relid` that match
// `condition` (both SQL expressions, `condition` of the condition's text), asked of each shard (EXPLAIN, no
// scan; 0 for a shard whose heap is empty, and for one estimated at 1, the planner's least) and summed up;
// NULL when no shard answered.
std::string citus_estimate_sql(const std::string& relid, const std::string& condition);

// Returns how Citus distributes table `table` (as SQL writes it): nothing where the citus extension is not
// installed (one query), else read from pg_dist_partition (one more).
core::Distribution read_distribution(pqxx::transaction_base& tx, const std::string& table);

} // namespace partman::db
