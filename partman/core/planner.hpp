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
};

// Plans one parent at instant `now` (UTC microseconds).
ParentPlan plan_parent(const ParentSnapshot& parent, const Policy& policy, Micros now,
                       const PlanOptions& options = {});
// Plans every parent; `parents[i]` belongs to `policies[i]`.
Plan make_plan(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies, Micros now,
               const PlanOptions& options = {});

// Returns a bound's value as text for `type` (timestamptz bounds carry their offset in `zone`); the SQL
// literal is this text single-quoted.
std::string bound_text(KeyType type, Zone zone, Micros key);
// Returns the CREATE TABLE of a new partition shaped like its parent (both already quoted).
std::string create_like_sql(const std::string& child_sql, const std::string& parent_sql);
// Returns "LOCK TABLE ONLY ... IN mode MODE" (without ONLY, a parent's lock would reach every partition).
std::string lock_sql(const std::string& schema, const std::string& name, const char* mode);
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
