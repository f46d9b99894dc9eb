// The database an operation works on: what every request of partman/run starts with.
#pragma once

#include <string>

namespace partman::run {

// One database, and the schema of partman's own tables in it.
struct Target
{
  std::string dsn;                // conninfo or URI ("": libpq's PG* settings)
  std::string schema = "partman"; // partman's own tables
};

} // namespace partman::run
