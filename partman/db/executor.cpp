#include "partman/db/executor.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

#include "partman/core/archive_state.hpp"
#include "partman/core/backoff.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// The first key of partman's two-key advisory locks ('pa').
constexpr int k_lock_class = 0x7061;

const char* const k_lock_key_sql = "hashtext(quote_ident(s) || '.' || quote_ident(t))";

std::string join_sql(const core::Action& a)
{
  std::string out;
  for (const auto& s : a.sql)
    out += s + ";\n";
  return out;
}

// Writes history rows; one per action, in the action's own transaction when it succeeds.
class Recorder
{
public:
  Recorder(std::string schema, std::string run_id)
      : m_schema(core::quote_ident(schema)), m_run_id(std::move(run_id))
  {
  }

  // Returns the INSERT of a history row; `duration_sql` is an SQL expression of milliseconds.
  std::string insert_sql(const core::ParentPlan& parent, const ActionOutcome& out,
                         const std::string& duration_sql) const
  {
    const core::Action& a = *out.action;
    const auto lit = [](const std::string& text) { return core::quote_literal(text); };
    return "INSERT INTO " + m_schema +
           ".history (run_id, parent_schema, parent_table, action, partition_schema, partition_name, sql, "
           "duration_ms, outcome, error) VALUES (" +
           lit(m_run_id) + ", " + lit(parent.schema) + ", " + lit(parent.table) + ", " +
           lit(core::to_string(a.kind)) + ", " + lit(a.schema) + ", " + lit(a.name) + ", " +
           lit(join_sql(a)) + ", " + duration_sql + ", " + lit(to_string(out.status)) + ", " +
           (out.error.empty() ? "NULL" : lit(out.error)) + ")";
  }

  // Returns the UPDATE that records how the action behind history row `out.history_id` ended.
  std::string update_sql(const ActionOutcome& out, const std::string& duration_sql) const
  {
    return "UPDATE " + m_schema + ".history SET outcome = " + core::quote_literal(to_string(out.status)) +
           ", duration_ms = " + duration_sql +
           ", error = " + (out.error.empty() ? "NULL" : core::quote_literal(out.error)) +
           " WHERE id = " + std::to_string(out.history_id);
  }

  // Returns the INSERT of an archive's row (state 'detaching'), or the existing unfinished row, with its id.
  std::string archive_row_sql(const core::ParentPlan& parent, const core::Action& a,
                              const std::string& storage) const
  {
    const auto lit = [](const std::string& text) { return core::quote_literal(text); };
    return "INSERT INTO " + m_schema +
           ".archive AS a (parent_schema, parent_table, partition_schema, partition_name, bound_from, "
           "bound_to, bound, storage) VALUES (" +
           lit(parent.schema) + ", " + lit(parent.table) + ", " + lit(a.schema) + ", " + lit(a.name) + ", " +
           (a.from.empty() ? "NULL" : lit(a.from)) + ", " + (a.to.empty() ? "NULL" : lit(a.to)) +
           // the bound as the server deparses it, while the table is still a partition
           ", (SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.oid = to_regclass(" +
           lit(core::quote_qualified(a.schema, a.name)) + ") AND c.relispartition), " + lit(storage) +
           ") ON CONFLICT (partition_schema, partition_name) WHERE state <> " +
           core::archive_state_sql(core::ArchiveState::dropped) +
           " DO UPDATE SET "
           "bound_from = coalesce(a.bound_from, EXCLUDED.bound_from), bound_to = coalesce(a.bound_to, "
           "EXCLUDED.bound_to), bound = coalesce(a.bound, EXCLUDED.bound), updated_at = now() RETURNING id";
  }

  // Returns the UPDATE that records an archive's partition as detached.
  std::string archive_detached_sql(long long id) const
  {
    return "UPDATE " + m_schema +
           ".archive SET state = " + core::archive_state_sql(core::ArchiveState::detached) +
           ", updated_at = now() WHERE id = " + std::to_string(id) +
           " AND state = " + core::archive_state_sql(core::ArchiveState::detaching);
  }

private:
  std::string m_schema;
  std::string m_run_id;
};

