// Error classes with stable exit codes; one top-level catch turns them into `partman: error: ...`.
#pragma once

#include <stdexcept>
#include <string>

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

// Invalid input or configuration, found before anything changed (exit 2).
class UsageError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// The database could not be reached (exit 4).
class ConnectionError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

} // namespace partman
