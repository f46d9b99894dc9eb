#include "partman/db/citus_sql.hpp"

#include <pqxx/pqxx>

namespace partman::db {

std::string citus_distribution_sql(const std::string& relid)
{
  return "EXISTS (SELECT FROM pg_dist_partition d WHERE d.logicalrelid = " + relid +
         ") AS citus, (SELECT column_to_column_name(d.logicalrelid, d.partkey) FROM pg_dist_partition d "
         "WHERE "
         "d.logicalrelid = " +
         relid + " AND d.partmethod = 'h') AS distcol";
}

std::string citus_size_sql(const std::string& relid)
{
  return "citus_total_relation_size(" + relid + ")";
}

std::string citus_rows_sql(const std::string& relid, bool live)
{
  // run_command_on_shards puts each shard's name where %s stands (format()).
  const std::string shard_rows = live
                                     ? "CASE WHEN reltuples < 0 AND pg_stat_get_live_tuples(oid) = 0 THEN -1 "
                                       "ELSE greatest(reltuples, pg_stat_get_live_tuples(oid)) END"
                                     : "reltuples";
  return "(SELECT CASE WHEN bool_and(r.v < 0) THEN -1 ELSE sum(greatest(r.v, 0)) END::real FROM (SELECT "
         "s.result::real AS v FROM run_command_on_shards(" +
         relid + ", 'SELECT " + shard_rows +
         " FROM pg_class WHERE oid = ''%s''::regclass') s WHERE s.success) r)";
}

std::string citus_estimate_sql(const std::string& relid, const std::string& condition)
{
  // A '%' of the condition is doubled: run_command_on_shards passes the command through format(). The
  // planner estimates at least one row of any table: a shard's 1 counts as none, else every shard of an
  // empty range would add one.
  return "(SELECT sum(CASE WHEN z.result::bigint = 0 OR r.n <= 1 THEN 0 ELSE r.n END)::bigint FROM "
         "run_command_on_shards(" +
         relid + ", 'SELECT pg_relation_size(''%s'')') z JOIN run_command_on_shards(" + relid +
         ", 'EXPLAIN (FORMAT JSON) SELECT 1 FROM ONLY %s WHERE ' || replace(" + condition +
         ", '%', '%%')) e USING (shardid) CROSS JOIN LATERAL (SELECT round((e.result::json -> 0 -> 'Plan' "
         "->> "
         "'Plan Rows')::numeric) AS n) r WHERE z.success AND e.success)";
}

core::Distribution read_distribution(pqxx::transaction_base& tx, const std::string& table)
{
  core::Distribution d;
  if (!tx.exec("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")[0][0].as<bool>())
    return d;
  const auto r = tx.exec_params("SELECT " + citus_distribution_sql("$1::regclass"), table);
  d.citus = r[0][0].as<bool>();
  d.column = r[0][1].is_null() ? "" : r[0][1].as<std::string>();
  return d;
}

} // namespace partman::db
