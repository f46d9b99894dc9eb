#include "partman/run/import_pg_partman.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/pg_partman_config.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/run/import_checks.hpp"
#include "partman/run/primary.hpp"

namespace partman::run {

namespace {

// Returns the parents of `configs` that `names` choose, each with its sub-partition sets; UsageError for a
// name that pg_partman does not manage.
std::vector<core::PgPartmanParent> chosen_parents(pqxx::connection& conn,
                                                  const std::vector<core::PgPartmanParent>& configs,
                                                  const std::vector<std::string>& names,
                                                  const db::PgPartmanSource& source)
{
  std::vector<core::PgPartmanParent> chosen;
  const auto add = [&chosen](const core::PgPartmanParent& p) {
    if (std::none_of(chosen.begin(), chosen.end(),
                     [&](const core::PgPartmanParent& q) { return q.parent_table == p.parent_table; }))
      chosen.push_back(p);
  };
  for (const auto& name : db::resolve_tables(conn, names)) {
    const auto it = std::find_if(configs.begin(), configs.end(), [&](const core::PgPartmanParent& p) {
      return p.schema == name.first && p.table == name.second;
    });
    if (it == configs.end())
      throw UsageError(core::quote_qualified(name.first, name.second) + " is not in pg_partman's " +
                       core::quote_ident(source.schema) +
                       ".part_config; HINT: run without PARENT to see every parent pg_partman manages");
    add(*it);
    for (const auto& set : configs) { // its sub-partition sets, which its level-2 policy keeps
      if (set.sub_partition_of == it->parent_table)
        add(set);
    }
  }
  return chosen;
}

// Gives the level-2 policy of each candidate that keeps pg_partman's names the datetime_string its
// sub-partition sets were made with (part_config_sub has none; each set's part_config row has), when they
// all have the same.
void name_like_sets(std::vector<ImportCandidate>& candidates)
{
  for (auto& c : candidates) {
    const auto& sub = c.mapping.policy.sub;
    if (!sub || sub->partition_names != core::PartitionNames::pg_partman ||
        sub->shape == core::Shape::integer)
      continue;
    std::string format;
    bool same = true;
    for (const auto& set : candidates) {
      const auto it = set.config.values.find("datetime_string");
      if (set.config.sub_partition_of != c.config.parent_table || it == set.config.values.end())
        continue;
      same = same && (format.empty() || format == it->second);
      format = it->second;
    }
    if (!same || format.empty() || !core::NameFormat::parse(format))
      continue;
    auto named = std::make_shared<core::Policy>(*sub);
    named->name_format = format;
    for (auto& line : c.mapping.mapped) {
      if (line.setting.rfind("level 2: partition names", 0) == 0) {
        line.setting =
            "level 2: datetime_string '" + format + "' of its sub-partition sets (partition names)";
        line.outcome =
            core::names_option(*named) + " (their partitions' partitions are named as pg_partman names them)";
      }
    }
    c.mapping.policy.sub = std::move(named);
  }
}

// Decides each candidate's outcome: import, replace or managed for one that maps; a sub-partition set
// follows its parent.
void decide_outcomes(std::vector<ImportCandidate>& candidates, const std::vector<core::Policy>& existing,
                     bool replace)
{
  for (auto& c : candidates) {
    const bool managed = std::any_of(existing.begin(), existing.end(), [&](const core::Policy& p) {
      return p.schema == c.config.schema && p.table == c.config.table;
    });
    if (!c.mapping.problem.empty())
      c.outcome = ImportOutcome::unmapped;
    else if (managed)
      c.outcome = replace ? ImportOutcome::replace : ImportOutcome::managed;
    else
      c.outcome = ImportOutcome::import;
  }
  for (auto& set : candidates) { // a sub-partition set follows its parent
    const auto top = std::find_if(candidates.begin(), candidates.end(), [&](const ImportCandidate& c) {
      return !set.config.sub_partition_of.empty() && c.config.parent_table == set.config.sub_partition_of;
    });
    if (top == candidates.end())
      continue;
    set.outcome = top->outcome == ImportOutcome::import || top->outcome == ImportOutcome::replace
                      ? ImportOutcome::kept
                  : top->outcome == ImportOutcome::managed ? ImportOutcome::managed
                                                           : ImportOutcome::unmapped;
    if (set.outcome == ImportOutcome::unmapped)
      set.mapping.problem = "a sub-partition set of " + top->config.parent_table + ", which is not imported";
  }
}

// Returns true for a candidate whose policy is written.
bool writes(const ImportCandidate& c)
{
  return c.outcome == ImportOutcome::import || c.outcome == ImportOutcome::replace;
}

// Returns the statement that stops pg_partman's maintenance of the imported parents and the sets they keep
// (pg_partman's maintenance runs each sub-partition set as a parent of its own); "" when none is imported.
std::string stop_statement(const std::vector<ImportCandidate>& candidates, const std::string& source_schema)
{
  if (std::none_of(candidates.begin(), candidates.end(), writes))
    return "";
  std::string list;
  for (const auto& c : candidates) {
    if (writes(c) || c.outcome == ImportOutcome::kept)
      list += (list.empty() ? "" : ", ") + core::quote_literal(c.config.parent_table);
  }
  return "UPDATE " + core::quote_ident(source_schema) +
         ".part_config SET automatic_maintenance = 'off' WHERE parent_table IN (" + list + ");";
}

} // namespace

int ImportReport::count(ImportOutcome outcome) const
{
  return static_cast<int>(
      std::count_if(candidates.begin(), candidates.end(),
                    [outcome](const ImportCandidate& c) { return c.outcome == outcome; }));
}

bool ImportReport::complete() const
{
  return count(ImportOutcome::unmapped) == 0;
}

ImportReport import_pg_partman(const ImportRequest& request)
{
  db::SessionOptions options;
  options.read_only = request.dry_run; // the server itself refuses any write
  auto conn = request.dry_run ? db::open_session(request.dsn, options)
                              : open_primary(request.dsn, options, "import-pg-partman");
  ImportReport report;
  report.dry_run = request.dry_run;
  db::PgPartmanSource source;
  std::vector<core::PgPartmanParent> configs;
  {
    pqxx::read_transaction tx(*conn);
    source = db::find_pg_partman(tx, request.from_schema);
    configs = db::read_pg_partman_config(tx, source);
    report.timezone = db::database_timezone(tx);
  }
  report.source_schema = source.schema;
  report.source_version = source.version;
  if (source.schema == request.schema)
    throw UsageError("partman's schema '" + request.schema +
                     "' is where pg_partman keeps its configuration; " +
                     "HINT: keep partman's tables apart: 'partman --schema partman_policy install', then " +
                     "'partman --schema partman_policy import-pg-partman'");
  db::require_schema(*conn, request.schema);
  if (!request.parents.empty())
    configs = chosen_parents(*conn, configs, request.parents, source);

  auto& candidates = report.candidates;
  const core::NamedZone zone(report.timezone); // looked up once, for every policy mapped
  for (const auto& config : configs)
    candidates.push_back(
        {config, core::map_pg_partman(config, zone, request.names), ImportOutcome::unmapped, "", ""});
  name_like_sets(candidates);
  check_candidates(*conn, request.schema, candidates, request.now);
  check_sub_sets(*conn, request.schema, candidates, request.now);
  decide_outcomes(candidates, db::load_policies(*conn, request.schema, {}), request.replace);
  report.stop_sql = stop_statement(candidates, source.schema);
  if (!request.dry_run && !report.stop_sql.empty()) {
    pqxx::work tx(*conn); // all policies or none
    for (const auto& c : candidates) {
      if (!writes(c))
        continue;
      const core::Policy& policy = c.mapping.policy;
      db::save_policy(tx, request.schema, policy);
      if (policy.sub)
        db::save_policy(tx, request.schema, *policy.sub);
      else // a level-2 policy of partman's that pg_partman's configuration does not have
        db::delete_policy(tx, request.schema, {policy.schema, policy.table}, 2);
    }
    tx.commit();
  }
  return report;
}

} // namespace partman::run
