#include "partman/run/primary.hpp"

#include "partman/core/errors.hpp"

namespace partman::run {

std::unique_ptr<pqxx::connection> open_primary(const std::string& dsn, const db::SessionOptions& options,
                                               const char* command)
{
  db::ServerFacts facts;
  auto conn = db::open_session(dsn, options, &facts);
  if (facts.standby)
    throw UsageError(std::string("the server is a standby (in recovery), where nothing can be written; "
                                 "HINT: run 'partman ") +
                     command + "' against the primary");
  return conn;
}

} // namespace partman::run
