// Reading the catalog and planning it in as few queries as a run needs: what new children copy from their
// parents, and the names they must avoid, are read only for the parents whose plans make children.
#pragma once

#include <pqxx/transaction_base>
#include <vector>

#include "partman/core/planner.hpp"
#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"
#include "partman/db/catalog.hpp"

namespace partman::run {

// A catalog snapshot and the plan made from it.
struct PlannedCatalog
{
  std::vector<core::ParentSnapshot> snapshot;
  core::Plan plan;
};

// Reads the catalog tree (db::read_catalog_tree, which also orders `policies`) and plans it at `now`. What
// new children copy from their parents, and with options.taken_names false the names they must avoid, are
// read only for the parents that need them (core::needs_details: a run with nothing to do skips those
// queries), and then all are planned again; the plan is the one a full read would give.
PlannedCatalog plan_catalog(pqxx::transaction_base& tx, std::vector<core::Policy>& policies, core::Micros now,
                            const core::PlanOptions& plan_options, db::CatalogOptions options = {});

} // namespace partman::run
