// What the planner's parts share while they plan one parent: the parent, its policy, the plan being made,
// and questions about the parent's partitions. Internal to the planner.
#pragma once

#include <string>
#include <vector>

#include "partman/core/key_space.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"

namespace partman::core {

// What every shape's planning shares: the parent, how removals are done, and the plan being made.
struct Planning
{
  const ParentSnapshot& parent;
  const Policy& policy;
  const Removal removal; // how removals are done (a LIST policy's list retention as its action)
  const Child* def;      // the default partition, or nullptr
  const PlanOptions& options;
  ParentPlan& pp;
  Micros now; // what a new sub-partitioned partition's own partitions are planned at
  const std::string parent_sql = quote_qualified(parent.schema, parent.table); // once for its many removals
};

// Returns the parent's default partition, or nullptr.
const Child* default_partition(const ParentSnapshot& parent);
// Returns the children with bounds, sorted by lower bound (they never overlap, so also by upper bound).
std::vector<const Child*> ranged_children(const ParentSnapshot& parent);
// Returns the children of `sorted` (see ranged_children) whose range meets [lo, hi).
std::vector<const Child*> overlapping(const std::vector<const Child*>& sorted, const Bound& lo,
                                      const Bound& hi);
// Returns true when an interrupted run left table `name` holding rows it moved out of the default partition.
bool unfinished_move(const ParentSnapshot& parent, const std::string& name);
// Returns true when a relation other than a partition of this parent, or a partition, is named `name`.
bool name_taken(const ParentSnapshot& parent, const std::string& name);
// Returns why rows cannot be moved out of the parent's default partition (empty: they can): a foreign key
// that references it would make the DELETE cascade or fail.
std::string default_unmovable(const Planning& ctx);
// Warns that an attach fails when the default partition holds rows for a new partition that cannot be
// moved out of it first.
void note_default_rows(Planning& ctx);

} // namespace partman::core
