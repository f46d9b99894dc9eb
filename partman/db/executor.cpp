#include "partman/db/executor.hpp"

#include <algorithm>
#include <chrono>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/pqxx>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

#include "partman/core/names.hpp"
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

class Recorder
{
public:
  Recorder(pqxx::connection& conn, const std::string& schema) : m_schema(core::quote_ident(schema))
  {
    pqxx::nontransaction tx(conn);
    m_run_id = tx.exec("SELECT gen_random_uuid()::text")[0][0].as<std::string>();
  }

  // Adds a history row inside `tx`.
  void record(pqxx::transaction_base& tx, const core::ParentPlan& parent, const ActionOutcome& out) const
  {
    const core::Action& a = *out.action;
    tx.exec_params("INSERT INTO " + m_schema +
                       ".history (run_id, parent_schema, parent_table, action, partition_schema, partition_name, "
                       "sql, duration_ms, outcome, error) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                   m_run_id, parent.schema, parent.table, core::to_string(a.kind), a.schema, a.name, join_sql(a),
                   out.ms, to_string(out.status),
                   nullable(out.error));
  }

private:
  std::string m_schema;
  std::string m_run_id;
};

bool is_lock_conflict(const pqxx::sql_error& e)
{
  return e.sqlstate() == "55P03" || e.sqlstate() == "40P01";
}

std::string clean(std::string message)
{
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  return message;
}

// Runs one action's statements; throws what the server threw.
void run_action(pqxx::connection& conn, const core::ParentPlan& parent, const Recorder& recorder,
                ActionOutcome& out, std::chrono::steady_clock::time_point started)
{
  const auto finish = [&](pqxx::transaction_base& tx) {
    out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    out.status = ActionOutcome::Status::ok;
    recorder.record(tx, parent, out);
  };
  for (const auto& s : out.action->sql)
    spdlog::debug("{}: {}", core::quote_qualified(parent.schema, parent.table), s);
  if (out.action->transactional) {
    pqxx::work tx(conn);
    for (const auto& s : out.action->sql)
      tx.exec(s);
    finish(tx);
    tx.commit();
  } else {
    pqxx::nontransaction tx(conn);
    for (const auto& s : out.action->sql)
      tx.exec(s);
    finish(tx);
  }
}

ActionOutcome execute_action(pqxx::connection& conn, const core::ParentPlan& parent, const core::Action& action,
                             const Recorder& recorder, const ExecutorOptions& options, std::mt19937& rng)
{
  ActionOutcome out;
  out.action = &action;
  const auto started = std::chrono::steady_clock::now();
  for (out.attempts = 1;; ++out.attempts) {
    try {
      run_action(conn, parent, recorder, out, started);
      return out;
    } catch (const pqxx::sql_error& e) {
      out.error = clean(e.what());
      if (!is_lock_conflict(e)) {
        out.status = ActionOutcome::Status::failed;
        break;
      }
    } catch (const pqxx::deadlock_detected& e) {
      out.error = clean(e.what());
    }
    if (out.attempts > options.retries) {
      out.status = ActionOutcome::Status::deferred;
      out.error = "gave up after " + std::to_string(out.attempts) + " attempts: " + out.error;
      break;
    }
    const int base = options.backoff_ms << (out.attempts - 1);
    const int wait = base + std::uniform_int_distribution<int>(0, base / 2)(rng);
    spdlog::warn("{} {}: {}; retry {} of {} in {} ms", core::to_string(action.kind),
                 core::quote_qualified(action.schema, action.name), out.error, out.attempts, options.retries, wait);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  pqxx::work tx(conn);
  recorder.record(tx, parent, out);
  tx.commit();
  return out;
}

} // namespace

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
  tx.exec("SELECT pg_advisory_unlock_all()");
}

std::vector<ParentOutcome> execute_plan(pqxx::connection& conn, const core::Plan& plan,
                                        const std::vector<TableName>& busy, const ExecutorOptions& options,
                                        const std::function<void(const ParentOutcome&, const ActionOutcome&)>& report)
{
  const Recorder recorder(conn, options.schema);
  std::mt19937 rng(std::random_device{}());
  std::vector<ParentOutcome> outcomes;
  for (const auto& parent : plan.parents) {
    ParentOutcome po;
    po.plan = &parent;
    if (!parent.error.empty()) {
      po.status = ParentOutcome::Status::unplannable;
    } else if (std::find(busy.begin(), busy.end(), TableName{parent.schema, parent.table}) != busy.end()) {
      po.status = ParentOutcome::Status::busy;
    } else {
      for (const auto& action : parent.actions) {
        ActionOutcome ao;
        if (po.status == ParentOutcome::Status::deferred) {
          ao.action = &action;
          ao.status = ActionOutcome::Status::skipped;
        } else {
          ao = execute_action(conn, parent, action, recorder, options, rng);
          if (ao.status == ActionOutcome::Status::deferred)
            po.status = ParentOutcome::Status::deferred;
          else if (ao.status == ActionOutcome::Status::failed)
            po.status = ParentOutcome::Status::failed;
        }
        po.actions.push_back(ao);
        report(po, po.actions.back());
      }
    }
    outcomes.push_back(std::move(po));
  }
  return outcomes;
}

const char* to_string(ActionOutcome::Status status)
{
  switch (status) {
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
  }
  return "?";
}

} // namespace partman::db
