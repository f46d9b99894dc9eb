// partman import-pg-partman: turn pg_partman's configuration into partman policies, reporting what maps and
// what does not. pg_partman's configuration and every table stay as they are.
#include <algorithm>
#include <iostream>
#include <map>
#include <pqxx/pqxx>

#include "partman/cli/common.hpp"
#include "partman/core/adoption.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/pg_partman_map.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/subpartitions.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/pg_partman_config.hpp"
#include "partman/db/policy_check.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::cli {

namespace {

struct ImportArgs
{
  std::vector<std::string> parents;
  std::string from_schema;
  bool dry_run = false;
  bool replace = false;
};

// What becomes of one parent of pg_partman.
enum class Outcome
{
  import,   // a new policy
  replace,  // a policy that replaces partman's (--replace)
  managed,  // partman manages it already: left unchanged
  kept,     // a sub-partition set: the level-2 policy of its imported parent keeps it
  unmapped, // cannot be imported
};

// One parent of pg_partman on its way to a policy.
struct Candidate
{
  core::PgPartmanParent config;
  core::PgPartmanMapping mapping;
  Outcome outcome = Outcome::unmapped;
  std::string adoption; // how its existing partitions line up, in words
  std::string preview;  // what the first apply would do, in words
};

// Returns "name [from, to)" for a partition.
std::string partition_text(const core::ParentSnapshot& parent, const core::Policy& policy,
                           const core::Child& c)
{
  const core::Zone zone = *core::find_zone(policy.timezone);
  const auto bound = [&](const std::optional<core::Micros>& b, const char* infinite) {
    return b ? core::bound_text(parent.key_type, zone, *b) : std::string(infinite);
  };
  return core::quote_qualified(c.schema, c.name) + " [" + bound(c.lower, "MINVALUE") + ", " +
         bound(c.upper, "MAXVALUE") + ")";
}

// Describes how the existing partitions line up with `policy`: sets `problem` when partman would leave gaps
// beside them, else `text`.
void describe_adoption(const core::Policy& policy, const core::ParentSnapshot& parent,
                       const core::Adoption& a, std::string& problem, std::string& text)
{
  const bool integer = policy.shape == core::Shape::integer;
  const std::string partitions =
      std::to_string(a.partitions) + (a.has_default ? " and a default partition" : "");
  if (!a.ahead.empty()) {
    problem =
        "existing partitions do not line up with partman's " +
        (integer ? "multiples of " + std::to_string(policy.width)
                 : "'" + policy.interval.text() + "' boundaries in " + policy.timezone) +
        ": " + partition_text(parent, policy, a.ahead.front()) +
        (a.ahead.size() > 1 ? " and " + std::to_string(a.ahead.size() - 1) + " more" : std::string()) +
        "; partman would leave gaps beside them; HINT: the set was started on other boundaries (another "
        "TimeZone, a start of its own, date_trunc_interval) or has a partition made by hand: keep it under "
        "pg_partman";
    return;
  }
  if (a.partitions == 0)
    text = "none yet" + std::string(a.has_default ? " (a default partition)" : "") +
           ": the first apply creates them";
  else if (a.behind.empty())
    text = partitions + ", all on partman's boundaries: adopted as they are, none is made again";
  else
    text = partitions + "; " + std::to_string(a.behind.size()) +
           " older ones are not on partman's boundaries and stay as they are until retention removes "
           "them (the first: " +
           partition_text(parent, policy, a.behind.front()) + ")";
}

// Returns what the first apply would do in plans `from` to `to` of `plan`, in words.
std::string describe_plans(const core::Plan& plan, std::size_t from, std::size_t to)
{
  std::map<std::string, int> counts;
  std::string refused;
  for (std::size_t i = from; i < to; ++i) {
    const auto& pp = plan.parents[i];
    if (!pp.error.empty())
      return "cannot be planned: " + pp.error;
    for (const auto& a : pp.actions)
      ++counts[core::to_string(a.kind)];
    refused = refused.empty() ? pp.refused : refused;
  }
  std::string out;
  for (const auto& [kind, n] : counts)
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " to " + kind;
  out = out.empty() ? "nothing to do" : out;
  if (!refused.empty())
    out += "; its removals are refused until you pass --force: " + refused;
  return out;
}

// Returns what the first apply would do with `policy`, in words.
std::string describe_first_apply(const core::ParentSnapshot& parent, const core::Policy& policy,
                                 core::Micros now)
{
  return describe_plans(core::make_plan({parent}, {policy}, now), 0, 1);
}

// Picks the first candidate interval whose boundaries the existing partitions follow, then checks the
// policy as manage does; all parents' catalogs are read in one round trip.
void check_candidates(pqxx::connection& conn, const std::string& partman_schema,
                      std::vector<Candidate>& candidates, core::Micros now)
{
  std::vector<core::Policy> policies;
  std::vector<std::pair<std::size_t, std::size_t>> owners; // (candidate, interval) of each policy
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& m = candidates[i].mapping;
    // An integer range has its one width; a time or epoch policy one try per candidate interval.
    for (std::size_t k = 0; m.problem.empty() && k < std::max<std::size_t>(m.intervals.size(), 1); ++k) {
      policies.push_back(m.policy);
      if (!m.intervals.empty())
        policies.back().interval = m.intervals[k];
      owners.emplace_back(i, k);
    }
  }
  pqxx::read_transaction tx(conn);
  db::CatalogOptions options;
  options.partman_schema = partman_schema; // the largest values of integer ranges
  const auto snapshots = db::read_catalog(tx, policies, options);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    auto& c = candidates[i];
    std::optional<std::size_t> first;
    std::optional<core::Adoption> chosen;
    for (std::size_t j = 0; j < policies.size(); ++j) {
      if (owners[j].first != i)
        continue;
      first = first.value_or(j);
      if (db::check_policy(tx, snapshots[j], policies[j]).empty()) {
        auto adoption = core::check_adoption(snapshots[j], policies[j], now);
        if (adoption.ahead.empty()) {
          if (!c.mapping.intervals.empty())
            core::choose_interval(c.mapping, owners[j].second);
          describe_adoption(policies[j], snapshots[j], adoption, c.mapping.problem, c.adoption);
          c.preview = describe_first_apply(snapshots[j], policies[j], now);
          chosen = adoption;
          break;
        }
      }
    }
    if (!first || chosen)
      continue;
    // No candidate fits: report the preferred one's problem.
    c.mapping.problem = db::check_policy(tx, snapshots[*first], policies[*first]);
    if (c.mapping.problem.empty())
      describe_adoption(policies[*first], snapshots[*first],
                        core::check_adoption(snapshots[*first], policies[*first], now), c.mapping.problem,
                        c.adoption);
  }
}

