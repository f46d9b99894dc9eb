#include "partman/db/run_state.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "partman/core/names.hpp"
#include "partman/db/citus_sql.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// Splits table names into the schema and table arrays a statement unnests.
std::pair<std::string, std::string> name_arrays(const std::vector<TableName>& names)
{
  std::vector<std::string> schemas, tables;
  for (const auto& n : names) {
    schemas.push_back(n.first);
    tables.push_back(n.second);
  }
  return {text_array(schemas), text_array(tables)};
}

// Returns a microsecond timestamp field, or none for NULL.
std::optional<std::int64_t> micros(const pqxx::field& f)
{
  if (f.is_null())
    return std::nullopt;
  return f.as<std::int64_t>();
}

} // namespace

void record_run_state(pqxx::connection& conn, const std::string& schema, const std::vector<RunMark>& marks)
{
  if (marks.empty())
    return;
  std::vector<TableName> names;
  std::vector<std::string> errors;
  for (const auto& m : marks) {
    names.push_back(m.parent);
    errors.push_back(m.error);
  }
  const auto [schemas, tables] = name_arrays(names);
  const std::string q = core::quote_ident(schema);
  pqxx::nontransaction tx(conn);
  tx.exec_params("INSERT INTO " + q +
                     ".run_state AS r (parent_schema, parent_table, last_run, last_success, last_error) "
                     "SELECT u.s, u.t, now(), CASE WHEN u.e = '' THEN now() END, nullif(u.e, '') "
                     "FROM unnest($1::text[], $2::text[], $3::text[]) AS u(s, t, e) "
                     "ON CONFLICT (parent_schema, parent_table) DO UPDATE SET last_run = EXCLUDED.last_run, "
                     "last_success = coalesce(EXCLUDED.last_success, r.last_success), "
                     "last_error = EXCLUDED.last_error",
                 schemas, tables, text_array(errors));
}

std::vector<core::RunRecord> read_run_records(pqxx::transaction_base& tx, const std::string& schema,
                                              const std::vector<TableName>& parents)
{
  std::vector<core::RunRecord> out(parents.size());
  if (parents.empty())
    return out;
  const auto [schemas, tables] = name_arrays(parents);
  const std::string q = core::quote_ident(schema);
  const auto rows = tx.exec_params(
      "SELECT (extract(epoch FROM r.last_run) * 1000000)::bigint, "
      "(extract(epoch FROM r.last_success) * 1000000)::bigint, r.last_error, "
      "a.failed, a.bytes FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, t, i) LEFT JOIN " +
          q +
          ".run_state r ON r.parent_schema = u.s AND r.parent_table = u.t "
          "LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE a.state = 'failed') AS failed, "
          "coalesce(sum(a.stored_bytes) FILTER (WHERE a.state = 'dropped'), 0)::bigint AS bytes FROM " +
          q + ".archive a WHERE a.parent_schema = u.s AND a.parent_table = u.t) a ON true ORDER BY u.i",
      schemas, tables);
  for (std::size_t i = 0; i < rows.size() && i < out.size(); ++i) {
    out[i].last_run = micros(rows[i][0]);
    out[i].last_success = micros(rows[i][1]);
    out[i].last_error = rows[i][2].is_null() ? "" : rows[i][2].as<std::string>();
    out[i].failed_archives = rows[i][3].as<std::int64_t>();
    out[i].archived_bytes = rows[i][4].as<std::int64_t>();
  }
  return out;
}

std::vector<std::int64_t> estimate_rows(pqxx::transaction_base& tx, const std::vector<TableName>& tables,
                                        const std::vector<bool>& distributed)
{
  std::vector<std::int64_t> out(tables.size(), -1);
  if (tables.empty())
    return out;
  const auto [schemas, names] = name_arrays(tables);
  std::vector<std::string> citus;
  for (std::size_t i = 0; i < tables.size(); ++i)
    citus.push_back(i < distributed.size() && distributed[i] ? "t" : "f");
  const std::string plain = "greatest(c.reltuples::bigint, pg_stat_get_live_tuples(c.oid))";
  const bool any = std::find(distributed.begin(), distributed.end(), true) != distributed.end();
  const auto rows = tx.exec_params(
      "SELECT " +
          (any ? "CASE WHEN u.d THEN " + citus_rows_sql("c.oid", true) + "::bigint ELSE " + plain + " END"
               : plain) +
          " FROM unnest($1::text[], $2::text[], $3::bool[]) WITH ORDINALITY AS u(s, t, d, i) LEFT JOIN "
          "pg_namespace n ON n.nspname = u.s LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = "
          "u.t "
          "ORDER BY u.i",
      schemas, names, text_array(citus));
  for (std::size_t i = 0; i < rows.size() && i < out.size(); ++i)
    out[i] = rows[i][0].is_null() ? -1 : rows[i][0].as<std::int64_t>();
  return out;
}

} // namespace partman::db
