// What a plan does differently for a parent that Citus distributes: statements one per message, a short
// DETACH or DROP instead of DETACH ... CONCURRENTLY, the new table distributed before rows move into it, and
// rows moved out of a default partition in batches bounded by key ranges instead of ctid.
#pragma once

#include <string>
#include <vector>

#include "partman/core/plan.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

// Returns how Citus distributes `d`, in words: "distributed by Citus on \"tenant_id\"" (empty: not a Citus
// table).
std::string distribution_text(const Distribution& d);
// Returns the statement that distributes new table `child_sql` on `column`, colocated with `parent_sql` (all
// three already quoted), so that rows written into it go to the workers' shards.
std::string distribute_sql(const std::string& child_sql, const std::string& column,
                           const std::string& parent_sql);
// Returns the statements that move all rows of `condition` from default partition `from_sql` into `to_sql`
// under the action's locks (ACCESS EXCLUSIVE on the default partition): copied, then deleted. Citus pushes
// both down to the colocated shards; a DELETE ... RETURNING feeding an INSERT would pass every row through
// the coordinator.
std::vector<std::string> move_all_sql(const std::string& from_sql, const std::string& to_sql,
                                      const std::vector<std::string>& columns, const std::string& condition);
// Returns the batches that move the rows of `condition` from `from_sql` to `to_sql`, about `batch_size` at
// a time, bounded by ranges of `column` (see KeyRangeBatches).
KeyRangeBatches key_range_batches(const std::string& from_sql, const std::string& to_sql,
                                  const std::vector<std::string>& columns, const std::string& condition,
                                  const std::string& column, int batch_size);
// Returns the column a Citus parent's batches are bounded by: the partition key of a RANGE parent, the
// distribution column of a LIST parent (all rows of a LIST partition share one key), else the key.
const std::string& batch_column(const ParentSnapshot& parent);
// Returns the statements of one batch as `plan` shows them (KeyRangeBatches' four, with $1 and $2).
std::string batches_text(const KeyRangeBatches& b);

// What is different for a Citus table, as `plan` says it once per such parent.
extern const char* const k_citus_differences;
// The locks of a Citus parent's actions, as `plan` shows them.
extern const char* const k_citus_create_locks;
extern const char* const k_citus_create_default_locks;
extern const char* const k_citus_drop_locks;
extern const char* const k_citus_detach_locks;

} // namespace partman::core