// One parent's tree under one candidate level-2 interval: the parent, then its partitioned partitions (the
// sub-partition sets), as indexes into what read_catalog_tree returned.
struct Tree
{
  std::size_t candidate = 0;
  std::size_t interval = 0;
  std::size_t from = 0;
  std::size_t to = 0;
};

// What one sub-partition set looks like under a tree's level-2 policy.
struct SetCheck
{
  std::string schema;
  std::string table;
  std::string adoption;
  std::string preview;
};

// Checks the sub-partition sets of `tree` against its level-2 policy; returns why the parent cannot be
// imported with it (the first set that does not line up, and its partition that is off), or fills `sets`
// and `preview`, what the first apply would do in the whole tree.
std::string check_tree(pqxx::transaction_base& tx, const std::vector<core::ParentSnapshot>& snapshots,
                       const std::vector<core::Policy>& policies, const Tree& tree, core::Micros now,
                       std::vector<SetCheck>& sets, std::string& preview)
{
  const core::ParentSnapshot& top = snapshots[tree.from];
  const core::Policy& sub = *policies[tree.from].sub;
  // The level-2 policy on the key of a new partition's partitions.
  const auto fresh = core::new_sub_parent(top, sub, top.table, std::nullopt, std::nullopt);
  if (auto problem = db::check_policy(tx, fresh, sub); !problem.empty())
    return "level 2 (part_config_sub): " + problem;
  for (std::size_t j = tree.from + 1; j < tree.to; ++j) {
    const core::ParentSnapshot& set = snapshots[j];
    const std::string name = "sub-partition set " + core::quote_qualified(set.schema, set.table);
    if (const auto other = core::partitioned_otherwise(set, sub.partition_key, 'r'); !other.empty())
      return name + " is " + other + ", not BY " + core::sub_partition_clause(sub) +
             " as part_config_sub says";
    if (auto problem = db::check_policy(tx, set, policies[j]); !problem.empty())
      return name + ": " + problem;
    for (const auto& c : set.children) {
      if (c.partitioned)
        return name + " has a partition partitioned again, " + core::quote_qualified(c.schema, c.name) +
               ": partman keeps two levels";
    }
    SetCheck check{set.schema, set.table, "", ""};
    std::string problem;
    describe_adoption(policies[j], set, core::check_adoption(set, policies[j], now), problem, check.adoption);
    if (!problem.empty())
      return name + ": " + problem;
    sets.push_back(std::move(check));
  }
  const auto plan = core::make_plan({snapshots.begin() + static_cast<std::ptrdiff_t>(tree.from),
                                     snapshots.begin() + static_cast<std::ptrdiff_t>(tree.to)},
                                    {policies.begin() + static_cast<std::ptrdiff_t>(tree.from),
                                     policies.begin() + static_cast<std::ptrdiff_t>(tree.to)},
                                    now);
  for (std::size_t k = 0; k < sets.size(); ++k)
    sets[k].preview = describe_plans(plan, k + 1, k + 2);
  preview = describe_plans(plan, 0, 1);
  if (!sets.empty())
    preview += "; in its sub-partition sets: " + describe_plans(plan, 1, plan.parents.size());
  return {};
}

