#include "partman/db/table_facts.hpp"

#include <pqxx/pqxx>

namespace partman::db {

std::string relation_kind(pqxx::transaction_base& tx, const std::string& qualified)
{
  const auto kind =
      tx.exec_params("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)", qualified);
  return kind.empty() ? std::string() : kind[0][0].as<std::string>();
}

std::optional<ColumnFacts> find_column(pqxx::transaction_base& tx, const std::string& qualified,
                                       const std::string& column)
{
  pqxx::result col;
  try {
    col = tx.exec_params(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnum::int FROM "
        "pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = (parse_ident($2))[1] "
        "AND a.attnum > 0 AND NOT a.attisdropped AND array_length(parse_ident($2), 1) = 1",
        qualified, column);
  } catch (const pqxx::sql_error&) {
    return std::nullopt;
  }
  if (col.empty())
    return std::nullopt;
  return ColumnFacts{col[0][0].as<std::string>(), col[0][1].as<std::string>(), col[0][2].as<int>()};
}

std::vector<std::string> unique_indexes_without(pqxx::transaction_base& tx, const std::string& qualified,
                                                int attnum)
{
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params("SELECT i.indexrelid::regclass::text FROM pg_index i WHERE "
                                        "i.indrelid = to_regclass($1) AND i.indisunique AND NOT $2 = ANY "
                                        "(i.indkey::int2[]) ORDER BY 1",
                                        qualified, attnum))
    out.push_back(row[0].as<std::string>());
  return out;
}

} // namespace partman::db
