#include "partman/worker/job.hpp"

#include <chrono>
#include <pqxx/except>
#include <spdlog/spdlog.h>

#include "partman/core/errors.hpp"
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

core::Micros now_micros()
{
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs maintenance and counts what went wrong, apart from removals held for the removal window.
void run_maintenance(JobInput& in, JobResult& out)
{
  run::RunRequest request;
  request.dsn = in.dsn;
  request.schema = in.schema;
  request.now = now_micros();
  request.now_from_clock = true;
  request.guard.max_removal_percent = in.max_removal_percent;
  request.locks = in.locks;
  request.parallel = 1;
  request.window = in.window;
  LogObserver observer;
  out.report = run::run_maintenance(request, observer);
  const std::string& hold = out.report.window_hold;
  for (const auto& p : out.report.parents) {
    const bool for_window =
        !hold.empty() && p.status == db::ParentOutcome::Status::refused && p.plan && p.plan->refused == hold;
    out.removals_waiting = out.removals_waiting || for_window;
    out.bad_parents += run::is_bad(p.status) && !for_window;
    out.refused += p.status == db::ParentOutcome::Status::refused && !for_window;
  }
  out.outcome = out.report.standby ? Outcome::standby : Outcome::ran;
  std::size_t done = 0;
  for (const auto n : out.report.done)
    done += n;
  if (out.outcome == Outcome::ran && (in.health_due || done > 0)) {
    try {
      out.health = run::read_health({in.dsn, in.schema, {}, 0});
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& e) {
      spdlog::warn("reading the parents' health for the metrics failed: {}", e.what());
    }
  }
}

} // namespace

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
    if (!in.control)
      in.control = std::make_unique<ControlSession>(in.dsn);
    if (in.control->standby()) {
      out.outcome = Outcome::standby;
    } else if (!in.control->installed(in.schema)) {
      out.outcome = Outcome::not_installed;
      in.control.reset(); // no idle session on a database partman does not maintain
    } else if (!in.control->lead()) {
      out.outcome = Outcome::follower;
    } else {
      run_maintenance(in, out);
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
  out.control = std::move(in.control);
  if (in.name_thread)
    in.name_thread("");
  return out;
}

} // namespace partman::worker
