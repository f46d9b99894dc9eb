// How a parent's existing partitions line up with the partitions a policy would make (taking over a parent
// that another tool or a person partitioned).
#pragma once

#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

// What the existing partitions of one parent look like to a policy.
struct Adoption
{
  int partitions = 0;        // partitions with a range (the default partition not counted)
  int aligned = 0;           // of them, those whose range is exactly one of the policy's slots
  bool has_default = false;  // the parent has a default partition
  std::vector<Child> behind; // off the policy's slots and wholly before now: left as they are
  std::vector<Child> ahead;  // off the policy's slots and holding now or later: partman would leave
                             // gaps beside them, where rows go to the default partition or fail
};

// Compares each partition of `parent` with the slots of `policy` (its interval in its time zone, or its
// integer width) at `now`; for integer ranges "now" is the largest value present (parent.key_max). A
// partition planned over its whole range (ParentSnapshot::within) has only what retention removes behind.
Adoption check_adoption(const ParentSnapshot& parent, const Policy& policy, Micros now);

} // namespace partman::core