std::string clean(std::string message)
{
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  return message;
}

double ms_since(std::chrono::steady_clock::time_point started)
{
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

// Returns how often `a` is retried after a lock conflict.
int retries_of(const ExecutorOptions& options, const core::Action& a)
{
  return a.exclusive ? options.exclusive_retries : options.retries;
}

// Returns true when the action's partition is pending detach (an interrupted DETACH ... CONCURRENTLY).
bool detach_pending(pqxx::transaction_base& tx, const core::Action& a)
{
  const auto r = tx.exec("SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass(" +
                         core::quote_literal(core::quote_qualified(a.schema, a.name)) + ")");
  return !r.empty() && r[0][0].as<bool>();
}

// Returns "ALTER TABLE p DETACH PARTITION c FINALIZE" for "ALTER TABLE p DETACH PARTITION c CONCURRENTLY".
std::string finalize_form(const std::string& concurrent)
{
  const std::string suffix = " CONCURRENTLY";
  return concurrent.substr(0, concurrent.size() - suffix.size()) + " FINALIZE";
}

// Runs `statements` (each ending in ";\n"), then `last` (without its ';') as one transaction block: with its
// COMMIT in the same round trip when `commit`, else committed in a second one after `last`'s result (which
// it returns) has come back. A failed statement leaves the block open and aborted: it is rolled back.
pqxx::result exec_block(pqxx::nontransaction& tx, const std::string& statements, const std::string& last,
                        bool commit)
{
  try {
    auto r = tx.exec("BEGIN;\n" + statements + last + (commit ? ";\nCOMMIT" : ""));
    if (!commit)
      tx.exec("COMMIT");
    return r;
  } catch (const pqxx::sql_error&) {
    tx.exec("ROLLBACK");
    throw;
  }
}

// Runs a create whose rows of the new range move out of the default partition in batches: first the new,
// unattached table and its 'started' history row, in one transaction (unless an earlier attempt or run made
// it); then batches of rows, each its own short transaction, until one moves less than a batch; then the
// rest of the action (its locks, the last rows, the attach) in one transaction that records it as done.
// A run killed in between leaves the table and its 'started' row, and the next run adopts the table.
void run_move(pqxx::connection& conn, const core::ParentPlan& parent, const Recorder& recorder,
              const ExecutorOptions& options, ActionOutcome& out,
              std::chrono::steady_clock::time_point started_at)
{
  const core::Action& action = *out.action;
  const core::DefaultMove& m = *action.move;
  std::string setup, rest;
  for (std::size_t i = 0; i < action.sql.size(); ++i)
    (i >= m.setup_from && i < m.setup_from + m.setup_count ? setup : rest) += action.sql[i] + ";\n";
  pqxx::nontransaction tx(conn);
  if (!out.prepared && m.setup_count > 0) {
    ActionOutcome started = out;
    started.status = ActionOutcome::Status::started;
    out.history_id =
        exec_block(tx, setup, recorder.insert_sql(parent, started, "NULL") + " RETURNING id", false)[0][0]
            .as<long long>();
    out.prepared = true;
  }
  const std::string target = core::quote_qualified(action.schema, action.name);
  const std::string from = core::quote_qualified(m.schema, m.name);
  auto logged = std::chrono::steady_clock::now();
  for (bool done = false; !done;) {
    const auto moved = static_cast<long long>(tx.exec(m.batch_sql).affected_rows());
    out.moved += moved;
    done = moved < m.batch_size;
    if (options.progress_ms == 0 || done || ms_since(logged) >= options.progress_ms) {
      // A batch that moved nothing is news only to -v.
      spdlog::log(moved > 0 ? spdlog::level::info : spdlog::level::debug,
                  "{}: moved {} rows out of {} ({} so far{})", target, moved, from, out.moved,
                  done ? "; the last ones move with the attach" : "");
      logged = std::chrono::steady_clock::now();
    }
  }
  out.status = ActionOutcome::Status::ok;
  const std::string ms = std::to_string(ms_since(started_at));
  exec_block(tx, core::exclusive_timeout_sql(action, options.exclusive_lock_timeout) + rest,
             out.history_id != 0 ? recorder.update_sql(out, ms) : recorder.insert_sql(parent, out, ms), true);
}

// Runs one action's statements and its history row; throws what the server threw. A transactional action
// goes to the server as one message (BEGIN; ...; COMMIT), so it costs one round trip. An archive action
// goes on, after its detach, to the archive steps (options.archive).
void run_action(pqxx::connection& conn, const core::ParentPlan& parent, const Recorder& recorder,
                const ExecutorOptions& options, ActionOutcome& out,
                std::chrono::steady_clock::time_point started_at)
{
  const core::Action& action = *out.action;
  for (const auto& s : action.sql)
    spdlog::debug("{}: {}", core::quote_qualified(parent.schema, parent.table), s);
  out.status = ActionOutcome::Status::ok;
  if (action.move && action.move->batched) {
    run_move(conn, parent, recorder, options, out, started_at);
    return;
  }
  const bool archive = !action.archive_to.empty();
  // an action beside a default partition: its own, shorter lock_timeout, first in its transaction block
  const std::string statements =
      action.transactional
          ? core::exclusive_timeout_sql(action, options.exclusive_lock_timeout) + join_sql(action)
          : std::string();
  pqxx::nontransaction tx(conn);
  if (action.transactional && !archive) {
    const std::string history = recorder.insert_sql(
        parent, out, "extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000");
    exec_block(tx, statements, history, true);
    return;
  }
  // Step by step, resuming after the steps a previous attempt completed; the history row is written first,
  // as 'started' (and an archive's row, as 'detaching'), so a run killed in between leaves a trace for the
  // next one.
  if (out.history_id == 0) {
    ActionOutcome started = out;
    started.status = ActionOutcome::Status::started;
    out.history_id =
        tx.exec(recorder.insert_sql(parent, started, "NULL") + " RETURNING id")[0][0].as<long long>();
  }
  if (archive && out.archive_id == 0)
    out.archive_id =
        action.archive_id != 0
            ? action.archive_id
            : tx.exec(recorder.archive_row_sql(parent, action, action.archive_to))[0][0].as<long long>();
  const auto& sql = action.sql;
  if (action.transactional && out.completed < sql.size()) {
    exec_block(tx, statements, recorder.archive_detached_sql(out.archive_id), true);
    out.completed = sql.size();
  }
  for (; out.completed < sql.size(); ++out.completed) {
    if (out.completed == 0 && action.concurrent_detach && out.attempts > 1 && detach_pending(tx, action))
      tx.exec(finalize_form(sql[0])); // the attempt before got the partition to "detach pending"
    else
      tx.exec(sql[out.completed]);
  }
  if (!archive) {
    tx.exec(recorder.update_sql(out, std::to_string(ms_since(started_at))));
    return;
  }
  tx.exec(recorder.archive_detached_sql(out.archive_id));
  tx.commit(); // the archive steps open their own transactions on this connection
  if (!options.archive)
    throw std::logic_error("archive actions need ExecutorOptions::archive");
  options.archive(conn, out.archive_id);
  pqxx::nontransaction done(conn);
  done.exec(recorder.update_sql(out, std::to_string(ms_since(started_at))));
}

ActionOutcome execute_action(pqxx::connection& conn, const core::ParentPlan& parent,
                             const core::Action& action, const Recorder& recorder,
                             const ExecutorOptions& options, std::mt19937& rng)
{
  ActionOutcome out;
  out.action = &action;
  const auto started = std::chrono::steady_clock::now();
  for (out.attempts = 1;; ++out.attempts) {
    try {
      run_action(conn, parent, recorder, options, out, started);
      out.ms = ms_since(started);
      return out;
    } catch (const pqxx::sql_error& e) {
      out.error = clean(e.what());
      if (!is_lock_conflict(e)) {
        out.status = ActionOutcome::Status::failed;
        break;
      }
    } catch (const pqxx::deadlock_detected& e) {
      out.error = clean(e.what());
    } catch (const pqxx::broken_connection&) {
      throw; // the caller reconnects and re-plans
    } catch (const pqxx::in_doubt_error&) {
      throw; // the connection went while a commit was under way: the next plan reads what happened
    } catch (const std::exception& e) {
      // Anything else fails this action only: an archive step (storage, checksum), a bug. The table stays.
      out.error = clean(e.what());
      out.status = ActionOutcome::Status::failed;
      break;
    } catch (...) {
      out.error = "an unknown error";
      out.status = ActionOutcome::Status::failed;
      break;
    }
    if (out.attempts > retries_of(options, action)) {
      out.status = ActionOutcome::Status::deferred;
      out.error = "gave up after " + std::to_string(out.attempts) + " attempts" +
                  (action.exclusive && !options.exclusive_lock_timeout.empty()
                       ? " under the exclusive lock timeout (" + options.exclusive_lock_timeout + ")"
                       : std::string()) +
                  ": " + out.error;
      break;
    }
    const int wait = core::backoff_ms(options.backoff, out.attempts, rng);
    spdlog::warn("{} {}: {}; retry {} of {} in {} ms", core::to_string(action.kind),
                 core::quote_qualified(action.schema, action.name), out.error, out.attempts,
                 retries_of(options, action), wait);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
  out.ms = ms_since(started);
  pqxx::nontransaction tx(conn);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", out.ms);
  // A move that made its table keeps its 'started' row (the next run adopts the table): a row of its own.
  tx.exec(out.history_id != 0 && !out.prepared ? recorder.update_sql(out, ms)
                                               : recorder.insert_sql(parent, out, ms));
  return out;
}

// Executes one parent's actions in order; after a deferral the rest are skipped.
ParentOutcome execute_parent(pqxx::connection& conn, const core::ParentPlan& parent, bool busy,
                             const Recorder& recorder, const ExecutorOptions& options, std::mt19937& rng)
{
  ParentOutcome po;
  po.plan = &parent;
  if (!parent.error.empty()) {
    po.status = ParentOutcome::Status::unplannable;
    return po;
  }
  const bool refused = !parent.refused.empty();
  if (busy) {
    po.status = ParentOutcome::Status::busy;
    return po;
  }
  for (const auto& action : parent.actions) {
    ActionOutcome ao;
    ao.action = &action;
    if (po.status != ParentOutcome::Status::deferred && (!refused || core::applies_when_refused(action))) {
      ao = execute_action(conn, parent, action, recorder, options, rng);
      if (ao.status == ActionOutcome::Status::deferred)
        po.status = ParentOutcome::Status::deferred;
      else if (ao.status == ActionOutcome::Status::failed)
        po.status = ParentOutcome::Status::failed;
    }
    po.actions.push_back(ao);
  }
  if (refused && po.status == ParentOutcome::Status::ok)
    po.status = ParentOutcome::Status::refused;
  return po;
}

} // namespace

bool is_lock_conflict(const pqxx::sql_error& e)
{
  return e.sqlstate() == "55P03" || e.sqlstate() == "40P01";
}

std::vector<TableName> lock_parents(pqxx::connection& conn, const std::vector<TableName>& parents)
{
  std::vector<std::string> schemas, tables;
  for (const auto& p : parents) {
    schemas.push_back(p.first);
    tables.push_back(p.second);
  }
  pqxx::nontransaction tx(conn);
  const auto r = tx.exec_params(std::string("SELECT s, t FROM unnest($1::text[], $2::text[]) AS u(s, t) "
                                            "WHERE NOT pg_try_advisory_lock(") +
                                    std::to_string(k_lock_class) + ", " + k_lock_key_sql + ")",
                                text_array(schemas), text_array(tables));
  std::vector<TableName> busy;
  for (const auto& row : r)
    busy.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
  return busy;
}

void unlock_parents(pqxx::connection& conn)
{
  pqxx::nontransaction tx(conn);
  // Only partman's parent locks ('pa', key): whatever else the session holds stays held. pg_locks shows
  // the second key as an oid, so a negative hash comes back as its unsigned value.
  tx.exec(
      "SELECT pg_advisory_unlock(" + std::to_string(k_lock_class) +
      ", (objid::int8 - CASE WHEN objid::int8 > 2147483647 THEN 4294967296 ELSE 0 END)::int4) FROM pg_locks "
      "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 2 AND classid = " +
      std::to_string(k_lock_class));
}

std::vector<ParentOutcome> execute_plan(pqxx::connection& conn, const SessionFactory& more,
                                        const core::Plan& plan, const std::vector<TableName>& busy,
                                        const ExecutorOptions& options,
                                        const std::function<void(const ParentOutcome&)>& report)
{
  std::size_t with_work = 0;
  for (const auto& p : plan.parents)
    with_work += !p.actions.empty();
  std::string run_id; // only actions record it: a run with nothing to do does not ask for one
  if (with_work > 0) {
    pqxx::nontransaction tx(conn);
    run_id = tx.exec("SELECT gen_random_uuid()::text")[0][0].as<std::string>();
  }
  const Recorder recorder(options.schema, run_id);
  std::vector<ParentOutcome> outcomes(plan.parents.size());
  std::atomic<std::size_t> next{0};
  std::mutex report_mutex;
  const auto work = [&](pqxx::connection& session, unsigned seed) {
    std::mt19937 rng(seed);
    for (std::size_t i = next++; i < plan.parents.size(); i = next++) {
      const auto& parent = plan.parents[i];
      const bool is_busy =
          std::find(busy.begin(), busy.end(), TableName{parent.schema, parent.table}) != busy.end();
      outcomes[i] = execute_parent(session, parent, is_busy, recorder, options, rng);
      const std::lock_guard<std::mutex> lock(report_mutex);
      report(outcomes[i]);
    }
  };
  const std::size_t workers =
      std::min<std::size_t>(std::max(options.parallel, 1), std::max<std::size_t>(with_work, 1));
  std::random_device seeds;
  std::vector<std::unique_ptr<pqxx::connection>> sessions;
  for (std::size_t w = 1; w < workers; ++w)
    sessions.push_back(more());
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (auto& session : sessions) {
    threads.emplace_back([&, seed = seeds()] {
      try {
        work(*session, seed);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        failure = std::current_exception();
      }
    });
  }
  try {
    work(conn, seeds());
  } catch (...) {
    const std::lock_guard<std::mutex> lock(failure_mutex);
    failure = std::current_exception();
  }
  for (auto& t : threads)
    t.join();
  if (failure)
    std::rethrow_exception(failure);
  return outcomes;
}

const char* to_string(ActionOutcome::Status status)
{
  switch (status) {
  case ActionOutcome::Status::started:
    return "started";
  case ActionOutcome::Status::ok:
    return "ok";
  case ActionOutcome::Status::failed:
    return "failed";
  case ActionOutcome::Status::deferred:
    return "deferred";
  case ActionOutcome::Status::skipped:
    return "skipped";
  }
  return "?";
}

const char* to_string(ParentOutcome::Status status)
{
  switch (status) {
  case ParentOutcome::Status::ok:
    return "ok";
  case ParentOutcome::Status::failed:
    return "failed";
  case ParentOutcome::Status::deferred:
    return "deferred";
  case ParentOutcome::Status::busy:
    return "busy";
  case ParentOutcome::Status::unplannable:
    return "error";
  case ParentOutcome::Status::refused:
    return "refused";
  }
  return "?";
}

} // namespace partman::db
