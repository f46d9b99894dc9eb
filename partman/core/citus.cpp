#include "partman/core/citus.hpp"

#include "partman/core/names.hpp"

namespace partman::core {

namespace {

// Returns the column list "a", "b" (empty: all columns, in order).
std::string column_list(const std::vector<std::string>& columns)
{
  std::string list;
  for (const auto& c : columns)
    list += (list.empty() ? "" : ", ") + quote_ident(c);
  return list;
}

// Returns "INSERT INTO to (cols) SELECT cols FROM ONLY from WHERE where".
std::string copy_rows_sql(const std::string& from_sql, const std::string& to_sql,
                          const std::vector<std::string>& columns, const std::string& where)
{
  const std::string list = column_list(columns);
  return "INSERT INTO " + to_sql + (list.empty() ? "" : " (" + list + ")") + " SELECT " +
         (list.empty() ? "*" : list) + " FROM ONLY " + from_sql + " WHERE " + where;
}

} // namespace

const char* const k_citus_differences =
    "statements go one per message (Citus re-sends an ATTACH's or DETACH's text to its workers); removals "
    "are a short DETACH or DROP under ACCESS EXCLUSIVE, as Citus has no DETACH ... CONCURRENTLY; a new table "
    "is distributed before rows of the default partition move into it, in batches bounded by key ranges";
const char* const k_citus_create_locks =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table, which Citus "
    "distributes on the attach, colocated with the parent; one statement per message (Citus)";
const char* const k_citus_create_default_locks =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition (the attach scans "
    "its shards) and on the new table, which is distributed, colocated with the parent, before rows move "
    "into it; a batch of rows moved before takes SHARE on the default partition while it runs; one statement "
    "per message (Citus)";
const char* const k_citus_drop_locks =
    "ACCESS EXCLUSIVE on the parent, then on its default partition if any and on the partition: a short DROP "
    "TABLE, as Citus has no DETACH ... CONCURRENTLY; one statement per message (Citus)";
const char* const k_citus_detach_locks =
    "ACCESS EXCLUSIVE on the parent, then on its default partition if any and on the partition: a short "
    "DETACH, as Citus has no DETACH ... CONCURRENTLY; one statement per message (Citus)";

std::string distribution_text(const Distribution& d)
{
  if (!d.citus)
    return {};
  if (d.column.empty())
    return "a Citus table (reference or local, not distributed by a column)";
  return "distributed by Citus on " + quote_ident(d.column);
}

std::string distribute_sql(const std::string& child_sql, const std::string& column,
                           const std::string& parent_sql)
{
  return "SELECT create_distributed_table(" + quote_literal(child_sql) + ", " + quote_literal(column) +
         ", colocate_with => " + quote_literal(parent_sql) + ")";
}

std::vector<std::string> move_all_sql(const std::string& from_sql, const std::string& to_sql,
                                      const std::vector<std::string>& columns, const std::string& condition)
{
  return {copy_rows_sql(from_sql, to_sql, columns, condition),
          "DELETE FROM ONLY " + from_sql + " WHERE " + condition};
}

KeyRangeBatches key_range_batches(const std::string& from_sql, const std::string& to_sql,
                                  const std::vector<std::string>& columns, const std::string& condition,
                                  const std::string& column, int batch_size)
{
  const std::string key = quote_ident(column);
  // (start, end]: a batch never stops inside a run of equal keys, and always moves at least one row.
  const std::string after = " AND coalesce(" + key + " > $1, true)";
  const std::string where = condition + after + " AND coalesce(" + key + " <= $2, true)";
  KeyRangeBatches b;
  b.lock_sql = "LOCK TABLE ONLY " + from_sql + " IN SHARE MODE";
  b.next_sql = "SELECT " + key + " FROM ONLY " + from_sql + " WHERE " + condition + after + " ORDER BY " +
               key + " OFFSET " + std::to_string(batch_size > 0 ? batch_size - 1 : 0) + " LIMIT 1";
  b.copy_sql = copy_rows_sql(from_sql, to_sql, columns, where);
  b.delete_sql = "DELETE FROM ONLY " + from_sql + " WHERE " + where;
  return b;
}

const std::string& batch_column(const ParentSnapshot& parent)
{
  if (parent.strategy == Strategy::list && !parent.distribution.column.empty())
    return parent.distribution.column;
  return parent.key_column;
}

std::string batches_text(const KeyRangeBatches& b)
{
  return b.lock_sql + ";\n" + b.next_sql + ";\n" + b.copy_sql + ";\n" + b.delete_sql;
}

} // namespace partman::core
