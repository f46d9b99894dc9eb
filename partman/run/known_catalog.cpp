#include "partman/run/known_catalog.hpp"

#include <pqxx/nontransaction>

#include "partman/core/names.hpp"

namespace partman::run {

namespace {

// Returns "count.sum of xmin" of the rows of `from` (a FROM clause with an optional WHERE).
std::string versions(const std::string& from)
{
  return "(SELECT count(*) || '.' || coalesce(sum(xmin::text::int8), 0) FROM " + from + ")";
}

// Returns true when `policy`'s plan follows data: an integer key, or LIST values from a query.
bool follows_data(const core::Policy& policy)
{
  return policy.shape == core::Shape::integer || !policy.values_query.empty();
}

} // namespace

ChangeToken read_change_token(pqxx::connection& conn, const std::string& schema)
{
  const std::string q = core::quote_ident(schema);
  pqxx::nontransaction tx(conn);
  const auto r = tx.exec("SELECT concat_ws('/', " + versions("pg_catalog.pg_inherits") + ", " +
                         versions("pg_catalog.pg_class WHERE relkind = 'p' OR relispartition") + ", " +
                         versions(q + ".policy") + ", " + versions(q + ".archive") +
                         ", (SELECT coalesce(max(id), 0) FROM " + q +
                         ".history)), (extract(epoch FROM now()) * 1000000)::int8");
  ChangeToken out;
  out.host_now = core::Micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  out.token = r[0][0].as<std::string>();
  out.server_now = r[0][1].as<core::Micros>();
  return out;
}

bool plans_from_catalog_alone(const std::vector<core::Policy>& policies)
{
  for (const auto& p : policies) {
    if (follows_data(p) || (p.sub && follows_data(*p.sub)))
      return false;
  }
  return true;
}

std::optional<core::Plan> quiet_plan(const KnownCatalog& known, core::Micros now,
                                     const core::PlanOptions& guard)
{
  if (!plans_from_catalog_alone(known.policies))
    return std::nullopt;
  for (const auto& s : known.snapshot) {
    if (!s.interrupted.empty() || !s.unfinished_moves.empty() || !s.archives.empty() ||
        !s.values_error.empty())
      return std::nullopt;
  }
  core::Plan plan = core::make_plan(known.snapshot, known.policies, now, guard);
  for (const auto& p : plan.parents) {
    if (!p.actions.empty() || !p.error.empty() || !p.refused.empty())
      return std::nullopt;
  }
  return plan;
}

} // namespace partman::run
