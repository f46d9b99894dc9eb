#include "partman/db/default_move.hpp"

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <spdlog/spdlog.h>

#include "partman/core/action_sql.hpp"
#include "partman/core/names.hpp"
#include "partman/db/session.hpp"
#include "partman/db/statement_block.hpp"

namespace partman::db {

namespace {

// Logs the progress of the rows a create moves: every batch with progress_ms 0, else at most that often,
// and the last batch.
class MoveLog
{
public:
  MoveLog(const ExecutorOptions& options, const core::Action& action)
      : m_every_ms(options.progress_ms), m_target(core::quote_qualified(action.schema, action.name)),
        m_from(core::quote_qualified(action.move->schema, action.move->name))
  {
  }

  // Logs a batch that moved `moved` rows (`total` so far); `last`: no batch follows.
  void batch(long long moved, long long total, bool last)
  {
    if (m_every_ms != 0 && !last && ms_since(m_logged) < m_every_ms)
      return;
    // A batch that moved nothing is news only to -v.
    spdlog::log(moved > 0 ? spdlog::level::info : spdlog::level::debug,
                "{}: moved {} rows out of {} ({} so far{})", m_target, moved, m_from, total,
                last ? "; the last ones move with the attach" : "");
    m_logged = std::chrono::steady_clock::now();
  }

private:
  int m_every_ms;
  std::string m_target;
  std::string m_from;
  std::chrono::steady_clock::time_point m_logged = std::chrono::steady_clock::now();
};

// Moves the rows by batches of ctid, each one statement and its own transaction, until one moves less than
// a batch.
void move_by_ctid(pqxx::nontransaction& tx, const core::DefaultMove& m, ActionOutcome& out, MoveLog& log)
{
  for (bool done = false; !done;) {
    ++out.messages;
    const auto moved = static_cast<long long>(tx.exec(m.batch_sql).affected_rows());
    out.moved += moved;
    done = moved < m.batch_size;
    log.batch(moved, out.moved, done);
  }
}

// Moves the rows of a Citus table's default partition by batches bounded by key ranges (Citus plans no
// DELETE by ctid): each batch a transaction, one statement per message, that holds SHARE on the default
// partition while it reads where the next batch starts, copies the batch on the workers and deletes it.
void move_by_key_range(pqxx::nontransaction& tx, const core::Action& action, const ExecutorOptions& options,
                       ActionOutcome& out, MoveLog& log)
{
  const core::KeyRangeBatches& b = *action.move->key_ranges;
  std::string start; // the last key of the batch before (none before the first)
  bool first = true;
  for (bool done = false; !done;) {
    std::vector<std::string> statements = timeout_statements(action, options); // SHARE queues writers
    statements.push_back(b.lock_sql);
    tx.exec("BEGIN");
    try {
      statements = with_worker_timeouts(tx, std::move(statements), out.messages);
      out.messages += static_cast<int>(statements.size()) + 5; // BEGIN, next, copy, delete, COMMIT
      for (const auto& s : statements)
        tx.exec(s);
      const char* from = first ? nullptr : start.c_str();
      const auto next = tx.exec_params(b.next_sql, from);
      done = next.empty();
      const std::string end = done ? std::string() : next[0][0].as<std::string>();
      const char* to = done ? nullptr : end.c_str();
      const auto copied = tx.exec_params(b.copy_sql, from, to).affected_rows();
      const auto deleted = tx.exec_params(b.delete_sql, from, to).affected_rows();
      if (copied != deleted)
        throw std::runtime_error("a batch copied " + std::to_string(copied) + " rows into " +
                                 core::quote_qualified(action.schema, action.name) + " but deleted " +
                                 std::to_string(deleted) +
                                 " from the default partition; nothing of it moved");
      tx.exec("COMMIT");
      out.moved += static_cast<long long>(deleted);
      log.batch(static_cast<long long>(deleted), out.moved, done);
      start = end;
      first = false;
    } catch (...) {
      tx.exec("ROLLBACK");
      throw;
    }
  }
}

} // namespace

std::vector<std::string> timeout_statements(const core::Action& a, const ExecutorOptions& options)
{
  std::string sql = core::exclusive_timeout_sql(a, options.exclusive_lock_timeout);
  if (sql.empty())
    return {};
  sql.resize(sql.size() - 2); // without its ";\n"
  return {sql};
}

void run_move(pqxx::connection& conn, const core::ParentPlan& parent, const Recorder& recorder,
              const ExecutorOptions& options, ActionOutcome& out,
              std::chrono::steady_clock::time_point started_at)
{
  const core::Action& action = *out.action;
  const core::DefaultMove& m = *action.move;
  std::vector<std::string> setup, rest = timeout_statements(action, options);
  for (std::size_t i = 0; i < action.sql.size(); ++i)
    (i >= m.setup_from && i < m.setup_from + m.setup_count ? setup : rest).push_back(action.sql[i]);
  pqxx::nontransaction tx(conn);
  if (!out.prepared && m.setup_count > 0) {
    ActionOutcome started = out;
    started.status = ActionOutcome::Status::started;
    out.history_id = exec_block(tx, setup, recorder.insert_sql(parent, started, "NULL") + " RETURNING id",
                                false, action.per_statement, out.messages)[0][0]
                         .as<long long>();
    out.prepared = true;
  }
  MoveLog log(options, action);
  if (m.key_ranges)
    move_by_key_range(tx, action, options, out, log);
  else
    move_by_ctid(tx, m, out, log);
  out.status = ActionOutcome::Status::ok;
  const std::string ms = std::to_string(ms_since(started_at));
  exec_block(tx, rest,
             out.history_id != 0 ? recorder.update_sql(out, ms) : recorder.insert_sql(parent, out, ms), true,
             action.per_statement, out.messages);
}

void settle_failed_move(pqxx::connection& conn, ActionOutcome& out)
{
  const core::Action& action = *out.action;
  const std::string table = core::quote_qualified(action.schema, action.name);
  pqxx::nontransaction tx(conn);
  try {
    tx.exec("BEGIN");
    std::vector<std::string> statements{core::lock_sql(action.schema, action.name, "ACCESS EXCLUSIVE")};
    if (action.per_statement)
      statements = with_worker_timeouts(tx, std::move(statements), out.messages);
    for (const auto& s : statements)
      tx.exec(s);
    // Two statements: Citus plans no query that reads the catalog and a distributed table together.
    const bool attached =
        tx.exec("SELECT relispartition FROM pg_class WHERE oid = " + core::quote_literal(table) +
                "::regclass")[0][0]
            .as<bool>();
    const bool keep =
        attached || tx.exec("SELECT EXISTS (SELECT 1 FROM ONLY " + table + ")")[0][0].as<bool>();
    if (!keep)
      tx.exec("DROP TABLE " + table);
    tx.exec("COMMIT");
    out.messages += static_cast<int>(statements.size()) + (keep ? 4 : 5);
    out.prepared = keep;
    out.error += keep ? "; the rows moved so far wait in " + table + ", which the next run adopts"
                      : "; its new table " + table + " held no row and was dropped";
  } catch (const pqxx::sql_error& e) {
    tx.exec("ROLLBACK");
    spdlog::warn("cannot settle what the failed create of {} left: {}", table, clean_message(e.what()));
  }
}

} // namespace partman::db
