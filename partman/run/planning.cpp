#include "partman/run/planning.hpp"

#include "partman/db/parent_properties.hpp"
#include "partman/db/taken_names.hpp"

namespace partman::run {

PlannedCatalog plan_catalog(pqxx::transaction_base& tx, std::vector<core::Policy>& policies, core::Micros now,
                            const core::PlanOptions& plan_options, db::CatalogOptions options)
{
  const bool all_names = options.taken_names;
  options.properties = false;
  PlannedCatalog out;
  out.snapshot = db::read_catalog_tree(tx, policies, options);
  out.plan = core::make_plan(out.snapshot, policies, now, plan_options);
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    if (core::needs_details(out.snapshot[i], out.plan.parents[i]))
      which.push_back(i);
  }
  if (which.empty())
    return out;
  if (!all_names)
    db::read_taken_names(tx, policies, which, out.snapshot);
  db::read_parent_properties(tx, policies, which, out.snapshot);
  out.plan = core::make_plan(out.snapshot, policies, now, plan_options); // parents' plans can meet
  return out;
}

} // namespace partman::run
