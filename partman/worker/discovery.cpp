#include "partman/worker/discovery.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "partman/core/errors.hpp"
#include "partman/db/session.hpp"
#include "partman/worker/control.hpp"

namespace partman::worker {

std::vector<std::string> configured_databases(const WorkerConfig& config)
{
  std::vector<std::string> out = config.dsns;
  if (!config.dsn_file.empty()) {
    const auto listed = db::read_dsn_file(config.dsn_file, "dsn_file");
    out.insert(out.end(), listed.begin(), listed.end());
  }
  return out;
}

std::vector<std::string> discover_databases(const std::string& server)
{
  const std::string dsn = worker_dsn(server);
  auto conn = db::open_session(dsn, db::SessionOptions{"1s", "", true});
  pqxx::nontransaction tx(*conn);
  std::vector<std::string> out;
  for (const auto& row : tx.exec("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                                 "ORDER BY datname"))
    out.push_back(db::edit_conninfo(server, {{"dbname", row[0].as<std::string>()}}, false));
  return out;
}

} // namespace partman::worker
