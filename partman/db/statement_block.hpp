// A transaction block of an action's statements, sent as one message (one round trip) or, for a Citus
// table, one statement per message (Citus re-sends an ATTACH's or DETACH's text to its workers, which
// refuse several commands in one).
#pragma once

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <string>
#include <vector>

namespace partman::db {

// Runs `statements` (without their ';'), then `last`, as one transaction block, and adds the messages it
// sent to `messages`. In one message, with its COMMIT when `commit`, else committed in a second one after
// `last`'s result (which it returns) has come back; with `per_statement`, BEGIN, each statement, `last` and
// COMMIT each in a message of its own. A failed statement leaves the block open and aborted: it is rolled
// back, and the error thrown.
pqxx::result exec_block(pqxx::nontransaction& tx, const std::vector<std::string>& statements,
                        const std::string& last, bool commit, bool per_statement, int& messages);

} // namespace partman::db
