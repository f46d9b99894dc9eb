// Sub-partitioning on two levels: the partitions of a parent whose policy has a level-2 policy are
// planned as parents of their own under it.
#pragma once

#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

// A partition planned under its parent's level-2 policy.
struct SubParent
{
  Policy policy;         // the level-2 policy, for this partition
  std::size_t outer = 0; // its parent: the index in the parents read
  std::size_t child = 0; // itself: the index in that parent's children
};

// Returns the partitioned partitions of the parents whose policy has a level-2 policy (`parents[i]`
// belongs to `policies[i]`), in order.
std::vector<SubParent> sub_parents(const std::vector<ParentSnapshot>& parents,
                                   const std::vector<Policy>& policies);
// Records on `inner` (the snapshot of partition `child` of `outer`) where it sits in the tree.
void set_outer(ParentSnapshot& inner, const ParentSnapshot& outer, const Child& child, const Policy& sub);
// Returns the snapshot, as level-2 policy `sub` sees it, of partition `name` of `outer` that is about to
// be created (partitioned, with no partitions yet) with bounds [lower, upper) (a RANGE parent).
ParentSnapshot new_sub_parent(const ParentSnapshot& outer, const Policy& sub, const std::string& name,
                              const std::optional<Micros>& lower, const std::optional<Micros>& upper);
// Returns true when `sub` partitions the partitions of `outer` BY RANGE on `outer`'s own RANGE key: each
// partition's partitions then cover exactly its range.
bool same_range_key(const ParentSnapshot& outer, const Policy& sub);
// Returns how `ps` is partitioned ("partitioned BY LIST (\"region\")") when that is not BY `strategy` (range
// or list) on column `key`; "" when it is.
std::string partitioned_otherwise(const ParentSnapshot& ps, const std::string& key, Strategy strategy);

} // namespace partman::core
