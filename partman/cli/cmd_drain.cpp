// partman drain-default: moves the rows of a parent's default partition into partitions the policy can
// create for them, on demand, with progress; rows that fit no partition stay there and are reported.
#include <iostream>
#include <pqxx/pqxx>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::cli {

namespace {

struct DrainArgs
{
  std::string parent;
  std::string at;
  LockArgs locks;
  int batch_size = 10000;
};

// The most partitions one drain creates (each step creates one, or passes over a range that stays).
constexpr int k_max_steps = 100000;
// How many ranges that stay are listed, and how many example keys are shown.
constexpr std::size_t k_listed = 10;
constexpr int k_examples = 5;

// Returns SQL that gives RANGE key `expr` of type `type` as the planner's number: microseconds since 1970
// (UTC for timestamptz, the wall clock otherwise) for time keys, the integer itself otherwise.
std::string key_number_sql(core::KeyType type, const std::string& expr)
{
  switch (type) {
  case core::KeyType::timestamptz:
  case core::KeyType::timestamp:
    return "(extract(epoch FROM " + expr + ") * 1000000)::bigint";
  case core::KeyType::date:
    return "(extract(epoch FROM " + expr + "::timestamp) * 1000000)::bigint";
  case core::KeyType::smallint:
  case core::KeyType::integer:
  case core::KeyType::bigint:
  case core::KeyType::text:
  case core::KeyType::uuid:
  case core::KeyType::unsupported:
    break;
  }
  return expr + "::bigint";
}

// Reads the policy's parent as the catalog shows it now.
core::ParentSnapshot read_parent(pqxx::connection& conn, const Globals& globals, const core::Policy& policy)
{
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.history_schema = globals.schema;
  catalog.partman_schema = globals.schema;
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

// Returns the first row of the first column of `sql` as text (none for no row or NULL).
std::optional<std::string> first_value(pqxx::connection& conn, const std::string& sql)
{
  pqxx::nontransaction tx(conn);
  const auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

// Moves what it can; returns the exit code.
int run_drain(const Globals& globals, const DrainArgs& args)
{
  const auto now = resolve_now(args.at);
  db::ServerFacts facts;
  auto conn =
      db::open_session(single_dsn(globals, "drain-default"), run::session_options(args.locks, false), &facts);
  if (facts.standby) {
    std::cout << "the server is a standby (in recovery): nothing to do here; partman works on the primary\n";
    return k_exit_ok;
  }
  db::require_schema(*conn, globals.schema);
  const auto name = db::resolve_tables(*conn, {args.parent}).front();
  const core::Policy policy = db::load_policies(*conn, globals.schema, {name}).front();
  const std::string parent_sql = policy.parent_sql();
  if (!db::lock_parents(*conn, {name}).empty()) {
    print_line(std::cout, parent_sql + ": another partman run is working on this parent; try again later");
    return k_exit_partial;
  }
  core::ParentSnapshot parent = read_parent(*conn, globals, policy);
  if (auto problem = core::check_parent_shape(parent); !problem.empty())
    throw UsageError(problem);
  const core::Child* found = find_default(parent);
  if (!found) {
    print_line(std::cout, parent_sql + " has no default partition: nothing to drain");
    db::unlock_parents(*conn);
    return k_exit_ok;
  }
  const std::string def = core::quote_qualified(found->schema, found->name);
  const std::string key = core::quote_ident(parent.key_column);
  const bool list = policy.shape == core::Shape::list;
  const std::string held = first_value(*conn, "SELECT count(*) FROM ONLY " + def).value_or("0");
  print_line(std::cout, parent_sql + ": default partition " + def + " holds " + held + " rows");

  core::PlanOptions options;
  options.batch_size = args.batch_size;
  db::ExecutorOptions executor;
  executor.schema = globals.schema;
  run::set_lock_options(executor, args.locks);
  executor.progress_ms = 0; // a log line per batch
  std::vector<std::string> stays;
  long long moved = 0;
  int created = 0;
  bool failed = false;
  std::optional<std::string> cursor; // the last key passed: a LIST value, or a RANGE key as SQL
  for (int step = 0; step < k_max_steps; ++step) {
    // The smallest key in the default partition after the ranges already done (an index answers it).
    const std::string where = key + (cursor ? (list ? " > " : " >= ") + *cursor : " IS NOT NULL");
    const auto next =
        first_value(*conn, "SELECT " + (list ? key + "::text" : key_number_sql(parent.key_type, key)) +
                               " FROM ONLY " + def + " WHERE " + where + " ORDER BY " + key + " LIMIT 1");
    if (!next)
      break;
    const core::DrainStep s = list ? core::plan_drain_value(parent, policy, now, *next, options)
                                   : core::plan_drain_range(parent, policy, now, std::stoll(*next), options);
    if (list)
      cursor = core::quote_literal(*next) + "::" + parent.key_type_name;
    else if (s.next)
      cursor = core::key_sql(parent, policy, *s.next);
    if (!s.stays.empty()) {
      stays.push_back(s.range + ": " + s.stays);
      if (!list && !s.next)
        break;
      continue;
    }
    const core::Action& action = s.plan.actions.front();
    print_line(std::cout, "  " + s.range + ": creating " + core::quote_qualified(action.schema, action.name) +
                              " and moving its rows into it");
    std::cout << std::flush;
    core::Plan plan;
    plan.at = now;
    plan.parents.push_back(s.plan);
    const auto outcomes = db::execute_plan(
        *conn, [] { return std::unique_ptr<pqxx::connection>(); }, plan, {}, executor,
        [](const db::ParentOutcome&) {});
    for (const auto& a : outcomes.front().actions) {
      if (a.status == db::ActionOutcome::Status::ok) {
        created += a.action->kind == core::ActionKind::create;
        moved += a.moved;
        print_line(std::cout, "    created " + core::quote_qualified(a.action->schema, a.action->name) +
                                  " (moved " + std::to_string(a.moved) +
                                  " rows in batches, the last ones with the attach)");
      } else {
        failed = true;
        print_line(std::cout, "    " + std::string(db::to_string(a.status)) + ": " + a.error);
      }
    }
    if (failed || (!list && !s.next))
      break;
    parent = read_parent(*conn, globals, policy);
  }
  const std::string left = first_value(*conn, "SELECT count(*) FROM ONLY " + def).value_or("0");
  print_line(std::cout, parent_sql + ": " + std::to_string(created) + " partition(s) created, " +
                            std::to_string(moved) + " rows moved in batches; " + left + " rows stay in " +
                            def);
  if (left != "0") {
    std::cout << "  they fit no partition partman can create:\n";
    for (std::size_t i = 0; i < stays.size() && i < k_listed; ++i)
      print_line(std::cout, "    " + stays[i]);
    if (stays.size() > k_listed)
      std::cout << "    ... and " << stays.size() - k_listed << " more range(s)\n";
    const auto nulls = first_value(*conn, "SELECT count(*) FROM ONLY " + def + " WHERE " + key + " IS NULL");
    if (nulls && *nulls != "0")
      std::cout << "    " << *nulls << " rows with a NULL key (no partition of a RANGE or LIST parent takes "
                << "NULL unless one is made for it)\n";
    pqxx::nontransaction tx(*conn);
    std::string examples;
    for (const auto& row : tx.exec("SELECT coalesce(" + key + "::text, 'NULL') FROM ONLY " + def +
                                   " ORDER BY " + key + " LIMIT " + std::to_string(k_examples)))
      examples += (examples.empty() ? "" : ", ") + row[0].as<std::string>();
    print_line(std::cout, "  for example the keys " + examples);
  }
  db::unlock_parents(*conn);
  return failed ? k_exit_partial : k_exit_ok;
}

} // namespace

void add_drain_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<DrainArgs>();
  auto* cmd = app.add_subcommand(
      "drain-default",
      "Move the rows of a parent's default partition into the partitions its policy gives them:\n"
      "each such partition is created (unattached), its rows moved in batches of their own short\n"
      "transactions, then attached with the last ones in one transaction. Rows that fit no partition\n"
      "partman can create (expired under retention, a value not listed, a NULL key, a range a\n"
      "hand-made partition overlaps) stay, and are reported.");
  cmd->add_option("PARENT", args->parent, "The managed parent")->required();
  cmd->footer("Examples:\n"
              "  partman drain-default app.events\n"
              "  partman drain-default app.events --batch-size 5000 --at 2026-12-01");
  cmd->add_option("--batch-size", args->batch_size, "Rows moved per transaction")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--at", args->at, "Pretend now is this time (retention decides what has expired)");
  add_lock_timeout_options(*cmd, args->locks);
  add_retry_options(*cmd, args->locks);
  cmd->callback([&globals, &exit_code, args] {
    exit_code = run_guarded([&] { return run_drain(globals, *args); }, std::cerr);
  });
}

} // namespace partman::cli
