// Small facts about one table: a column of it.
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace partman::db {

// A column of a table, as the catalog holds it.
struct ColumnFacts
{
  std::string name;      // its name, unquoted
  std::string type_name; // format_type() of its type
  int attnum = 0;        // its column number
};

// Returns the column of table `qualified` that `column` (as SQL writes one identifier) names, or none.
std::optional<ColumnFacts> find_column(pqxx::transaction_base& tx, const std::string& qualified,
                                       const std::string& column);

} // namespace partman::db
