// Where an archive of one partition stands: the closed set of states of the archive table's `state` column
// (stored as text; sql/003_archive.sql checks the same list).
#pragma once

#include <string>

#include "partman/core/result.hpp"

namespace partman::core {

// A state of an archive, in the order the steps reach them.
enum class ArchiveState
{
  detaching, // recorded before its partition is detached
  detached,  // the table is no longer a partition; nothing stored yet
  written,   // the copy is stored (a state older versions recorded between steps)
  verified,  // the copy was read back and checked (likewise)
  dropped,   // the copy is verified and the table dropped: the archive is complete
  failed,    // the last attempt failed (see its error); the next run starts again from the export
};

// Returns the state as the archive table stores it: "detaching", "detached", "written", "verified",
// "dropped" or "failed".
const char* to_string(ArchiveState state);
// Parses what to_string(ArchiveState) returns.
Result<ArchiveState> parse_archive_state(const std::string& text);
// Returns the state that archive #`id` records as `text`; throws std::runtime_error when it names none (the
// table was changed by something other than partman).
ArchiveState stored_archive_state(const std::string& text, long long id);
// Returns the state as an SQL literal, for statements that set or compare it.
std::string archive_state_sql(ArchiveState state);
// Returns true when the archive holds a complete copy (written, verified or dropped): one restore can read.
bool has_complete_copy(ArchiveState state);

} // namespace partman::core
