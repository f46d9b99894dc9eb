// A fingerprint of what a plan was made from, so a saved plan is refused once the database has moved on.
#pragma once

#include <string>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

// Returns 16 hex digits over the policies and the parts of the catalog the planner reads (names, shapes,
// bounds, pending detaches; not row estimates or sizes, which change all the time).
std::string fingerprint(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies);

} // namespace partman::core
