#include "partman/db/default_rows.hpp"

#include <pqxx/pqxx>

namespace partman::db {

namespace {

// Returns SQL that gives RANGE key `expr` of type `type` as the planner's number: microseconds since 1970
// (UTC for timestamptz, the wall clock otherwise) for time keys, the integer itself otherwise.
std::string key_number_sql(core::KeyType type, const std::string& expr)
{
  switch (type) {
  case core::KeyType::timestamptz:
  case core::KeyType::timestamp:
    return "(extract(epoch FROM " + expr + ") * 1000000)::bigint";
  case core::KeyType::date:
    return "(extract(epoch FROM " + expr + "::timestamp) * 1000000)::bigint";
  case core::KeyType::smallint:
  case core::KeyType::integer:
  case core::KeyType::bigint:
  case core::KeyType::text:
  case core::KeyType::uuid:
  case core::KeyType::unsupported:
    break;
  }
  return expr + "::bigint";
}

// Returns the first row of the first column of `sql` as text (none for no row or NULL).
std::optional<std::string> first_value(pqxx::connection& conn, const std::string& sql)
{
  pqxx::nontransaction tx(conn);
  const auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

} // namespace

long long count_rows(pqxx::connection& conn, const std::string& table, const std::string& null_key)
{
  const std::string where = null_key.empty() ? "" : " WHERE " + null_key + " IS NULL";
  return std::stoll(first_value(conn, "SELECT count(*) FROM ONLY " + table + where).value_or("0"));
}

std::optional<std::string> next_default_key(pqxx::connection& conn, const std::string& table,
                                            const std::string& key, core::KeyType type, bool list,
                                            const std::optional<std::string>& after)
{
  const std::string where = key + (after ? (list ? " > " : " >= ") + *after : " IS NOT NULL");
  return first_value(conn, "SELECT " + (list ? key + "::text" : key_number_sql(type, key)) + " FROM ONLY " +
                               table + " WHERE " + where + " ORDER BY " + key + " LIMIT 1");
}

std::vector<std::string> example_keys(pqxx::connection& conn, const std::string& table,
                                      const std::string& key, int limit)
{
  pqxx::nontransaction tx(conn);
  std::vector<std::string> out;
  for (const auto& row : tx.exec("SELECT coalesce(" + key + "::text, 'NULL') FROM ONLY " + table +
                                 " ORDER BY " + key + " LIMIT " + std::to_string(limit)))
    out.push_back(row[0].as<std::string>());
  return out;
}

} // namespace partman::db
