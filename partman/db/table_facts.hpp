// Small facts about one table that manage checks before it saves a policy: its kind, a column, its unique
// indexes.
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace partman::db {

// A column of a table, as the catalog holds it.
struct ColumnFacts
{
  std::string name;      // its name, unquoted
  std::string type_name; // format_type() of its type
  int attnum = 0;        // its column number
};

// Returns the relkind of the table `qualified` (quoted, as SQL writes it): "r" for a plain table, "p" for a
// partitioned one; "" when there is none.
std::string relation_kind(pqxx::transaction_base& tx, const std::string& qualified);
// Returns the column of table `qualified` that `column` (as SQL writes one identifier) names, or none.
std::optional<ColumnFacts> find_column(pqxx::transaction_base& tx, const std::string& qualified,
                                       const std::string& column);
// Returns the names of the unique indexes of `qualified` that lack its column number `attnum`: a partition
// partitioned on that column cannot have them.
std::vector<std::string> unique_indexes_without(pqxx::transaction_base& tx, const std::string& qualified,
                                                int attnum);

} // namespace partman::db
