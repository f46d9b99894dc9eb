// Sessions of the operations that write: they refuse a standby before anything is tried.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>

#include "partman/db/session.hpp"

namespace partman::run {

// Opens a session for an operation that writes (`command` names it in the hint); UsageError on a standby.
std::unique_ptr<pqxx::connection> open_primary(const std::string& dsn, const db::SessionOptions& options,
                                               const char* command);

} // namespace partman::run
