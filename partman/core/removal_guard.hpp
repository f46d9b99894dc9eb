// Guards on what a plan removes: partitions a foreign key still needs, and plans that would drop or detach
// too many partitions at once (a clock jump, a retention typo). Internal to the planner.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "partman/core/planner.hpp"

namespace partman::core {

struct Planning;

// Returns true, with a note that says why, when retention would drop `child` while a foreign key references
// it: its DROP TABLE would fail after the detach, leaving the change half done, so it is not removed.
bool referenced_removal(Planning& ctx, const Child& child);
// Refuses the plan of a parent that would drop or detach more than the allowed share of its partitions
// (the `existing` ones, and those the plan creates).
void guard_removals(std::size_t existing, const PlanOptions& options, ParentPlan& pp);
// Guards the removals of the plans [from, to) of partitions planned under one parent's level-2 policy as
// one: a month of daily partitions expiring as a whole is normal, half of all of them at once is not.
void guard_sub_removals(const std::vector<ParentSnapshot>& parents, std::size_t from, std::size_t to,
                        const PlanOptions& options, Plan& plan);
// Returns the partitions of `parent` other than its default partition.
std::size_t ranged_count(const ParentSnapshot& parent);
// Returns true when `outer` (the plan of the parent of partition `schema`.`name`) removes that partition.
bool removes(const ParentPlan& outer, const std::string& schema, const std::string& name);

} // namespace partman::core
