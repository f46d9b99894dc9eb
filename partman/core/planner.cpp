#include "partman/core/planner.hpp"

#include <algorithm>

#include "partman/core/citus.hpp"
#include "partman/core/list_planner.hpp"
#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/core/planning.hpp"
#include "partman/core/range_planner.hpp"
#include "partman/core/removal_guard.hpp"
#include "partman/core/subpartitions.hpp"

namespace partman::core {

namespace {

// Plans the default partition the policy asks for (it has none).
void add_default_create(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  const std::string name = ctx.policy.partition_names == PartitionNames::pg_partman
                               ? pg_partman_default_name(parent.table)
                               : child_name(parent.table, "default");
  if (name_taken(parent, name)) {
    ctx.pp.notes.push_back(
        {NoteLevel::warning, "cannot create default partition " + quote_qualified(parent.schema, name) +
                                 ": a table of that name exists and is not this partition; "
                                 "HINT: rename or drop it, or attach it yourself"});
    return;
  }
  ctx.pp.actions.push_back(
      create_action(ctx, name, "DEFAULT", "", "default partition: the policy keeps one"));
  if (!parent.distribution.citus)
    ctx.pp.actions.back().locks = "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new "
                                  "(empty) table";
}

// Warns about each table an interrupted move filled that this plan does not finish (its range is no longer
// wanted): its rows are out of the default partition and not visible through the parent.
void note_unadopted_moves(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  for (const auto& name : parent.unfinished_moves) {
    if (std::any_of(ctx.pp.actions.begin(), ctx.pp.actions.end(),
                    [&name](const Action& a) { return a.kind == ActionKind::create && a.name == name; }))
      continue;
    const std::string table = quote_qualified(parent.schema, name);
    ctx.pp.notes.push_back(
        {NoteLevel::warning, table +
                                 " holds rows an interrupted run moved out of the default partition, and "
                                 "this plan does not attach it; HINT: attach it to " +
                                 quote_qualified(parent.schema, parent.table) +
                                 " yourself, or put its rows back with INSERT INTO " +
                                 quote_qualified(parent.schema, parent.table) + " SELECT * FROM " + table});
  }
}

// Says, when the plan removes partitions of a parent that a foreign key references, what PostgreSQL does
// with a partition whose rows are still referenced.
void note_referenced_parent(Planning& ctx)
{
  const std::string& fk = ctx.parent.properties.referenced_by;
  const bool removes = std::any_of(ctx.pp.actions.begin(), ctx.pp.actions.end(),
                                   [](const Action& a) { return a.kind != ActionKind::create; });
  if (!fk.empty() && removes)
    ctx.pp.notes.push_back(
        {NoteLevel::info, "the parent is referenced by foreign key " + fk +
                              ": PostgreSQL refuses to detach a partition whose rows are still referenced, "
                              "and that removal then fails without changing anything"});
}

// Says which partitions of a parent with a level-2 policy are not partitioned themselves, so that it does
// not apply to them (made before the level-2 policy, or by hand).
void note_unpartitioned(Planning& ctx)
{
  std::size_t count = 0;
  const Child* example = nullptr;
  for (const auto& c : ctx.parent.children) {
    if (!c.partitioned && !c.is_default && count++ == 0)
      example = &c;
  }
  if (example)
    ctx.pp.notes.push_back({NoteLevel::info, std::to_string(count) + " partition(s), such as " +
                                                 quote_qualified(example->schema, example->name) +
                                                 ", are not partitioned themselves, so the level-2 policy "
                                                 "does not apply to them; new partitions are created "
                                                 "partitioned BY " +
                                                 sub_partition_clause(*ctx.policy.sub)});
}

// Returns the plan of `parent` under `policy` before anything is planned.
ParentPlan start_plan(const ParentSnapshot& parent, const Policy& policy)
{
  ParentPlan pp;
  pp.schema = policy.schema;
  pp.table = policy.table;
  pp.summary = policy_summary(policy);
  if (!parent.outer_table.empty())
    pp.partition_of = quote_qualified(parent.outer_schema, parent.outer_table);
  pp.distributed = distribution_text(parent.distribution);
  return pp;
}

// Plans the finishing of what earlier runs began and did not finish: the drop, move or archive that follows
// a detach, and archives (their own rows tell how far they got).
void finish_interrupted(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  ParentPlan& pp = ctx.pp;
  const Removal& removal = ctx.removal;
  for (const auto& name : parent.interrupted) {
    // Detached by an earlier run that stopped before the rest of its action: finish it. An archive's own
    // row tells more (below).
    if (std::find(parent.taken_names.begin(), parent.taken_names.end(), name) == parent.taken_names.end() ||
        std::any_of(parent.archives.begin(), parent.archives.end(),
                    [&](const PendingArchive& pa) { return pa.schema == parent.schema && pa.name == name; }))
      continue;
    Child detached;
    detached.schema = parent.schema;
    detached.name = name;
    Action a;
    a.kind = removal_kind(removal);
    a.schema = parent.schema;
    a.name = name;
    add_after_detach(removal, detached, a);
    if (a.sql.empty() && a.archive_to.empty())
      continue; // a plain detach is already complete
    a.locks = "ACCESS EXCLUSIVE on the detached table (no longer a partition)";
    a.reason = "an earlier run detached this partition and stopped before it could " +
               std::string(a.kind == ActionKind::drop      ? "drop it"
                           : a.kind == ActionKind::archive ? "archive it"
                                                           : "move it to the retention schema");
    pp.actions.push_back(std::move(a));
  }
  for (const auto& pa : parent.archives) {
    if (pa.attached)
      continue; // still a partition: retention decides about it like any other
    const std::string table = quote_qualified(pa.schema, pa.name);
    if (!pa.table_exists) {
      pp.notes.push_back({NoteLevel::warning,
                          "archive #" + std::to_string(pa.id) + " of " + table + " stopped at '" +
                              to_string(pa.state) +
                              "' and the table no longer exists; HINT: 'partman archive list' shows what "
                              "was written; the table was dropped by something other than partman"});
      continue;
    }
    Action a;
    a.kind = ActionKind::archive;
    a.schema = pa.schema;
    a.name = pa.name;
    a.archive_id = pa.id;
    a.archive_to = removal.archive_to;
    a.locks = "ACCESS EXCLUSIVE on the detached table (no longer a partition) for the drop";
    a.reason = "archive #" + std::to_string(pa.id) + " stopped at '" + to_string(pa.state) + "'; finish it";
    pp.actions.push_back(std::move(a));
  }
}

} // namespace

std::string policy_child_prefix(const Policy& policy)
{
  if (policy.partition_names == PartitionNames::pg_partman) {
    const auto format = NameFormat::parse(policy_name_format(policy)); // a list policy has none
    return pg_partman_name_prefix(policy.table, policy.shape == Shape::integer || !format
                                                    ? k_pg_partman_integer_suffix_bytes
                                                    : format->width());
  }
  switch (policy.shape) {
  case Shape::time:
  case Shape::epoch:
    break;
  case Shape::integer:
    return child_prefix(policy.table, k_integer_suffix_bytes);
  case Shape::list:
    return child_prefix(policy.table, k_value_suffix_bytes);
  }
  return child_prefix(policy.table, partition_suffix(policy.interval, 0).size());
}

std::string check_parent_shape(const ParentSnapshot& parent)
{
  const std::string name = quote_qualified(parent.schema, parent.table);
  if (!parent.exists)
    return "parent " + name +
           " does not exist; HINT: it was dropped or renamed; 'partman unmanage' removes "
           "its policy";
  if (!parent.partitioned)
    return name + " is not a partitioned table";
  if (parent.strategy != Strategy::range && parent.strategy != Strategy::list)
    return name + " is not partitioned BY RANGE";
  if (parent.key_count != 1 || parent.key_column.empty())
    return name + " must be partitioned on exactly one column (not an expression)";
  if (parent.key_type == KeyType::unsupported)
    return "the partition key " + quote_ident(parent.key_column) + " of " + name + " has type " +
           parent.key_type_name +
           "; HINT: partman plans timestamptz, timestamp, date, smallint, integer and bigint RANGE keys, and "
           "text, varchar, smallint, integer, bigint, uuid and date LIST keys";
  return {};
}

ParentPlan plan_parent(const ParentSnapshot& parent, const Policy& policy, Micros now,
                       const PlanOptions& options)
{
  ParentPlan pp = start_plan(parent, policy);
  if (pp.error = check_parent_shape(parent); !pp.error.empty())
    return pp;
  if (pp.error = check_policy_fits(policy, parent.strategy, parent.key_type, parent.key_type_name);
      !pp.error.empty())
    return pp;
  if (policy.level == 2 && parent.key_column != policy.partition_key) {
    pp.error = quote_qualified(parent.schema, parent.table) + " is partitioned on " +
               quote_ident(parent.key_column) + ", but the level-2 policy of " +
               quote_qualified(parent.outer_schema, parent.outer_table) + " partitions its partitions on " +
               quote_ident(policy.partition_key) +
               "; HINT: the level-2 policy applies to partitions partitioned BY " +
               sub_partition_clause(policy);
    return pp;
  }
  if (policy.sub && parent.distribution.citus) {
    pp.error = quote_qualified(parent.schema, parent.table) + " is " + pp.distributed +
               ", and Citus does not support multi-level partitioned tables; HINT: 'partman manage " +
               quote_qualified(parent.schema, parent.table) + " --subpartition-by none'";
    return pp;
  }
  if (!policy.template_table.empty() && !parent.properties.template_found) {
    pp.error = "the policy's template table " +
               quote_qualified(policy.template_schema, policy.template_table) +
               " does not exist, so new partitions would lack its unique indexes; HINT: create it again, or "
               "'partman manage " +
               quote_qualified(parent.schema, parent.table) + " --template-table none'";
    return pp;
  }
  Planning ctx{parent, policy, removal_of(policy), default_partition(parent), options, pp, now};
  bool planned = false;
  switch (policy.shape) {
  case Shape::time:
  case Shape::epoch:
  case Shape::integer:
    planned = plan_range(ctx);
    break;
  case Shape::list:
    planned = plan_list(ctx);
    break;
  }
  if (!planned || !pp.error.empty()) {
    pp.actions.clear();
    return pp;
  }
  if (policy.sub)
    note_unpartitioned(ctx);
  if (policy.level != 2)                               // make_plan guards a level-2 policy's plans together
    guard_removals(ranged_count(parent), options, pp); // finishing detached tables is not a removal
  finish_interrupted(ctx);
  note_unadopted_moves(ctx);
  if (policy.default_partition && !ctx.def)
    add_default_create(ctx); // last: the parent's other actions were planned without a default partition
  note_referenced_parent(ctx);
  for (auto& a : pp.actions)
    a.per_statement = parent.distribution.citus; // also what finishes interrupted work
  return pp;
}

Plan make_plan(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies, Micros now,
               const PlanOptions& options)
{
  Plan plan;
  plan.at = now;
  plan.parents.reserve(policies.size());
  std::size_t outer = 0; // the plan of the last level-1 parent: a level-2 one's parent precedes it
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const ParentSnapshot& parent = parents.at(i);
    if (policies[i].level == 2 && outer < plan.parents.size() &&
        removes(plan.parents[outer], parent.schema, parent.table)) {
      ParentPlan pp = start_plan(parent, policies[i]);
      pp.notes.push_back({NoteLevel::info, "its parent " +
                                               quote_qualified(parent.outer_schema, parent.outer_table) +
                                               " removes it in this run, with its partitions"});
      plan.parents.push_back(std::move(pp));
      continue;
    }
    if (policies[i].level != 2)
      outer = plan.parents.size();
    plan.parents.push_back(plan_parent(parent, policies[i], now, options));
  }
  for (std::size_t i = 0; i < policies.size();) {
    std::size_t end = i;
    while (end < policies.size() && policies[end].level == 2)
      ++end;
    if (end > i)
      guard_sub_removals(parents, i, end, options, plan);
    i = std::max(end, i + 1);
  }
  return plan;
}

