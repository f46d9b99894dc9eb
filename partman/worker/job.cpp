#include "partman/worker/job.hpp"

#include <chrono>
#include <pqxx/except>
#include <pqxx/transaction>
#include <spdlog/spdlog.h>

#include "partman/core/errors.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/run_state.hpp"
#include "partman/db/session.hpp"

namespace partman::worker {

namespace {

// Logs what a worker's run does wrong, one line per failed action or parent.
class LogObserver : public run::RunObserver
{
public:
  void reconnecting(const std::string& why) override
  {
    spdlog::warn("the session was lost ({}); reading the catalog again", why);
  }
  void parent_done(const db::ParentOutcome& parent) override
  {
    for (const auto& a : parent.actions) {
      if (a.status == db::ActionOutcome::Status::failed || a.status == db::ActionOutcome::Status::deferred)
        spdlog::warn("{}.{}: {} {}", a.action->schema, a.action->name, core::to_string(a.action->kind),
                     a.error);
    }
    if (parent.status == db::ParentOutcome::Status::unplannable && parent.plan)
      spdlog::warn("{}.{}: {}", parent.plan->schema, parent.plan->table, parent.plan->error);
  }
};

// Returns the request of a run at `now`.
run::RunRequest run_request(const JobInput& in, core::Micros now)
{
  run::RunRequest request;
  request.dsn = in.dsn;
  request.schema = in.schema;
  request.now = now;
  request.now_from_clock = true;
  request.guard.max_removal_percent = in.max_removal_percent;
  request.locks = in.locks;
  request.parallel = 1;
  request.window = in.window;
  return request;
}

// Counts what went wrong in out.report, apart from removals held back for the removal window.
void count_outcomes(JobResult& out)
{
  const std::string& hold = out.report.window_hold;
  for (const auto& p : out.report.parents) {
    const bool for_window =
        !hold.empty() && p.status == db::ParentOutcome::Status::refused && p.plan && p.plan->refused == hold;
    out.removals_waiting = out.removals_waiting || for_window;
    out.bad_parents += run::is_bad(p.status) && !for_window;
    out.refused += p.status == db::ParentOutcome::Status::refused && !for_window;
  }
}

// Returns the parents' health from the known catalog and its plan `plan` at `now`.
run::HealthReport known_health(JobInput& in, const core::Plan& plan, core::Micros now)
{
  pqxx::read_transaction tx(in.control->connection());
  return run::health_of(tx, in.schema, in.known->policies, in.known->snapshot, plan, now);
}

// Reports a turn on an unchanged catalog that planned nothing: every parent ok, recorded in run_state when
// due, its health from the known catalog when due.
void quiet_turn(JobInput& in, JobResult& out, core::Plan plan, core::Micros now)
{
  pqxx::connection& conn = in.control->connection();
  out.quiet = true;
  out.report.at = now;
  out.report.plan = std::make_unique<core::Plan>(std::move(plan));
  std::vector<db::RunMark> marks;
  for (const auto& pp : out.report.plan->parents) {
    out.report.parents.push_back({&pp, db::ParentOutcome::Status::ok, {}});
    if (pp.partition_of.empty())
      marks.push_back({{pp.schema, pp.table}, ""});
  }
  if (in.record_due) {
    db::record_run_state(conn, in.schema, marks);
    out.recorded = true;
  }
  if (in.health_due)
    out.health = known_health(in, *out.report.plan, now);
}

// Returns the plan of a quiet turn: the known catalog's, when the change token on the control session says
// it is still the catalog and nothing is due; else none.
std::optional<core::Plan> quiet_plan_of(JobInput& in, const run::RunRequest& request)
{
  if (!in.known)
    return std::nullopt;
  const run::ChangeToken token = run::read_change_token(in.control->connection(), in.schema);
  if (in.known->token != token.token)
    return std::nullopt;
  const db::ServerFacts facts{false, token.server_now, token.host_now, false};
  return run::quiet_plan(*in.known, request.now, run::judged_guard(request, request.now, true, facts, false));
}

// Runs maintenance as `apply` does, on a working session of its own, closed with it: the control session's
// libpq buffers stay as small as its short answers (a catalog read would leave them dirty for good, 5 KB
// and more a database), and the parent locks a failed run took end with the working session. The change
// token is read there too, before the catalog: a new control session then costs the server no catalog
// lookups of its own.
void full_turn(JobInput& in, JobResult& out, const run::RunRequest& request)
{
  db::ServerFacts facts;
  const auto working = db::open_session(in.dsn, run::session_options(in.locks, false), &facts);
  auto fresh = std::make_unique<run::KnownCatalog>();
  fresh->token = run::read_change_token(*working, in.schema).token;
  LogObserver observer;
  out.report = run::run_maintenance_on(*working, facts, request, observer, fresh.get());
  out.recorded = true;
  in.known = run::plans_from_catalog_alone(fresh->policies) ? std::move(fresh) : nullptr;
  count_outcomes(out);
  std::size_t done = 0;
  for (const auto n : out.report.done)
    done += n;
  if (!in.health_due && done == 0)
    return;
  try {
    if (done == 0 && in.known && out.report.plan) { // nothing changed the catalog it read
      out.health = known_health(in, *out.report.plan, request.now);
    } else {
      out.health = run::read_health_on(*working, {in.dsn, in.schema, {}, 0}, request.now);
    }
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::warn("reading the parents' health for the metrics failed: {}", e.what());
  }
}

// Takes the leader's turn: an unchanged catalog with nothing due is a quiet turn, else maintenance runs.
void lead_turn(JobInput& in, JobResult& out)
{
  const auto started = std::chrono::steady_clock::now();
  const run::RunRequest request = run_request(in, now_micros());
  if (std::optional<core::Plan> quiet = quiet_plan_of(in, request))
    quiet_turn(in, out, std::move(*quiet), request.now);
  else
    full_turn(in, out, request);
  out.outcome = Outcome::ran;
  out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

} // namespace

core::Micros now_micros()
{
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* to_string(Outcome outcome)
{
  switch (outcome) {
  case Outcome::ran:
    return "ran";
  case Outcome::follower:
    return "follower";
  case Outcome::standby:
    return "standby";
  case Outcome::not_installed:
    return "not installed";
  case Outcome::down:
    return "down";
  case Outcome::failed:
    return "failed";
  }
  return "failed";
}

JobResult run_job(JobInput in)
{
  if (in.name_thread)
    in.name_thread(in.label);
  JobResult out;
  try {
    if (!in.control) {
      in.control = std::make_unique<ControlSession>(in.dsn, run::session_options(in.locks, false));
      in.known.reset();
    }
    switch (in.control->stand(in.schema)) {
    case Standing::standby:
      out.outcome = Outcome::standby;
      break;
    case Standing::not_installed:
      out.outcome = Outcome::not_installed;
      in.control.reset(); // no idle session on a database partman does not maintain
      break;
    case Standing::follower:
      out.outcome = Outcome::follower;
      break;
    case Standing::leader:
      lead_turn(in, out);
      break;
    }
  } catch (const ConnectionError& e) {
    out.outcome = Outcome::down;
    out.error = e.what();
    in.control.reset();
  } catch (const pqxx::broken_connection& e) {
    out.outcome = Outcome::down;
    out.error = db::mask_password(e.what(), in.dsn);
    in.control.reset();
  } catch (const std::exception& e) {
    out.outcome = Outcome::failed;
    out.error = db::mask_password(e.what(), in.dsn);
    // A session in an unknown state is not trusted with the leader's lock.
    if (in.control && !in.control->alive())
      in.control.reset();
  }
  if (out.outcome == Outcome::down || out.outcome == Outcome::failed)
    in.known.reset();
  out.control = std::move(in.control);
  out.known = std::move(in.known);
  if (in.name_thread)
    in.name_thread("");
  return out;
}

} // namespace partman::worker
