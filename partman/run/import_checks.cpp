#include "partman/run/import_checks.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "partman/core/adoption.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/subpartitions.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/policy_check.hpp"

namespace partman::run {

namespace {

// Returns "name [from, to)" for a partition.
std::string partition_text(const core::ParentSnapshot& parent, const core::Policy& policy,
                           const core::Child& c)
{
  const core::Zone zone = policy.timezone.rules();
  const auto bound = [&](const std::optional<core::Micros>& b, const char* infinite) {
    return b ? core::bound_text(parent.key_type, zone, *b) : std::string(infinite);
  };
  return core::quote_qualified(c.schema, c.name) + " [" + bound(c.lower, "MINVALUE") + ", " +
         bound(c.upper, "MAXVALUE") + ")";
}

// Returns the default partition of `parent`, or nullptr.
const core::Child* default_child(const core::ParentSnapshot& parent)
{
  for (const auto& c : parent.children) {
    if (c.is_default)
      return &c;
  }
  return nullptr;
}

// Makes the policy (level 2: its level-2 policy) keep the default partitions pg_partman made, where they
// are, and the report say so: `def` is the parent's, or the first sub-partition set's.
void keep_default(core::PgPartmanMapping& m, const core::Child& def, int level)
{
  const std::string name = core::quote_qualified(def.schema, def.name);
  if (level == 2) {
    auto sub = std::make_shared<core::Policy>(*m.policy.sub);
    sub->default_partition = true;
    m.policy.sub = std::move(sub);
    m.mapped.push_back({"level 2: a default partition in every sub-partition set (" + name + ", ...)",
                        "--default-partition (kept where they are; new partitions get one each, as "
                        "pg_partman gives them)"});
    return;
  }
  m.policy.default_partition = true;
  m.mapped.push_back({"default partition " + name,
                      "--default-partition (kept where it is, with its rows; partman makes no other)"});
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
                 : "'" + policy.interval.text() + "' boundaries in " + policy.timezone.name()) +
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

// One parent's tree under one candidate level-2 interval: the parent, then its partitioned partitions (the
// sub-partition sets), as indexes into what read_catalog_tree returned.
struct Tree
{
  std::size_t candidate = 0;
  std::size_t interval = 0;
  std::size_t from = 0;
  std::size_t to = 0;
  bool defaults = false; // every sub-partition set has a default partition (there is at least one set)
};

// Makes the level-2 policies of `tree` keep a default partition when every sub-partition set has one.
void keep_set_defaults(const std::vector<core::ParentSnapshot>& snapshots,
                       std::vector<core::Policy>& policies, Tree& tree)
{
  tree.defaults = tree.to > tree.from + 1;
  for (std::size_t j = tree.from + 1; j < tree.to; ++j)
    tree.defaults = tree.defaults && default_child(snapshots[j]);
  if (!tree.defaults)
    return;
  auto sub = std::make_shared<core::Policy>(*policies[tree.from].sub);
  sub->default_partition = true;
  policies[tree.from].sub = std::move(sub);
  for (std::size_t j = tree.from + 1; j < tree.to; ++j)
    policies[j].default_partition = true;
}

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
    if (const auto other = core::partitioned_otherwise(set, sub.partition_key, core::Strategy::range);
        !other.empty())
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

} // namespace

// Picks the first candidate interval whose boundaries the existing partitions follow, then checks the
// policy as manage does; all parents' catalogs are read in one round trip.
void check_candidates(pqxx::connection& conn, const std::string& partman_schema,
                      std::vector<ImportCandidate>& candidates, core::Micros now)
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
          if (const core::Child* def = default_child(snapshots[j])) {
            keep_default(c.mapping, *def, 1);
            policies[j].default_partition = true;
          }
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

// Checks the level-2 policies against the sub-partition sets pg_partman made: picks, per parent, the first
// candidate level-2 interval that every set lines up with (the sets then describe themselves), else the
// parent cannot be imported; all parents' trees are read in one transaction.
void check_sub_sets(pqxx::connection& conn, const std::string& partman_schema,
                    std::vector<ImportCandidate>& candidates, core::Micros now)
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
  for (auto& tree : trees)
    keep_set_defaults(snapshots, policies, tree);
  for (std::size_t t = 0; t < trees.size();) {
    const std::size_t owner = trees[t].candidate;
    ImportCandidate& c = candidates[owner];
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
      if (chosen && trees[t].defaults)
        keep_default(c.mapping, *default_child(snapshots[trees[t].from + 1]), 2);
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

} // namespace partman::run
