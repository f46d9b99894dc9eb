// The SQL of the actions a plan is made of: creating and attaching a partition (its rows moved out of the
// default partition first), detaching one, and what follows the detach (drop, move, archive).
#pragma once

#include <string>

#include "partman/core/plan.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

struct Planning;

// Returns the CREATE TABLE of a new partition shaped like its parent (both already quoted).
std::string create_like_sql(const std::string& child_sql, const std::string& parent_sql);
// Returns "LOCK TABLE ONLY ... IN mode MODE" (without ONLY, a parent's lock would reach every partition).
std::string lock_sql(const std::string& schema, const std::string& name, const char* mode);
// Returns "SET LOCAL lock_timeout = 'timeout';\n" for an action that takes ACCESS EXCLUSIVE on a parent or
// its default partition (Action::exclusive), to run first in its transaction block; "" for the others or
// an empty `timeout`.
std::string exclusive_timeout_sql(const Action& a, const std::string& timeout);

// Returns the create of partition `name` attached with `bound` ("FOR VALUES ..."), shaped like its parent;
// beside a default partition, the rows matching `condition` (the partition's) move out of it first. A table
// an interrupted move left behind is adopted instead of created. Under a level-2 policy the partition is
// created partitioned, with its own partitions ([lower, upper) is its range on a RANGE parent).
Action create_action(const Planning& ctx, const std::string& name, const std::string& bound,
                     const std::string& condition, std::string reason,
                     const std::optional<Micros>& lower = {}, const std::optional<Micros>& upper = {});
// Returns the kind of action that removes a partition under `removal`.
ActionKind removal_kind(const Removal& removal);
// Adds what follows the detach of partition `child` (or of a table that was one): DROP TABLE, SET SCHEMA to
// the retention schema, or the archive steps (export, verify, drop; run by the executor, not SQL).
void add_after_detach(const Removal& removal, const Child& child, Action& a);
// Returns the removal of partition `child`: its detach (concurrently unless beside a default partition),
// then what the policy's removal does with it.
Action removal_action(const Planning& ctx, const Child& child, std::string reason);
// Returns the finishing of `child`'s interrupted DETACH ... CONCURRENTLY, then (when `expired`) what the
// policy's removal does with it.
Action finalize_action(const Planning& ctx, const Child& child, bool expired);

} // namespace partman::core
