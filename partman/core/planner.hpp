// The pure planner: catalog snapshot + policies + a point in time -> Plan. No I/O, no clock.
#pragma once

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

// Returns why the partitions a time or epoch `policy` keeps on `parent` at `now` (from --start, or now, to
// premake) cannot be planned: one would lie outside 0001-01-01 to 9999-12-31, or they are more than
// k_max_creates_per_parent; empty when they can, and for other shapes.
std::string check_time_window(const ParentSnapshot& parent, const Policy& policy, Micros now);

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
// Returns RANGE key value `key` of `parent` under `policy` as an SQL value ('2026-01-01 ...', 17).
std::string key_sql(const ParentSnapshot& parent, const Policy& policy, Micros key);

// Returns a bound's value as text for `type` (timestamptz bounds carry their offset in `zone`); the SQL
// literal is this text single-quoted.
std::string bound_text(KeyType type, Zone zone, Micros key);
// Returns the CREATE TABLE of a new partition shaped like its parent (both already quoted).
std::string create_like_sql(const std::string& child_sql, const std::string& parent_sql);
// Returns "LOCK TABLE ONLY ... IN mode MODE" (without ONLY, a parent's lock would reach every partition).
std::string lock_sql(const std::string& schema, const std::string& name, const char* mode);
// Returns "SET LOCAL lock_timeout = 'timeout';\n" for an action that takes ACCESS EXCLUSIVE on a parent or
// its default partition (Action::exclusive), to run first in its transaction block; "" for the others or
// an empty `timeout`.
std::string exclusive_timeout_sql(const Action& a, const std::string& timeout);
// Returns the prefix shared by the names of the children `policy` creates.
std::string policy_child_prefix(const Policy& policy);

// Where a RANGE parent stands at instant `now`, in its key's values.
struct KeyPosition
{
  std::optional<Micros> now;    // the key value of now; for integer policies the largest value present
  std::optional<Micros> cutoff; // partitions whose upper bound is not above this have expired
};
// Returns where `parent` stands under `policy` (a RANGE policy whose shape fits the parent) at `now`.
KeyPosition key_position(const ParentSnapshot& parent, const Policy& policy, Micros now);
// Returns a bound of one of `parent`'s range partitions for people (an epoch key as the instant it holds);
// `infinite` when it is empty.
std::string bound_for_people(const ParentSnapshot& parent, const Policy& policy,
                             const std::optional<Micros>& key, const char* infinite);

} // namespace partman::core