// Checks the level-2 policies against the sub-partition sets pg_partman made: picks, per parent, the first
// candidate level-2 interval that every set lines up with (the sets then describe themselves), else the
// parent cannot be imported; all parents' trees are read in one transaction.
void check_sub_sets(pqxx::connection& conn, const std::string& partman_schema,
                    std::vector<Candidate>& candidates, core::Micros now)
{
  std::vector<core::Policy> policies;
  std::vector<std::pair<std::size_t, std::size_t>> owners; // (candidate, level-2 interval) of each tree
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& m = candidates[i].mapping;
    for (std::size_t k = 0;
         m.problem.empty() && m.policy.sub && k < std::max<std::size_t>(m.sub_intervals.size(), 1); ++k) {
      core::PgPartmanMapping tried = m;
      if (!m.sub_intervals.empty())
        core::choose_interval(tried, k, 2);
      policies.push_back(tried.policy);
      owners.emplace_back(i, k);
    }
  }
  if (policies.empty())
    return;
  pqxx::read_transaction tx(conn);
  db::CatalogOptions options;
  options.partman_schema = partman_schema;
  const auto snapshots = db::read_catalog_tree(tx, policies, options); // each parent, then its sets
  std::vector<Tree> trees;
  for (std::size_t j = 0; j < policies.size(); ++j) {
    if (policies[j].level == 1)
      trees.push_back({owners[trees.size()].first, owners[trees.size()].second, j, j + 1});
    else
      trees.back().to = j + 1;
  }
  for (std::size_t t = 0; t < trees.size();) {
    const std::size_t owner = trees[t].candidate;
    Candidate& c = candidates[owner];
    std::string first_problem;
    std::vector<SetCheck> sets;
    bool chosen = false;
    for (; t < trees.size() && trees[t].candidate == owner; ++t) {
      if (chosen)
        continue;
      sets.clear();
      auto problem = check_tree(tx, snapshots, policies, trees[t], now, sets, c.preview);
      chosen = problem.empty();
      if (chosen && !c.mapping.sub_intervals.empty())
        core::choose_interval(c.mapping, trees[t].interval, 2);
      if (first_problem.empty())
        first_problem = std::move(problem);
    }
    if (!chosen) {
      c.mapping.problem = first_problem;
      continue;
    }
    for (auto& other : candidates) {
      for (const auto& set : sets) {
        if (other.config.sub_partition_of == c.config.parent_table && other.config.schema == set.schema &&
            other.config.table == set.table) {
          other.adoption = set.adoption;
          other.preview = set.preview;
        }
      }
    }
  }
}

