// The checks of import-pg-partman: which candidate interval the existing partitions follow, how they line
// up, and what the first apply would do, per parent and per sub-partition set.
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

#include "partman/run/import_pg_partman.hpp"

namespace partman::run {

// Picks the first candidate interval whose boundaries the existing partitions follow, then checks the
// policy as manage does; all parents' catalogs are read in one round trip.
void check_candidates(pqxx::connection& conn, const std::string& partman_schema,
                      std::vector<ImportCandidate>& candidates, core::Micros now);
// Checks the level-2 policies against the sub-partition sets pg_partman made: picks, per parent, the first
// candidate level-2 interval that every set lines up with (the sets then describe themselves), else the
// parent cannot be imported; all parents' trees are read in one transaction.
void check_sub_sets(pqxx::connection& conn, const std::string& partman_schema,
                    std::vector<ImportCandidate>& candidates, core::Micros now);

} // namespace partman::run
