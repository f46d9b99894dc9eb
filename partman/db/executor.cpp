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
#include "partman/db/default_move.hpp"
#include "partman/db/recorder.hpp"
#include "partman/db/session.hpp"
#include "partman/db/statement_block.hpp"

namespace partman::db {

namespace {

// The first key of partman's two-key advisory locks ('pa').
constexpr int k_lock_class = 0x7061;

const char* const k_lock_key_sql = "hashtext(quote_ident(s) || '.' || quote_ident(t))";

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
  std::vector<std::string> statements;
  if (action.transactional) {
    statements = timeout_statements(action, options);
    statements.insert(statements.end(), action.sql.begin(), action.sql.end());
  }
  pqxx::nontransaction tx(conn);
  if (action.transactional && !archive) {
    const std::string history = recorder.insert_sql(
        parent, out, "extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000");
    exec_block(tx, statements, history, true, action.per_statement, out.messages);
    return;
  }
  // Step by step, resuming after the steps a previous attempt completed; the history row is written first,
  // as 'started' (and an archive's row, as 'detaching'), so a run killed in between leaves a trace for the
  // next one.
  if (out.history_id == 0) {
    ActionOutcome started = out;
    started.status = ActionOutcome::Status::started;
    ++out.messages;
    out.history_id =
        tx.exec(recorder.insert_sql(parent, started, "NULL") + " RETURNING id")[0][0].as<long long>();
  }
  if (archive && out.archive_id == 0) {
    ++out.messages;
    out.archive_id =
        action.archive_id != 0
            ? action.archive_id
            : tx.exec(recorder.archive_row_sql(parent, action, action.archive_to))[0][0].as<long long>();
  }
  const auto& sql = action.sql;
  if (action.transactional && out.completed < sql.size()) {
    exec_block(tx, statements, recorder.archive_detached_sql(out.archive_id), true, action.per_statement,
               out.messages);
    out.completed = sql.size();
  }
  for (; out.completed < sql.size(); ++out.completed) {
    ++out.messages;
    if (out.completed == 0 && action.concurrent_detach && out.attempts > 1 && detach_pending(tx, action))
      tx.exec(finalize_form(sql[0])); // the attempt before got the partition to "detach pending"
    else
      tx.exec(sql[out.completed]);
  }
  ++out.messages;
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
  ++out.messages;
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
      out.error = clean_message(e.what());
      if (!is_lock_conflict(e)) {
        out.status = ActionOutcome::Status::failed;
        break;
      }
    } catch (const pqxx::deadlock_detected& e) {
      out.error = clean_message(e.what());
    } catch (const pqxx::broken_connection&) {
      throw; // the caller reconnects and re-plans
    } catch (const pqxx::in_doubt_error&) {
      throw; // the connection went while a commit was under way: the next plan reads what happened
    } catch (const std::exception& e) {
      // Anything else fails this action only: an archive step (storage, checksum), a bug. The table stays.
      out.error = clean_message(e.what());
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
  if (out.prepared)
    settle_failed_move(conn, out); // drops a new table that holds no row; one that does waits for adoption
  out.ms = ms_since(started);
  pqxx::nontransaction tx(conn);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", out.ms);
  // A move that made its table keeps its 'started' row (the next run adopts the table): a row of its own.
  ++out.messages;
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
  // Citus reports a lock timeout of its LOCK TABLE on a worker only as a warning, then fails the statement
  // with this internal error (its messages are not translated); a worker that cannot be reached gives it
  // too, and is tried again as well.
  return e.sqlstate() == "55P03" || e.sqlstate() == "40P01" ||
         (e.sqlstate() == "XX000" &&
          std::string(e.what()).find("failure on connection marked as essential") != std::string::npos);
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