void print_candidate(const Candidate& c, bool dry_run, const std::string& schema_option)
{
  const core::Policy& policy = c.mapping.policy;
  const bool set = !c.config.sub_partition_of.empty();
  std::string head = c.config.parent_table + ": ";
  switch (c.outcome) {
  case Outcome::import:
    head += dry_run ? "would be imported" : "imported";
    break;
  case Outcome::replace:
    head += dry_run ? "would replace partman's policy" : "replaced partman's policy";
    break;
  case Outcome::managed:
    head += set ? "a sub-partition set of " + c.config.sub_partition_of +
                      ", which partman manages already: left unchanged"
                : std::string("already managed by partman: left unchanged (--replace overwrites its policy)");
    break;
  case Outcome::kept:
    head += (dry_run ? "would be kept" : "kept") + std::string(" by the level-2 policy of ") +
            c.config.sub_partition_of;
    break;
  case Outcome::unmapped:
    head += "not imported: " + c.mapping.problem;
    break;
  }
  std::cout << "\n";
  print_line(std::cout, head);
  std::size_t width = 0;
  for (const auto& m : c.mapping.mapped)
    width = std::max(width, m.setting.size());
  width = std::min<std::size_t>(width, 44);
  if (!set) { // a sub-partition set's settings are its parent's part_config_sub
    for (const auto& m : c.mapping.mapped)
      print_line(std::cout, "  maps:       " + m.setting +
                                std::string(width - std::min(width, m.setting.size()), ' ') + " -> " +
                                m.outcome);
    for (const auto& m : c.mapping.not_mapped)
      print_line(std::cout, "  not mapped: " + m.setting + ": " + m.outcome);
  }
  if (!c.adoption.empty())
    print_line(std::cout, "  existing partitions: " + c.adoption);
  if (!c.preview.empty() && c.outcome != Outcome::managed && c.outcome != Outcome::unmapped)
    print_line(std::cout, "  first apply: " + c.preview);
  if (c.outcome == Outcome::import || c.outcome == Outcome::replace) {
    print_line(std::cout, "  equivalent: partman" + schema_option + " " + core::manage_command(policy));
    if (policy.sub)
      print_line(std::cout,
                 "              partman" + schema_option + " " + core::manage_command(*policy.sub));
  }
}

