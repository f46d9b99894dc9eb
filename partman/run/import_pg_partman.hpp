// import-pg-partman: turn pg_partman's configuration into partman policies, reporting per parent what maps
// and what does not. pg_partman's configuration and every table stay as they are.
#pragma once

#include <string>
#include <vector>

#include "partman/core/interval.hpp"
#include "partman/core/pg_partman_map.hpp"
#include "partman/run/target.hpp"

namespace partman::run {

// What import-pg-partman needs.
struct ImportRequest : Target
{
  std::vector<std::string> parents; // only these parents (and their sub-partition sets); none: all
  std::string from_schema;          // holds part_config; "": the pg_partman extension's schema
  bool dry_run = false;             // write nothing (the session is read-only)
  bool replace = false;             // overwrite the policy of a parent partman manages already
  core::PartitionNames names = core::PartitionNames::pg_partman; // how new partitions are named
  core::Micros now = 0; // the instant adoption and the first apply are judged at
};

// What becomes of one parent of pg_partman.
enum class ImportOutcome
{
  import,   // a new policy
  replace,  // a policy that replaces partman's (ImportRequest::replace)
  managed,  // partman manages it already: left unchanged
  kept,     // a sub-partition set: the level-2 policy of its imported parent keeps it
  unmapped, // cannot be imported
};

// One parent of pg_partman on its way to a policy.
struct ImportCandidate
{
  core::PgPartmanParent config;
  core::PgPartmanMapping mapping; // the policy, what maps, and why it cannot be imported (problem)
  ImportOutcome outcome = ImportOutcome::unmapped;
  std::string adoption; // how its existing partitions line up, in words
  std::string preview;  // what the first apply would do, in words
};

// What import-pg-partman found and did.
struct ImportReport
{
  std::string source_schema;               // where part_config was found
  std::string source_version;              // pg_partman's version ("" when the extension is not there)
  std::string timezone;                    // the database's TimeZone, which pg_partman's boundaries follow
  bool dry_run = false;                    // nothing was written
  std::vector<ImportCandidate> candidates; // one per parent of part_config read
  std::string stop_sql; // the statement that stops pg_partman's maintenance of what is (to be) imported
  // Returns how many candidates had `outcome`.
  int count(ImportOutcome outcome) const;
  // Returns false when some parent could not be imported.
  bool complete() const;
};

// Reads part_config, maps each parent, checks it against its partitions and, unless a dry run, saves all
// the policies in one transaction.
ImportReport import_pg_partman(const ImportRequest& request);

} // namespace partman::run
