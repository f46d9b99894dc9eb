// A transaction block of an action's statements, sent as one message (one round trip) or, for a Citus
// table, one statement per message (Citus re-sends an ATTACH's or DETACH's text to its workers, which
// refuse several commands in one).
#pragma once

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace partman::db {

// Runs `statements` (without their ';'), then `last`, as one transaction block, and adds the messages it
// sent to `messages`. In one message, with its COMMIT when `commit`, else committed in a second one after
// `last`'s result (which it returns) has come back; with `per_statement`, BEGIN, each statement, `last` and
// COMMIT each in a message of its own, with_worker_timeouts. A failed statement leaves the block open and
// aborted: it is rolled back, and the error thrown. Returns `statements` (of a transaction block on a Citus
// table) with what makes Citus's connections to its workers wait for locks no longer than this session does
// first: SET LOCAL citus.propagate_set_commands, so that Citus passes the block's SET LOCAL on to them (it
// passes no session setting, and its LOCK TABLE of a distributed table waits on the workers first), and,
// where `statements` set no lock_timeout, a SET LOCAL of the session's own (asked of the server, one more
// message, counted in `messages`).
std::vector<std::string> with_worker_timeouts(pqxx::transaction_base& tx, std::vector<std::string> statements,
                                              int& messages);

pqxx::result exec_block(pqxx::nontransaction& tx, const std::vector<std::string>& statements,
                        const std::string& last, bool commit, bool per_statement, int& messages);

} // namespace partman::db
