#include "partman/run/drain_default.hpp"

#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/default_rows.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::run {

namespace {

// The most partitions one drain creates (each step creates one, or passes over a range that stays).
constexpr int k_max_steps = 100000;
// How many example keys of the rows that stay are read.
constexpr int k_examples = 5;

// Reads the policy's parent as the catalog shows it now.
core::ParentSnapshot read_parent(pqxx::connection& conn, const std::string& schema,
                                 const core::Policy& policy, bool citus)
{
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.history_schema = schema;
  catalog.partman_schema = schema;
  catalog.citus = citus;
  return db::read_catalog(tx, {policy}, catalog).front();
}

const core::Child* find_default(const core::ParentSnapshot& parent)
{
  for (const auto& c : parent.children) {
    if (c.is_default)
      return &c;
  }
  return nullptr;
}

// Executes one step's plan on `conn`; records and reports its actions. Returns false when one failed.
bool execute_step(pqxx::connection& conn, const core::DrainStep& s, const DrainRequest& request,
                  const db::ExecutorOptions& executor, DrainReport& report, DrainObserver& observer)
{
  const core::Action& action = s.plan.actions.front();
  observer.creating(s.range, core::quote_qualified(action.schema, action.name));
  core::Plan plan;
  plan.at = request.now;
  plan.parents.push_back(s.plan);
  const auto outcomes = db::execute_plan(
      conn, [] { return std::unique_ptr<pqxx::connection>(); }, plan, {}, executor,
      [](const db::ParentOutcome&) {});
  bool ok = true;
  for (const auto& a : outcomes.front().actions) {
    DrainAction done{a.action->kind, core::quote_qualified(a.action->schema, a.action->name), a.status,
                     a.moved, a.error};
    if (a.status == db::ActionOutcome::Status::ok) {
      report.created += a.action->kind == core::ActionKind::create;
      report.moved += a.moved;
    } else {
      ok = false;
    }
    report.actions.push_back(done);
    observer.action_done(report.actions.back());
  }
  return ok;
}

} // namespace

bool DrainReport::complete() const
{
  return !busy && !failed;
}

DrainReport drain_default(const DrainRequest& request, DrainObserver& observer)
{
  DrainReport report;
  db::ServerFacts facts;
  auto conn = db::open_session(request.dsn, session_options(request.locks, false), &facts);
  report.standby = facts.standby;
  if (report.standby)
    return report;
  db::require_schema(*conn, request.schema);
  const auto name = db::resolve_tables(*conn, {request.parent}).front();
  const core::Policy policy = db::load_policies(*conn, request.schema, {name}).front();
  report.parent = policy.parent_sql();
  report.busy = !db::lock_parents(*conn, {name}).empty();
  if (report.busy)
    return report;
  core::ParentSnapshot parent = read_parent(*conn, request.schema, policy, facts.citus);
  if (auto problem = core::check_parent_shape(parent); !problem.empty())
    throw UsageError(problem);
  const core::Child* found = find_default(parent);
  report.no_default = found == nullptr;
  if (report.no_default) {
    db::unlock_parents(*conn);
    return report;
  }
  const std::string def = core::quote_qualified(found->schema, found->name);
  report.default_partition = def;
  const std::string key = core::quote_ident(parent.key_column);
  const bool list = policy.shape == core::Shape::list;
  report.held = db::count_rows(*conn, def);
  observer.started(report);

  core::PlanOptions options;
  options.batch_size = request.batch_size;
  db::ExecutorOptions executor;
  executor.schema = request.schema;
  set_lock_options(executor, request.locks);
  executor.progress_ms = 0;          // a log line per batch
  std::optional<std::string> cursor; // the last key passed: a LIST value, or a RANGE key as SQL
  for (int step = 0; step < k_max_steps; ++step) {
    // The smallest key in the default partition after the ranges already done.
    const auto next = db::next_default_key(*conn, def, key, parent.key_type, list, cursor);
    if (!next)
      break;
    const core::DrainStep s =
        list ? core::plan_drain_value(parent, policy, request.now, *next, options)
             : core::plan_drain_range(parent, policy, request.now, std::stoll(*next), options);
    if (list)
      cursor = core::quote_literal(*next) + "::" + parent.key_type_name;
    else if (s.next)
      cursor = core::key_sql(parent, policy, *s.next);
    if (!s.stays.empty()) {
      report.stays.push_back(s.range + ": " + s.stays);
      if (!list && !s.next)
        break;
      continue;
    }
    report.failed = !execute_step(*conn, s, request, executor, report, observer);
    if (report.failed || (!list && !s.next))
      break;
    parent = read_parent(*conn, request.schema, policy, facts.citus);
  }
  report.left = db::count_rows(*conn, def);
  if (report.left != 0) {
    report.null_keys = db::count_rows(*conn, def, key);
    report.examples = db::example_keys(*conn, def, key, k_examples);
  }
  db::unlock_parents(*conn);
  return report;
}

} // namespace partman::run
