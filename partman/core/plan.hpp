// The plan: an ordered list of actions per parent, each with the exact SQL it runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "partman/core/boxed.hpp"
#include "partman/core/interval.hpp"
#include "partman/core/policy.hpp"

namespace partman::core {

// The closed set of things a plan can do.
enum class ActionKind
{
  create,
  drop,
  detach,
  finalize_detach,
  archive // detach (unless an earlier run did), export, verify, drop
};

// The batches of a move out of a default partition that Citus distributes, bounded by key ranges (Citus
// plans no DELETE by ctid). Each batch is one transaction: SHARE on the default partition (no row arrives
// there or leaves while the batch runs), where the next batch starts, then the rows of [start, next) copied
// into the new table shard by shard on the workers (the tables are colocated) and deleted from the default
// partition. Statements take $1 and $2, the batch's first key and the next batch's, as text (NULL: open).
struct KeyRangeBatches
{
  std::string lock_sql;   // LOCK TABLE ONLY the default partition IN SHARE MODE
  std::string next_sql;   // returns the key that starts the next batch ($1; no row: this batch is the last)
  std::string copy_sql;   // INSERT INTO the new table ... SELECT the rows of [$1, $2)
  std::string delete_sql; // DELETE them from the default partition
};

// Rows of a new partition's range (or values) that sit in the default partition: moved into the new table
// before the attach, so that the attach neither fails nor scans them under its lock.
struct DefaultMove
{
  std::string schema; // the default partition
  std::string name;
  std::string condition;         // the new partition's rows, as a WHERE condition on the key
  std::string batch_sql;         // moves up to batch_size of them (each run is its own short transaction)
  int batch_size = 0;            //
  std::size_t setup_from = 0;    // sql[setup_from, setup_from + setup_count) create and shape the new table:
  std::size_t setup_count = 0;   //   run first, in their own transaction, when the rows move in batches
  bool resume = false;           // an interrupted run created the table and moved rows into it: finish it
  long long estimated_rows = -1; // the server's estimate of the rows to move (negative: not asked)
  bool batched = false;          // move in batches before the attach's transaction (else only within it)
  Boxed<KeyRangeBatches> key_ranges; // set: batches bounded by key ranges (a Citus table), not batch_sql
};

// One change to one partition.
struct Action
{
  ActionKind kind = ActionKind::create;
  std::string schema;
  std::string name;
  std::string from;                   // lower bound's value, unquoted (empty when not relevant)
  std::string to;                     // upper bound's value, unquoted
  std::vector<std::string> values;    // a LIST partition's values, unquoted
  KeyType value_type = KeyType::text; // the key's type, which says how the values are written
  std::vector<std::string> sql;
  bool transactional = true;      // false: the statements cannot run inside a transaction block
  bool concurrent_detach = false; // the first statement is a DETACH ... CONCURRENTLY
  bool per_statement = false;     // one statement per message (a Citus table: Citus re-sends an ATTACH's or
                                  // DETACH's text to its workers, which refuse several commands in one)
  std::string_view locks;         // the locks the statements take, for display
  bool exclusive = false;         // ACCESS EXCLUSIVE on the parent or its default partition, which the
                                  // application queues behind: one transaction, under the exclusive timeout
  std::string archive_to;         // set: after `sql`, export the detached table there, verify, then drop
  long long archive_id = 0;       // the archive row an earlier run began, when resuming one
  std::string reason;             // why, for display only
  Boxed<DefaultMove> move;        // a create beside a default partition: its rows of the new range move
  std::vector<std::string> sub_partitions; // a create under a level-2 policy: the partitions it gets
};

// How loud a note is.
enum class NoteLevel
{
  info,
  warning
};

// Something the plan wants the operator to know that is not an action.
struct Note
{
  NoteLevel level = NoteLevel::info;
  std::string message;
};

// The plan for one parent; `error` set means the parent cannot be planned at all.
struct ParentPlan
{
  std::string schema;
  std::string table;
  std::string summary;      // the policy in a few words
  std::string partition_of; // a partition planned under its parent's level-2 policy: that parent
  std::string distributed;  // a Citus table: how Citus distributes it, in words (empty: not one)
  std::string error;
  std::string refused; // set: its removals are shown but not applied, its creates are (see PlanOptions)
  std::vector<Action> actions;
  std::vector<Note> notes;
};

// The plan of a whole run.
struct Plan
{
  Micros at = 0;
  std::string fingerprint; // of the policies and catalog it was made from (set by the caller; may be empty)
  std::vector<ParentPlan> parents;

  // Returns the number of actions over all parents.
  std::size_t action_count() const;
};

// Returns true for the actions a refused parent still applies (creates: premake must not stop).
inline bool applies_when_refused(const Action& a)
{
  return a.kind == ActionKind::create;
}
// Returns "create", "drop", "detach", "finalize-detach" or "archive".
const char* to_string(ActionKind kind);
// Returns "info" or "warning".
const char* to_string(NoteLevel level);

} // namespace partman::core
