#include "partman/cli/exit_codes.hpp"

#include <algorithm>
#include <exception>
#include <pqxx/except>

#include "partman/archive/errors.hpp"
#include "partman/core/errors.hpp"
#include "partman/db/privileges.hpp"

namespace partman::cli {

ErrorExit current_error_exit()
{
  try {
    throw;
  } catch (const UsageError& e) {
    return {e.what(), k_exit_invalid};
  } catch (const ConnectionError& e) {
    return {e.what(), k_exit_connection};
  } catch (const archive::StorageError& e) {
    return {e.what(), k_exit_storage};
  } catch (const archive::ArchiveError& e) {
    return {e.what(), k_exit_storage};
  } catch (const pqxx::broken_connection& e) {
    return {std::string("lost the database connection: ") + e.what(), k_exit_connection};
  } catch (const pqxx::sql_error& e) {
    const std::string refusal = db::explain_refusal(e); // a missing privilege, a read-only server
    return refusal.empty() ? ErrorExit{e.what(), k_exit_unexpected} : ErrorExit{refusal, k_exit_invalid};
  } catch (const std::exception& e) {
    return {e.what(), k_exit_unexpected};
  }
}

int fleet_exit_code(const std::vector<run::DatabaseOutcome>& outcomes)
{
  const auto failed = static_cast<std::size_t>(std::count_if(
      outcomes.begin(), outcomes.end(), [](const auto& o) { return o.exit_code != k_exit_ok; }));
  if (failed == 0)
    return k_exit_ok;
  if (failed == outcomes.size() && std::all_of(outcomes.begin(), outcomes.end(), [&](const auto& o) {
        return o.exit_code == outcomes.front().exit_code;
      }))
    return outcomes.front().exit_code;
  return k_exit_partial;
}

} // namespace partman::cli
