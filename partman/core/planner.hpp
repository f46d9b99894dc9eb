// The pure planner: catalog snapshot + policies + a point in time -> Plan. No I/O, no clock.
#pragma once

#include "partman/core/action_sql.hpp"
#include "partman/core/key_space.hpp"
#include "partman/core/plan.hpp"
#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

// The most partitions one parent's plan may create in one run (a guard against a far --start).
constexpr std::int64_t k_max_creates_per_parent = 50000;

// Guards against plans that would remove too much at once (a clock jump, a retention typo).
struct PlanOptions
{
  int max_removal_percent = 50; // refuse a parent whose plan drops or detaches more of its partitions
  bool force = false;           // plan it anyway
  int batch_size = 10000;       // rows per transaction when rows move out of a default partition
  std::string hold_removals{};  // set: refuse all removals for this reason (the clock) unless forced
};

// Plans one parent at instant `now` (UTC microseconds).
ParentPlan plan_parent(const ParentSnapshot& parent, const Policy& policy, Micros now,
                       const PlanOptions& options = {});
// Plans every parent; `parents[i]` belongs to `policies[i]`.
Plan make_plan(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies, Micros now,
               const PlanOptions& options = {});

// Returns true when `pp`, planned from `parent` without its properties and taken names, may differ from the
// plan made with them. Properties shape only creates (what new children copy, rows moved out of a default
// partition) and removals (foreign keys), and a policy's template table not found is an error; taken names
// only creates and the finishing of interrupted removals. A plan with no action and no error, of a parent
// with no interrupted removal, is the same either way.
bool needs_details(const ParentSnapshot& parent, const ParentPlan& pp);

// Records the server's estimates of the rows creates move out of a default partition: `estimates[i]` belongs
// to the i-th action with a move, in plan order (negative: unknown). A create expected to move more than one
// row moves them in batches before the attach's transaction.
void set_move_estimates(Plan& plan, const std::vector<long long>& estimates);

// Where the default partition's rows of one key value belong, for drain-default.
struct DrainStep
{
  ParentPlan plan;            // one create, its rows moved in batches, when a partition can take them
  std::string range;          // the range or value the rows fall in, for people
  std::string stays;          // why no partition can take them (empty when `plan` does)
  std::optional<Micros> next; // RANGE keys: the first key after that range (none: it ends at MAXVALUE)
};
// Returns where rows of RANGE key value `key` belong: the slot the policy gives it, created unless it has
// expired under retention or meets a partition or table already there.
DrainStep plan_drain_range(const ParentSnapshot& parent, const Policy& policy, Micros now, Micros key,
                           const PlanOptions& options = {});
// Returns where rows of LIST value `value` (as the key type prints it) belong: its partition, created when
// the policy lists the value.
DrainStep plan_drain_value(const ParentSnapshot& parent, const Policy& policy, Micros now,
                           const std::string& value, const PlanOptions& options = {});
// Returns the prefix shared by the names of the children `policy` creates.
std::string policy_child_prefix(const Policy& policy);

} // namespace partman::core
