// Shared fixtures of the planner tests (test_planner_*.cpp): the statements and lock texts the planner
// writes, and the check that a plan applied plans nothing more.
#pragma once

#include <catch2/catch.hpp>

#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

namespace partman::test {

// The LIKE options of every CREATE TABLE of a new partition, after the parent's name.
inline constexpr const char* k_like =
    " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE"
    " INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)";

// The locks of a create without a default partition.
inline constexpr const char* k_create_locks =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table";
// The locks of a create beside a default partition.
inline constexpr const char* k_create_locks_default =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition (the attach scans "
    "it) and on the new table";
// The locks of a removal by DETACH ... CONCURRENTLY.
inline constexpr const char* k_removal_locks_concurrent = "SHARE UPDATE EXCLUSIVE on the parent (DETACH ... "
                                                          "CONCURRENTLY, outside a transaction block), then "
                                                          "ACCESS EXCLUSIVE on the detached table";
// The locks of a removal beside a default partition.
inline constexpr const char* k_removal_locks_default =
    "ACCESS EXCLUSIVE on the parent, then on the default partition and the partition (the parent has a "
    "default partition, so DETACH ... CONCURRENTLY is not allowed)";
// The locks of a DETACH ... FINALIZE.
inline constexpr const char* k_finalize_locks =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the partition";

// Returns app."Events", monthly in Europe/Berlin with a year's retention, holding the partitions of January
// and November 2025 (the removal tests' parent, with and without a default partition).
inline core::ParentSnapshot events_with_old_months()
{
  auto parent = make_parent("app", "Events");
  parent.children.push_back(
      make_child("app", "Events_p202501", "2025-01-01 00:00:00+01:00", "2025-02-01 00:00:00+01:00"));
  parent.children.push_back(
      make_child("app", "Events_p202511", "2025-11-01 00:00:00+01:00", "2025-12-01 00:00:00+01:00"));
  return parent;
}
// Returns the policy of events_with_old_months().
inline core::Policy events_year_retention()
{
  auto policy = make_policy("app", "Events", "1 month", 1, "Europe/Berlin");
  policy.retention = period("1 year");
  return policy;
}

// Plans, applies the creates to the snapshot, plans again: the second plan must be empty.
inline void check_idempotent(const core::ParentSnapshot& parent, const core::Policy& policy, core::Micros now)
{
  const core::ParentPlan first = core::plan_parent(parent, policy, now);
  REQUIRE(first.error.empty());
  REQUIRE(!first.actions.empty());
  const core::ParentPlan second = core::plan_parent(with_creates(parent, first), policy, now);
  CHECK(second.error.empty());
  CHECK(actions_of(second).empty());
  CHECK(notes_of(second).empty());
}

} // namespace partman::test
