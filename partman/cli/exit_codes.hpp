// The exit codes of every command and the one mapping from errors and reports to them. Nothing below the
// command line knows these numbers: the layers under it throw typed errors (core/errors.hpp,
// archive/errors.hpp, libpqxx's) and return reports, and this file says what each means to a caller.
#pragma once

#include <string>
#include <vector>

#include "partman/run/fleet.hpp"
#include "partman/run/maintenance.hpp"

namespace partman {

// The documented exit codes of every command.
enum ExitCode : int
{
  k_exit_ok = 0,         // success, or nothing to do
  k_exit_unexpected = 1, // an unexpected error (a bug, or a database error outside any parent's work)
  k_exit_invalid = 2,    // invalid input or configuration; nothing was changed
  k_exit_partial = 3,    // some parents failed or were deferred; the others were done
  k_exit_connection = 4, // the database could not be reached; nothing was changed
  k_exit_storage = 5,    // archive storage failed, or a copy did not verify (archive, restore)
};

} // namespace partman

namespace partman::cli {

// What an error means to a user: the message to print and the exit code.
struct ErrorExit
{
  std::string message;
  int code = k_exit_unexpected;
};

// Returns the message and exit code of the exception being handled; call it only inside a catch block.
// UsageError gives 2; ConnectionError and a lost connection 4; a StorageError or an ArchiveError 5; a
// server's refusal (a missing privilege, a read-only server) 2; anything else 1.
ErrorExit current_error_exit();
// Returns 0 for a report that is complete() (a plan whose every parent was planned, a run, drain or import
// whose every parent went well), 3 (partial) otherwise.
template <typename Report> int exit_code_of(const Report& report)
{
  return report.complete() ? k_exit_ok : k_exit_partial;
}
// Returns 0 when every database succeeded, the common code when all failed alike, and 3 (partial) otherwise.
int fleet_exit_code(const std::vector<run::DatabaseOutcome>& outcomes);

} // namespace partman::cli
