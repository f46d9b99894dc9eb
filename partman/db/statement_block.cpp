#include "partman/db/statement_block.hpp"

#include <pqxx/except>

#include "partman/core/names.hpp"

namespace partman::db {

std::vector<std::string> with_worker_timeouts(pqxx::transaction_base& tx, std::vector<std::string> statements,
                                              int& messages)
{
  const std::string set = "SET LOCAL lock_timeout = ";
  std::vector<std::string> out{"SET LOCAL citus.propagate_set_commands = 'local'"};
  if (statements.empty() || statements.front().rfind(set, 0) != 0) {
    ++messages;
    out.push_back(set + core::quote_literal(tx.exec("SHOW lock_timeout")[0][0].as<std::string>()));
  }
  out.insert(out.end(), std::make_move_iterator(statements.begin()),
             std::make_move_iterator(statements.end()));
  return out;
}

pqxx::result exec_block(pqxx::nontransaction& tx, const std::vector<std::string>& statements,
                        const std::string& last, bool commit, bool per_statement, int& messages)
{
  try {
    pqxx::result r;
    if (per_statement) {
      tx.exec("BEGIN");
      const auto all = with_worker_timeouts(tx, statements, messages);
      messages += static_cast<int>(all.size()) + 2;
      for (const auto& s : all)
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
