#include "partman/db/table_facts.hpp"

#include <pqxx/pqxx>

namespace partman::db {

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

} // namespace partman::db
