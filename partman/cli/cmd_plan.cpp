// partman plan / apply: compute the plan; print it (plan) or execute it (apply).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "partman/cli/common.hpp"
#include "partman/cli/run_json.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "partman/db/executor.hpp"
#include "partman/run/maintenance.hpp"

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
  std::string removal_window; // "HH:MM-HH:MM ZONE": removals only then
};

// Returns the request of one database's plan or apply from the command line.
run::RunRequest request_of(const Globals& globals, const PlanArgs& args, const std::string& dsn)
{
  run::RunRequest r;
  r.dsn = dsn;
  r.schema = globals.schema;
  r.parents = args.parents;
  r.guard = args.guard;
  r.locks = args.locks;
  r.parallel = args.parallel;
  if (!args.removal_window.empty()) {
    const auto window = core::parse_removal_window(args.removal_window);
    if (!window)
      throw UsageError("--removal-window: " + window.error());
    r.window = *window;
  }
  return r;
}

int run_plan(const Globals& globals, const PlanArgs& args, const std::string& dsn, std::ostream& out)
{
  run::RunRequest request = request_of(globals, args, dsn);
  request.now = resolve_now(args.at);
  request.now_from_clock = args.at.empty();
  const run::PlanReport report = run::plan_database(request);
  if (!args.out.empty())
    run::write_plan_file(args.out, core::render_json(report.plan));
  if (args.format == "sql")
    out << core::render_sql(report.plan, args.locks.lock_timeout, args.locks.exclusive_lock_timeout);
  else if (args.format == "json")
    out << core::render_json(report.plan);
  else
    out << core::render_text(report.plan);
  return exit_code_of(report);
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
  std::string line;
  switch (a.status) {
  case db::ActionOutcome::Status::ok:
    line = "  " + std::string(past_tense(a.action->kind)) + " " + target;
    if (!a.action->from.empty())
      line += " [" + a.action->from + ", " + a.action->to + ")";
    if (!a.action->values.empty())
      line += " IN (" + core::values_text(a.action->value_type, a.action->values) + ")";
    if (a.archive_id != 0)
      line += " (archive #" + std::to_string(a.archive_id) + " in " + a.action->archive_to + ")";
    if (a.moved > 0)
      line += " (moved " + std::to_string(a.moved) + " rows out of the default partition before the attach)";
    line += " in " + std::string(ms) +
            (a.attempts > 1 ? " after " + std::to_string(a.attempts) + " attempts" : "");
    break;
  case db::ActionOutcome::Status::started: // only ever a history row's state
  case db::ActionOutcome::Status::failed:
  case db::ActionOutcome::Status::deferred:
    line = "  " + std::string(db::to_string(a.status)) + ": " + core::to_string(a.action->kind) + " " +
           target + ": " + a.error;
    break;
  case db::ActionOutcome::Status::skipped:
    line = "  skipped: " + std::string(core::to_string(a.action->kind)) + " " + target;
    break;
  }
  print_line(out, line);
}

// Prints the plan's warnings about a parent (such as a range it cannot create), which apply leaves as they
// are.
void print_warnings(std::ostream& out, const core::ParentPlan& parent)
{
  for (const auto& n : parent.notes) {
    if (n.level == core::NoteLevel::warning)
      print_line(out, "  warning: " + n.message);
  }
}

// Prints a maintenance run as it goes: a block per parent, then the closing line.
class ApplyPrinter : public run::RunObserver
{
public:
  explicit ApplyPrinter(std::ostream& out) : m_out(out) {}

  void started(core::Micros at) override { m_out << "Applying at " << core::iso_utc(at) << "\n"; }

  void reconnecting(const std::string& why) override
  {
    print_line(m_out,
               "lost the database connection (" + why + "); reconnecting to re-read the catalog and go on");
  }

