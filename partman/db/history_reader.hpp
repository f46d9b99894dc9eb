// Reads from partman's history and archive tables the work an earlier run left unfinished.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/core/snapshot.hpp"

namespace partman::db {

// Adds to each parent the removals an earlier run began (outside a transaction block) and did not finish,
// the tables into which an interrupted move out of its default partition put rows, and its unfinished
// archives, in one query. Both history parts start from the rows of the last 30 days that did not end
// 'ok' (few, read through history_pending_idx, whose predicate this one matches), so the history is not
// scanned or sorted.
void read_unfinished(pqxx::transaction_base& tx, const std::string& schema,
                     std::vector<core::ParentSnapshot>& out);

} // namespace partman::db
