#include "partman/run/status.hpp"

#include <pqxx/pqxx>

#include "partman/db/catalog.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/db/session.hpp"

namespace partman::run {

bool StatusReport::complete() const
{
  for (const auto& st : statuses) {
    if (!st.error.empty())
      return false;
  }
  return true;
}

StatusReport read_status(const StatusRequest& request)
{
  db::SessionOptions options;
  options.read_only = true;
  db::ServerFacts facts;
  auto conn = db::open_session(request.dsn, options, &facts);
  db::require_schema(*conn, request.schema);
  StatusReport report;
  report.policies = db::load_policies(*conn, request.schema, db::resolve_tables(*conn, request.parents));
  pqxx::read_transaction tx(*conn);
  db::CatalogOptions catalog;
  catalog.sizes = true;
  catalog.count_default = true;
  catalog.partman_schema = request.schema;
  catalog.properties = false; // what new children would copy: status plans none
  catalog.taken_names = false;
  catalog.citus = facts.citus;
  report.snapshot = db::read_catalog_tree(tx, report.policies, catalog);
  for (std::size_t i = 0; i < report.policies.size(); ++i)
    report.statuses.push_back(core::make_status(report.snapshot[i], report.policies[i], request.now));
  return report;
}

} // namespace partman::run
