// The planning of LIST policies: a partition per listed value, and the removal of partitions whose values
// are no longer listed. Internal to the planner.
#pragma once

namespace partman::core {

struct Planning;

// Plans a LIST policy: a partition for each listed value that has none, and the removal (as the list
// retention says) of partitions whose values are all no longer listed. Returns false, with the plan's error
// set, when it cannot be planned.
bool plan_list(Planning& ctx);

} // namespace partman::core