bool needs_details(const ParentSnapshot& parent, const ParentPlan& pp)
{
  return !pp.actions.empty() || !pp.error.empty() || !parent.interrupted.empty();
}

void set_move_estimates(Plan& plan, const std::vector<long long>& estimates)
{
  std::size_t i = 0;
  for (auto& p : plan.parents) {
    for (auto& a : p.actions) {
      if (!a.move)
        continue;
      const long long estimate = i < estimates.size() ? estimates[i] : -1;
      ++i;
      a.move->estimated_rows = estimate;
      a.move->batched = a.move->batched || estimate > 1;
    }
  }
}

std::size_t Plan::action_count() const
{
  std::size_t n = 0;
  for (const auto& p : parents)
    n += p.actions.size();
  return n;
}

const char* to_string(ActionKind kind)
{
  switch (kind) {
  case ActionKind::create:
    return "create";
  case ActionKind::drop:
    return "drop";
  case ActionKind::detach:
    return "detach";
  case ActionKind::finalize_detach:
    return "finalize-detach";
  case ActionKind::archive:
    return "archive";
  }
  return "?";
}

const char* to_string(NoteLevel level)
{
  switch (level) {
  case NoteLevel::info:
    return "info";
  case NoteLevel::warning:
    return "warning";
  }
  return "?";
}

} // namespace partman::core
