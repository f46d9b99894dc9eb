// partman plan / apply: compute the plan; print it (plan) or execute it (apply).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "partman/archive/archiver.hpp"
#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/fingerprint.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/parent_properties.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::cli {

namespace {

struct PlanArgs
{
  std::vector<std::string> parents;
  std::string at;
  std::string format = "text";
  LockArgs locks;
  std::string out;       // plan: also save the plan (JSON) here
  std::string plan_file; // apply: run this saved plan
  int parallel = 2;      // apply: parents worked on at once
  core::PlanOptions guard;
};

// A plan saved by `plan --out`: when and for which parents it was made, and from what.
struct SavedPlan
{
  core::Micros at = 0;
  std::vector<std::string> parents; // as written in the plan ("schema"."table")
  std::string fingerprint;
  std::vector<std::vector<std::string>> sql; // each action's statements, in order
};

// The policies and the plan of one run.
struct Planned
{
  std::vector<core::Policy> policies;
  core::Plan plan;
  std::vector<db::TableName> busy;
};

// Reads policies and catalog and plans; with `lock`, first takes each parent's advisory lock; with
// `fingerprint`, also fingerprints the plan (which needs what every parent's new children must avoid).
Planned make_run_plan(pqxx::connection& conn, const Globals& globals, const std::vector<std::string>& parents,
                      core::Micros now, const core::PlanOptions& guard, bool lock, bool fingerprint)
{
  db::require_schema(conn, globals.schema);
  Planned out;
  out.policies = db::load_policies(conn, globals.schema, db::resolve_tables(conn, parents));
  if (lock) {
    std::vector<db::TableName> names;
    for (const auto& p : out.policies)
      names.emplace_back(p.schema, p.table);
    out.busy = db::lock_parents(conn, names);
  }
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.history_schema = globals.schema;
  catalog.partman_schema = globals.schema;
  catalog.taken_names = fingerprint;
  auto planned = db::plan_catalog(tx, out.policies, now, guard, catalog);
  out.plan = std::move(planned.plan);
  db::estimate_moves(tx, globals.schema, out.plan);
  if (fingerprint)
    out.plan.fingerprint = core::fingerprint(planned.snapshot, out.policies);
  return out;
}

// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half a plan.
void write_file(const std::string& path, const std::string& text)
{
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
    f.flush();
    if (!f)
      throw UsageError("--out: cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw UsageError("--out: cannot rename '" + tmp + "' to '" + path + "'");
}

SavedPlan read_saved_plan(const std::string& path)
{
  std::ifstream f(path);
  if (!f)
    throw UsageError("--plan: cannot read '" + path + "'");
  SavedPlan saved;
  try {
    const auto doc = nlohmann::json::parse(f);
    if (doc.at("format") != "partman-plan" || doc.at("version") != core::k_plan_json_version)
      throw UsageError("--plan: '" + path + "' is not a partman plan of version " +
                       std::to_string(core::k_plan_json_version));
    if (!doc.contains("fingerprint"))
      throw UsageError("--plan: '" + path +
                       "' has no fingerprint; HINT: save plans with 'partman plan --out FILE'");
    saved.fingerprint = doc.at("fingerprint").get<std::string>();
    auto at = core::parse_instant(doc.at("at").get<std::string>(), *core::find_zone("UTC"));
    if (!at)
      throw UsageError("--plan: " + at.error());
    saved.at = *at;
    for (const auto& p : doc.at("parents")) {
      saved.parents.push_back(p.at("parent").get<std::string>());
      for (const auto& a : p.at("actions"))
        saved.sql.push_back(a.at("sql").get<std::vector<std::string>>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("--plan: '" + path + "' is not a valid plan: " + e.what());
  }
  return saved;
}

// Throws UsageError unless `plan` is exactly what `saved` promised.
void check_saved_plan(const SavedPlan& saved, const core::Plan& plan, const std::string& path)
{
  const char* hint = "; HINT: make and review a new plan with 'partman plan --out FILE'";
  if (plan.fingerprint != saved.fingerprint)
    throw UsageError("--plan: the catalog or a policy has changed since '" + path + "' was made" + hint);
  std::size_t i = 0;
  for (const auto& p : plan.parents) {
    for (const auto& a : p.actions) {
      if (i >= saved.sql.size() || saved.sql[i] != a.sql)
        throw UsageError("--plan: '" + path + "' does not hold the actions this partman computes from it" +
                         hint);
      ++i;
    }
  }
  if (i != saved.sql.size())
    throw UsageError("--plan: '" + path + "' does not hold the actions this partman computes from it" + hint);
}

int run_plan(const Globals& globals, const PlanArgs& args, const std::string& dsn, std::ostream& out)
{
  const auto now = resolve_now(args.at);
  auto conn = db::open_session(dsn, session_options(args.locks, true));
  const Planned run = make_run_plan(*conn, globals, args.parents, now, args.guard, false, true);
  if (!args.out.empty())
    write_file(args.out, core::render_json(run.plan));
  if (args.format == "sql")
    out << core::render_sql(run.plan, args.locks.lock_timeout, args.locks.exclusive_lock_timeout);
  else if (args.format == "json")
    out << core::render_json(run.plan);
  else
    out << core::render_text(run.plan);
  for (const auto& p : run.plan.parents) {
    if (!p.error.empty() || !p.refused.empty())
      return k_exit_partial;
  }
  return k_exit_ok;
}

const char* past_tense(core::ActionKind kind)
{
  switch (kind) {
  case core::ActionKind::create:
    return "created";
  case core::ActionKind::drop:
    return "dropped";
  case core::ActionKind::detach:
    return "detached";
  case core::ActionKind::finalize_detach:
    return "finalized the detach of";
  case core::ActionKind::archive:
    return "archived and dropped";
  }
  return "?";
}

void print_action(std::ostream& out, const db::ActionOutcome& a)
{
  const std::string target = core::quote_qualified(a.action->schema, a.action->name);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f ms", a.ms);
  switch (a.status) {
  case db::ActionOutcome::Status::ok:
    out << "  " << past_tense(a.action->kind) << " " << target;
    if (!a.action->from.empty())
      out << " [" << a.action->from << ", " << a.action->to << ")";
    if (!a.action->values.empty())
      out << " IN (" << core::values_text(a.action->value_type, a.action->values) << ")";
    if (a.archive_id != 0)
      out << " (archive #" << a.archive_id << " in " << a.action->archive_to << ")";
    if (a.moved > 0)
      out << " (moved " << a.moved << " rows out of the default partition before the attach)";
    out << " in " << ms << (a.attempts > 1 ? " after " + std::to_string(a.attempts) + " attempts" : "")
        << "\n";
    break;
  case db::ActionOutcome::Status::started: // only ever a history row's state
  case db::ActionOutcome::Status::failed:
  case db::ActionOutcome::Status::deferred:
    out << "  " << db::to_string(a.status) << ": " << core::to_string(a.action->kind) << " " << target << ": "
        << a.error << "\n";
    break;
  case db::ActionOutcome::Status::skipped:
    out << "  skipped: " << core::to_string(a.action->kind) << " " << target << "\n";
    break;
  }
}

// Prints the plan's warnings about a parent (such as a range it cannot create), which apply leaves as they
// are.
void print_warnings(std::ostream& out, const core::ParentPlan& parent)
{
  for (const auto& n : parent.notes) {
    if (n.level == core::NoteLevel::warning)
      out << "  warning: " << n.message << "\n";
  }
}

int run_apply(const Globals& globals, const PlanArgs& args, const std::string& dsn, std::ostream& out)
{
  std::optional<SavedPlan> saved;
  if (!args.plan_file.empty()) {
    if (!args.parents.empty() || !args.at.empty())
      throw UsageError("--plan: a saved plan already names its parents and time; drop PARENT and --at");
    saved = read_saved_plan(args.plan_file);
  }
  const auto now = saved ? saved->at : resolve_now(args.at);
  bool standby = false;
  const db::SessionOptions session = session_options(args.locks, false);
  auto conn = db::open_session(dsn, session, &standby);
  if (standby) {
    out << "the server is a standby (in recovery): nothing to do here; partman applies on the primary\n";
    return k_exit_ok;
  }
  out << "Applying at " << core::iso_utc(now) << "\n";
  db::ExecutorOptions options;
  options.schema = globals.schema;
  set_lock_options(options, args.locks);
  options.parallel = args.parallel;
  options.archive = [&globals](pqxx::connection& c, long long id) {
    archive::run_archive(c, globals.schema, id);
  };
  std::size_t done[5] = {0, 0, 0, 0, 0};
  std::size_t bad = 0;
  const auto report = [&](const db::ParentOutcome& p) {
    out << core::quote_qualified(p.plan->schema, p.plan->table) << "\n";
    switch (p.status) {
    case db::ParentOutcome::Status::busy:
      out << "  skipped: another partman run is working on this parent\n";
      return;
    case db::ParentOutcome::Status::unplannable:
      out << "  error: " << p.plan->error << "\n";
      ++bad;
      return;
    case db::ParentOutcome::Status::refused:
      out << "  refused: " << p.plan->refused << "\n";
      ++bad;
      break;
    case db::ParentOutcome::Status::failed:
    case db::ParentOutcome::Status::deferred:
      ++bad;
      break;
    case db::ParentOutcome::Status::ok:
      break;
    }
    print_warnings(out, *p.plan);
    if (p.actions.empty())
      out << "  nothing to do\n";
    for (const auto& a : p.actions) {
      if (a.status == db::ActionOutcome::Status::ok)
        ++done[static_cast<int>(a.action->kind)];
      print_action(out, a);
    }
    out.flush();
  };
  std::vector<db::ParentOutcome> outcomes;
  Planned run;
  for (int attempt = 1;; ++attempt) {
    try {
      if (attempt > 1)
        conn = db::open_session(dsn, session);
      run = make_run_plan(*conn, globals, saved ? saved->parents : args.parents, now, args.guard, true,
                          saved.has_value());
      if (saved)
        check_saved_plan(*saved, run.plan, args.plan_file);
      bad = 0;
      outcomes = db::execute_plan(
          *conn, [&] { return db::open_session(dsn, session); }, run.plan, run.busy, options, report);
      break;
    } catch (const pqxx::broken_connection& e) {
      // What was in flight may or may not have committed: re-read the catalog and plan again rather than
      // repeat anything.
      if (saved || attempt > 1)
        throw;
      out << "lost the database connection (" << e.what()
          << "); reconnecting to re-read the catalog and go on\n";
    }
  }
  db::unlock_parents(*conn);
  out << "\nDone: " << done[0] << " created, " << done[1] << " dropped, " << done[2] << " detached, "
      << done[3] << " finalized, " << done[4] << " archived; " << bad << " of " << outcomes.size()
      << " parent(s) failed or deferred\n";
  return bad == 0 ? k_exit_ok : k_exit_partial;
}

void add_common(CLI::App& cmd, PlanArgs& args)
{
  cmd.add_option("PARENT", args.parents, "Managed parents to work on (default: all)");
  cmd.add_option(
      "--at", args.at,
      "Pretend now is this time ('2026-12-01', '2026-12-01T10:00:00+01:00'; UTC without an offset)");
  add_lock_timeout_options(cmd, args.locks);
  cmd.add_option(
         "--max-removal", args.guard.max_removal_percent,
         "Hold back the removals of a parent whose plan would drop or detach more than this share (%)\n"
         "of its partitions (its creates still run)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd.add_flag("--force", args.guard.force, "Apply such removals anyway");
  cmd.add_option("--batch-size", args.guard.batch_size,
                 "Rows per transaction when rows of a new partition's range move out of the default\n"
                 "partition before its attach")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
}

} // namespace

void add_plan_commands(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto plan_args = std::make_shared<PlanArgs>();
  auto* plan = app.add_subcommand(
      "plan", "Dry run: print every action the next apply would take, with its reason and exact SQL.\n"
              "Changes nothing in the database (the session is read-only), not even the history.");
  add_common(*plan, *plan_args);
  plan->add_option("-f,--format", plan_args->format,
                   "text (for people), sql (a script psql runs as it stands), json (versioned document)")
      ->check(CLI::IsMember({"text", "sql", "json"}))
      ->capture_default_str();
  plan->add_option("-o,--out", plan_args->out,
                   "Also save the plan as JSON to this file, for 'partman apply --plan FILE'");
  plan->callback([&globals, &exit_code, plan_args] {
    const DatabaseJob job = [&](const std::string& dsn, std::ostream& out) {
      return run_plan(globals, *plan_args, dsn, out);
    };
    exit_code = run_guarded(
        [&] {
          if (!plan_args->out.empty() && target_dsns(globals).size() > 1)
            throw UsageError("--out saves the plan of one database; HINT: pass one --dsn");
          return for_each_database(globals, job);
        },
        std::cerr);
  });

  auto apply_args = std::make_shared<PlanArgs>();
  auto* apply = app.add_subcommand(
      "apply",
      "Compute the same plan and execute it: each action in its own transaction, under lock_timeout\n"
      "with retries, recorded in the history table. A parent that fails does not stop the others.");
  add_common(*apply, *apply_args);
  add_retry_options(*apply, apply_args->locks);
  apply
      ->add_option("--parallel", apply_args->parallel,
                   "Parents worked on at once, each on its own connection (a parent's actions stay in order)")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  apply->add_option("--plan", apply_args->plan_file,
                    "Run exactly this plan, saved by 'partman plan --out FILE'; refused if the catalog or a\n"
                    "policy has changed since it was made");
  apply->callback([&globals, &exit_code, apply_args] {
    const DatabaseJob job = [&](const std::string& dsn, std::ostream& out) {
      return run_apply(globals, *apply_args, dsn, out);
    };
    exit_code = run_guarded([&] { return for_each_database(globals, job); }, std::cerr);
  });
}

} // namespace partman::cli
