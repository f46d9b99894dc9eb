// The errors of invalid input and of an unreachable database, raised by any layer; the command line
// gives each its exit code (cli/exit_codes.hpp) and prints it as `partman: error: ...`.
#pragma once

#include <stdexcept>
#include <string>

namespace partman {

// Invalid input or configuration, found before anything changed.
class UsageError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// The database could not be reached.
class ConnectionError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

} // namespace partman
