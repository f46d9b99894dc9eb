#include "partman/run/health.hpp"

#include <map>
#include <pqxx/pqxx>

#include "partman/core/names.hpp"
#include "partman/core/status.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/db/run_state.hpp"
#include "partman/db/session.hpp"
#include "partman/run/planning.hpp"

namespace partman::run {

namespace {

// Returns the number of creates in `pp`.
std::size_t creates(const core::ParentPlan& pp)
{
  std::size_t n = 0;
  for (const auto& a : pp.actions)
    n += a.kind == core::ActionKind::create;
  return n;
}

// Returns the figures of level-1 parent `parent` under `policy` from its plan and status at `now`.
core::ParentHealth parent_health(const core::ParentSnapshot& parent, const core::Policy& policy,
                                 const core::ParentPlan& pp, core::Micros now)
{
  core::ParentHealth h;
  h.parent = core::quote_qualified(policy.schema, policy.table);
  h.shape = policy.shape;
  h.premake = policy.premake;
  h.error = pp.error;
  h.missing = creates(pp);
  const core::ParentStatus st = core::make_status(parent, policy, now);
  if (h.error.empty())
    h.error = st.error;
  int ahead = 0;
  for (const auto& p : st.partitions)
    ahead += p.state == core::PartitionState::future;
  if (policy.shape != core::Shape::list && st.error.empty())
    h.ahead = ahead;
  return h;
}

} // namespace

HealthReport health_of(pqxx::transaction_base& tx, const std::string& schema,
                       const std::vector<core::Policy>& policies,
                       const std::vector<core::ParentSnapshot>& snapshot, const core::Plan& plan,
                       core::Micros at)
{
  HealthReport report;
  report.at = at;
  std::map<std::string, std::size_t> index; // a level-1 parent as SQL writes it -> its figures
  std::vector<db::TableName> names;
  std::vector<db::TableName> defaults;
  std::vector<std::size_t> default_of; // the parent of each of `defaults`
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const auto& parent = snapshot[i];
    const auto& pp = plan.parents[i];
    if (policies[i].level == 2) {
      const auto outer = index.find(core::quote_qualified(parent.outer_schema, parent.outer_table));
      if (outer == index.end())
        continue;
      auto& h = report.parents[outer->second];
      h.missing += creates(pp);
      if (h.error.empty() && !pp.error.empty())
        h.error = "partition " + core::quote_qualified(pp.schema, pp.table) + ": " + pp.error;
      continue;
    }
    index.emplace(core::quote_qualified(policies[i].schema, policies[i].table), report.parents.size());
    report.parents.push_back(parent_health(parent, policies[i], pp, at));
    names.emplace_back(policies[i].schema, policies[i].table);
    for (const auto& c : parent.children) {
      if (!c.is_default)
        continue;
      report.parents.back().default_name = core::quote_qualified(c.schema, c.name);
      defaults.emplace_back(c.schema, c.name);
      default_of.push_back(report.parents.size() - 1);
    }
  }
  const auto records = db::read_run_records(tx, schema, names);
  const auto rows = db::estimate_rows(tx, defaults);
  for (std::size_t i = 0; i < report.parents.size(); ++i)
    report.parents[i].run = records[i];
  for (std::size_t d = 0; d < default_of.size(); ++d)
    report.parents[default_of[d]].default_rows = rows[d];
  return report;
}

HealthReport read_health_on(pqxx::connection& conn, const HealthRequest& request, core::Micros at)
{
  db::require_schema(conn, request.schema);
  auto policies = db::load_policies(conn, request.schema, db::resolve_tables(conn, request.parents));
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.history_schema = request.schema;
  catalog.partman_schema = request.schema;
  catalog.taken_names = false;
  const auto planned = plan_catalog(tx, policies, at, core::PlanOptions{}, catalog);
  return health_of(tx, request.schema, policies, planned.snapshot, planned.plan, at);
}

HealthReport read_health(const HealthRequest& request)
{
  db::SessionOptions options;
  options.read_only = true;
  db::ServerFacts facts;
  auto conn = db::open_session(request.dsn, options, &facts);
  HealthReport report = read_health_on(*conn, request, request.now != 0 ? request.now : facts.server_now);
  report.standby = facts.standby;
  return report;
}

} // namespace partman::run
