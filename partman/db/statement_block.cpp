#include "partman/db/statement_block.hpp"

#include <pqxx/except>

namespace partman::db {

pqxx::result exec_block(pqxx::nontransaction& tx, const std::vector<std::string>& statements,
                        const std::string& last, bool commit, bool per_statement, int& messages)
{
  try {
    pqxx::result r;
    if (per_statement) {
      messages += static_cast<int>(statements.size()) + 2;
      tx.exec("BEGIN");
      for (const auto& s : statements)
        tx.exec(s);
      r = tx.exec(last);
    } else {
      std::string block = "BEGIN;\n";
      for (const auto& s : statements)
        block.append(s).append(";\n");
      ++messages;
      r = tx.exec(block + last + (commit ? ";\nCOMMIT" : ""));
      if (commit)
        return r;
    }
    ++messages;
    tx.exec("COMMIT");
    return r;
  } catch (const pqxx::sql_error&) {
    tx.exec("ROLLBACK");
    throw;
  }
}

} // namespace partman::db