int run_import(const Globals& globals, const ImportArgs& args)
{
  const core::Micros now = resolve_now("");
  db::SessionOptions options;
  options.read_only = args.dry_run; // the server itself refuses any write
  const std::string dsn = single_dsn(globals, "import-pg-partman");
  auto conn = args.dry_run ? db::open_session(dsn, options) : open_primary(dsn, options, "import-pg-partman");
  db::PgPartmanSource source;
  std::vector<core::PgPartmanParent> configs;
  std::string timezone;
  {
    pqxx::read_transaction tx(*conn);
    source = db::find_pg_partman(tx, args.from_schema);
    configs = db::read_pg_partman_config(tx, source);
    timezone = db::database_timezone(tx);
  }
  if (source.schema == globals.schema)
    throw UsageError("partman's schema '" + globals.schema +
                     "' is where pg_partman keeps its configuration; " +
                     "HINT: keep partman's tables apart: 'partman --schema partman_policy install', then " +
                     "'partman --schema partman_policy import-pg-partman'");
  db::require_schema(*conn, globals.schema);
  if (!args.parents.empty()) {
    std::vector<core::PgPartmanParent> chosen;
    const auto add = [&chosen](const core::PgPartmanParent& p) {
      if (std::none_of(chosen.begin(), chosen.end(),
                       [&](const core::PgPartmanParent& q) { return q.parent_table == p.parent_table; }))
        chosen.push_back(p);
    };
    for (const auto& name : db::resolve_tables(*conn, args.parents)) {
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
    configs = std::move(chosen);
  }

  std::vector<Candidate> candidates;
  for (const auto& config : configs)
    candidates.push_back({config, core::map_pg_partman(config, timezone), Outcome::unmapped, "", ""});
  check_candidates(*conn, globals.schema, candidates, now);
  check_sub_sets(*conn, globals.schema, candidates, now);
  const auto existing = db::load_policies(*conn, globals.schema, {});
  for (auto& c : candidates) {
    const bool managed = std::any_of(existing.begin(), existing.end(), [&](const core::Policy& p) {
      return p.schema == c.config.schema && p.table == c.config.table;
    });
    if (!c.mapping.problem.empty())
      c.outcome = Outcome::unmapped;
    else if (managed)
      c.outcome = args.replace ? Outcome::replace : Outcome::managed;
    else
      c.outcome = Outcome::import;
  }
  for (auto& set : candidates) { // a sub-partition set follows its parent
    const auto top = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return !set.config.sub_partition_of.empty() && c.config.parent_table == set.config.sub_partition_of;
    });
    if (top == candidates.end())
      continue;
    set.outcome = top->outcome == Outcome::import || top->outcome == Outcome::replace ? Outcome::kept
                  : top->outcome == Outcome::managed                                  ? Outcome::managed
                                                                                      : Outcome::unmapped;
    if (set.outcome == Outcome::unmapped)
      set.mapping.problem = "a sub-partition set of " + top->config.parent_table + ", which is not imported";
  }

  std::vector<const Candidate*> writes;
  for (const auto& c : candidates) {
    if (c.outcome == Outcome::import || c.outcome == Outcome::replace)
      writes.push_back(&c);
  }
  if (!args.dry_run && !writes.empty()) {
    pqxx::work tx(*conn); // all policies or none
    for (const auto* c : writes) {
      const core::Policy& policy = c->mapping.policy;
      db::save_policy(tx, globals.schema, policy);
      if (policy.sub)
        db::save_policy(tx, globals.schema, *policy.sub);
      else // a level-2 policy of partman's that pg_partman's configuration does not have
        db::delete_policy(tx, globals.schema, {policy.schema, policy.table}, 2);
    }
    tx.commit();
  }

  print_line(std::cout, "pg_partman" + (source.version.empty() ? "" : " " + source.version) +
                            " configuration in " + core::quote_ident(source.schema) +
                            ".part_config: " + std::to_string(configs.size()) + " parent(s)" +
                            (args.dry_run ? "; dry run: nothing is written" : ""));
  print_line(std::cout, "time zone: " + timezone +
                            " (the database's current TimeZone): pg_partman computes boundaries in the "
                            "TimeZone of the session that runs its maintenance, which is this one unless "
                            "that session or its role sets another");
  const std::string schema_option = globals.schema == "partman" ? "" : " --schema " + globals.schema;
  std::map<Outcome, int> counts;
  for (const auto& c : candidates) {
    print_candidate(c, args.dry_run, schema_option);
    ++counts[c.outcome];
  }
  std::cout << "\n"
            << counts[Outcome::import] + counts[Outcome::replace]
            << (args.dry_run ? " to import" : " imported")
            << (counts[Outcome::replace] > 0
                    ? " (" + std::to_string(counts[Outcome::replace]) + " replacing partman's policy)"
                    : std::string())
            << (counts[Outcome::kept] > 0
                    ? ", " + std::to_string(counts[Outcome::kept]) + " sub-partition set(s)" +
                          (args.dry_run ? " to be kept" : " kept") + " by level-2 policies"
                    : std::string())
            << ", " << counts[Outcome::managed] << " already managed and left unchanged, "
            << counts[Outcome::unmapped] << " not imported\n";
  if (!writes.empty()) {
    // pg_partman's maintenance runs each sub-partition set as a parent of its own.
    std::string list;
    for (const auto& c : candidates) {
      if (c.outcome == Outcome::import || c.outcome == Outcome::replace || c.outcome == Outcome::kept)
        list += (list.empty() ? "" : ", ") + core::quote_literal(c.config.parent_table);
    }
    std::cout << "pg_partman still maintains " << (args.dry_run ? "these parents" : "the imported parents")
              << "; once 'partman" << schema_option
              << " plan' looks right, stop it (partman does not change pg_partman's configuration):\n";
    print_line(std::cout, "  UPDATE " + core::quote_ident(source.schema) +
                              ".part_config SET automatic_maintenance = 'off' WHERE parent_table IN (" +
                              list + ");");
  }
  return counts[Outcome::unmapped] > 0 ? k_exit_partial : k_exit_ok;
}

} // namespace

void add_import_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand(
      "import-pg-partman",
      "Create partman policies equivalent to pg_partman's configuration (its part_config table), and print\n"
      "per parent what maps and what does not. pg_partman's configuration and every table stay as they are.\n"
      "Exit 0: all imported (or already managed); 3: some parents could not be mapped.");
  cmd->add_option("PARENT", args->parents, "Only these parents (default: every parent in part_config)");
  cmd->footer("Examples:\n"
              "  partman import-pg-partman --dry-run\n"
              "  partman import-pg-partman app.events");
  cmd->add_option("--from-schema", args->from_schema,
                  "Schema that holds pg_partman's part_config (default: the pg_partman extension's schema)");
  cmd->add_flag("--dry-run", args->dry_run, "Only print what would be imported; nothing is written");
  cmd->add_flag("--replace", args->replace,
                "Overwrite the policy of a parent partman manages already (default: leave it unchanged)");
  cmd->callback([&globals, &exit_code, args] {
    exit_code = run_guarded([&] { return run_import(globals, *args); }, std::cerr);
  });
}

} // namespace partman::cli
