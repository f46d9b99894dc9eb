// drain-default: moves the rows of a parent's default partition into partitions the policy can create for
// them, one partition at a time; rows that fit no partition stay there and are reported. An observer hears
// each step as it goes.
#pragma once

#include <string>
#include <vector>

#include "partman/core/interval.hpp"
#include "partman/core/plan.hpp"
#include "partman/db/executor.hpp"
#include "partman/run/maintenance.hpp"
#include "partman/run/target.hpp"

namespace partman::run {

// What drain-default needs.
struct DrainRequest : Target
{
  std::string parent;     // the managed parent, as SQL writes it
  core::Micros now = 0;   // retention decides at this instant what has expired
  LockSettings locks;     // lock timeouts and retries
  int batch_size = 10000; // rows moved per transaction
};

// How one action of a drain step ended.
struct DrainAction
{
  core::ActionKind kind = core::ActionKind::create;
  std::string partition; // quoted
  db::ActionOutcome::Status status = db::ActionOutcome::Status::skipped;
  long long moved = 0; // rows moved in batches
  std::string error;
};

// What drain-default did.
struct DrainReport
{
  bool standby = false;              // the server was in recovery: nothing was done
  bool busy = false;                 // another partman run held the parent: nothing was done
  bool no_default = false;           // the parent has no default partition: nothing to drain
  std::string parent;                // quoted
  std::string default_partition;     // quoted
  long long held = 0;                // rows in the default partition before
  std::vector<DrainAction> actions;  // what was done, in order
  int created = 0;                   // partitions created
  long long moved = 0;               // rows moved
  bool failed = false;               // an action failed: the drain stopped there
  long long left = 0;                // rows in the default partition after
  std::vector<std::string> stays;    // the ranges or values whose rows stay, with why, in key order
  long long null_keys = 0;           // rows left with a NULL key
  std::vector<std::string> examples; // the smallest keys left, as text
  // Returns false when the parent was busy or an action failed.
  bool complete() const;
};

// Hears a drain as it goes (one call at a time).
class DrainObserver
{
public:
  virtual ~DrainObserver() = default;
  // Hears the default partition's rows before anything moves (report.parent, default_partition, held).
  virtual void started(const DrainReport& /*report*/) {}
  // Hears that partition `partition` (quoted) is created for the rows in `range`.
  virtual void creating(const std::string& /*range*/, const std::string& /*partition*/) {}
  // Hears how one action ended.
  virtual void action_done(const DrainAction& /*action*/) {}
};

// Drains the default partition of the request's parent under the parent's advisory lock.
DrainReport drain_default(const DrainRequest& request, DrainObserver& observer);

} // namespace partman::run
