// The history and archive rows of the actions a run executes: the SQL that writes them.
#pragma once

#include <chrono>
#include <string>

#include "partman/core/plan.hpp"
#include "partman/db/executor.hpp"

namespace partman::db {

// Returns an action's statements as one text, each ending in ";\n" (what its history row records).
std::string join_sql(const core::Action& a);
// Returns a server message without its trailing newline and blanks.
std::string clean_message(std::string message);
// Returns the milliseconds since `started`.
double ms_since(std::chrono::steady_clock::time_point started);

// Writes history rows; one per action, in the action's own transaction when it succeeds.
class Recorder
{
public:
  // Records into partman's schema `schema` for run `run_id`.
  Recorder(std::string schema, std::string run_id);

  // Returns the INSERT of a history row; `duration_sql` is an SQL expression of milliseconds.
  std::string insert_sql(const core::ParentPlan& parent, const ActionOutcome& out,
                         const std::string& duration_sql) const;
  // Returns the UPDATE that records how the action behind history row `out.history_id` ended.
  std::string update_sql(const ActionOutcome& out, const std::string& duration_sql) const;
  // Returns the INSERT of an archive's row (state 'detaching'), or the existing unfinished row, with its id.
  std::string archive_row_sql(const core::ParentPlan& parent, const core::Action& a,
                              const std::string& storage) const;
  // Returns the UPDATE that records an archive's partition as detached.
  std::string archive_detached_sql(long long id) const;

private:
  std::string m_schema;
  std::string m_run_id;
};

} // namespace partman::db