  void parent_done(const db::ParentOutcome& p) override
  {
    print_line(m_out, core::quote_qualified(p.plan->schema, p.plan->table));
    switch (p.status) {
    case db::ParentOutcome::Status::busy:
      m_out << "  skipped: another partman run is working on this parent\n";
      return;
    case db::ParentOutcome::Status::unplannable:
      print_line(m_out, "  error: " + p.plan->error);
      return;
    case db::ParentOutcome::Status::refused:
      print_line(m_out, "  refused: " + p.plan->refused);
      break;
    case db::ParentOutcome::Status::failed:
    case db::ParentOutcome::Status::deferred:
    case db::ParentOutcome::Status::ok:
      break;
    }
    print_warnings(m_out, *p.plan);
    if (p.actions.empty())
      m_out << "  nothing to do\n";
    // A refused parent's held-back removals: one line with their count, unless -v asks for each.
    const bool fold = !p.plan->refused.empty() && !spdlog::should_log(spdlog::level::debug);
    std::size_t folded = 0;
    for (const auto& a : p.actions) {
      if (fold && a.status == db::ActionOutcome::Status::skipped)
        ++folded;
      else
        print_action(m_out, a);
    }
    if (folded > 0)
      m_out << "  skipped: " << folded << " action(s) held back by the refusal (-v lists them)\n";
    m_out.flush();
  }

private:
  std::ostream& m_out;
};

int run_apply(const Globals& globals, const PlanArgs& args, const std::string& dsn, std::ostream& out)
{
  run::RunRequest request = request_of(globals, args, dsn);
  if (!args.plan_file.empty()) {
    if (!args.parents.empty() || !args.at.empty())
      throw UsageError("--plan: a saved plan already names its parents and time; drop PARENT and --at");
    request.saved = run::read_saved_plan(args.plan_file);
  } else {
    request.now = resolve_now(args.at);
    request.now_from_clock = args.at.empty();
  }
  ApplyPrinter printer(out);
  run::RunObserver silent;
  const bool json = args.format == "json";
  const run::RunReport report = run::run_maintenance(request, json ? silent : printer);
  if (json) {
    out << render_run_json(report);
    return exit_code_of(report);
  }
  if (report.standby) {
    out << "the server is a standby (in recovery): nothing to do here; partman applies on the primary\n";
    return k_exit_ok;
  }
  const auto& done = report.done;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", report.seconds);
  out << "\nDone: " << done[0] << " created, " << done[1] << " dropped, " << done[2] << " detached, "
      << done[3] << " finalized, " << done[4] << " archived; " << report.failed << " of "
      << report.parents.size() << " parent(s) failed or deferred; " << seconds << " s\n";
  return exit_code_of(report);
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
  cmd.add_option("--removal-window", args.removal_window,
                 "Drops, detaches and archives only in these hours, e.g. '01:00-05:00 Europe/Berlin';\n"
                 "outside them only creates run, and the plan says the removals wait (no failure)")
      ->envname("PARTMAN_REMOVAL_WINDOW");
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
  plan->footer(
      "Examples:\n"
      "  partman plan app.events --at 2027-01-01    the plan as of a later day\n"
      "  partman plan -f sql > maintenance.sql      a script for psql, or -o plan.json to apply later");
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
          return for_each_database(globals, job, plan_args->format == "json");
        },
        std::cerr);
  });

  auto apply_args = std::make_shared<PlanArgs>();
  auto* apply = app.add_subcommand(
      "apply",
      "Compute the same plan and execute it: each action in its own transaction, under lock_timeout\n"
      "with retries, recorded in the history table. A parent that fails does not stop the others.");
  add_common(*apply, *apply_args);
  apply->footer("Examples:\n"
                "  partman apply                       what 'partman plan' shows, now\n"
                "  partman apply --plan plan.json      exactly a plan saved by 'partman plan -o plan.json'");
  add_retry_options(*apply, apply_args->locks);
  apply
      ->add_option("--parallel", apply_args->parallel,
                   "Parents worked on at once, each on its own connection (a parent's actions stay in order)")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  apply
      ->add_option("-f,--format", apply_args->format,
                   "text (a block per parent as it finishes) or json (the run report as one document)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  apply->add_option("--plan", apply_args->plan_file,
                    "Run exactly this plan, saved by 'partman plan --out FILE'; refused if the catalog or a\n"
                    "policy has changed since it was made");
  apply->callback([&globals, &exit_code, apply_args] {
    const DatabaseJob job = [&](const std::string& dsn, std::ostream& out) {
      return run_apply(globals, *apply_args, dsn, out);
    };
    exit_code =
        run_guarded([&] { return for_each_database(globals, job, apply_args->format == "json"); }, std::cerr);
  });
}

} // namespace partman::cli
