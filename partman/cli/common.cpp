#include "partman/cli/common.hpp"

#include <chrono>

#include "partman/core/errors.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::cli {

core::Micros resolve_now(const std::string& at)
{
  if (at.empty())
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
               .count() *
           core::k_micros_per_second;
  auto parsed = core::parse_instant(at, *core::find_zone("UTC"));
  if (!parsed)
    throw UsageError("--at: " + parsed.error() + " (without an offset the time is read as UTC)");
  return *parsed;
}

std::unique_ptr<pqxx::connection> connect(const Globals& globals, const db::SessionOptions& options)
{
  return db::open_session(globals.dsn, options);
}

void add_lock_timeout_option(CLI::App& cmd, std::string& value)
{
  cmd.add_option("--lock-timeout", value,
                 "How long one DDL statement may wait for a lock before it is retried (PostgreSQL syntax)")
      ->capture_default_str();
}

} // namespace partman::cli
