#include "partman/core/action_sql.hpp"

#include "partman/core/children.hpp"
#include "partman/core/citus.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planning.hpp"
#include "partman/core/subpartitions.hpp"

namespace partman::core {

namespace {

// Adds to `a` (the create of partition `name` of a parent whose policy has a level-2 policy, with range
// [lower, upper) on a RANGE parent) the statements that create and attach the new partition's own
// partitions, before it is attached itself; sets the plan's error when they cannot be planned.
void add_sub_partitions(const Planning& ctx, const std::string& name, const Bound& lower, const Bound& upper,
                        Action& a)
{
  const ParentSnapshot& parent = ctx.parent;
  const Policy& sub = *ctx.policy.sub;
  const ParentPlan inner = plan_parent(new_sub_parent(parent, sub, name, lower, upper),
                                       sub_policy_for(ctx.policy, parent.schema, name), ctx.now, ctx.options);
  const std::string table = quote_qualified(parent.schema, name);
  if (!inner.error.empty()) {
    ctx.pp.error = "the partitions of new partition " + table + " cannot be planned: " + inner.error;
    return;
  }
  const std::string own_lock = lock_sql(parent.schema, name, "SHARE UPDATE EXCLUSIVE");
  for (const auto& ia : inner.actions) {
    for (const auto& statement : ia.sql) {
      if (statement != own_lock) // the new table is this transaction's own
        a.sql.push_back(statement);
    }
    a.sub_partitions.push_back(ia.name);
  }
  for (const auto& n : inner.notes) {
    if (n.level == NoteLevel::warning)
      ctx.pp.notes.push_back({n.level, "in new partition " + table + ": " + n.message});
  }
}

// Returns what retention does once a partition is detached, in words.
const char* after_detach_text(RetentionAction action)
{
  switch (action) {
  case RetentionAction::drop:
    return "drop it (expired)";
  case RetentionAction::detach:
    return "keep it detached";
  case RetentionAction::archive:
    return "archive it (expired)";
  }
  return "?";
}

// Adds what follows the detach (see add_after_detach), `child_sql` being `child` quoted.
void add_after_detach(const Removal& removal, const Child& child, Action& a, const std::string& child_sql)
{
  if (removal.action == RetentionAction::archive)
    a.archive_to = removal.archive_to;
  else if (removal.action == RetentionAction::drop)
    a.sql.push_back("DROP TABLE " + child_sql);
  else if (!removal.schema.empty() && removal.schema != child.schema)
    a.sql.push_back("ALTER TABLE " + child_sql + " SET SCHEMA " + quote_ident(removal.schema));
}

} // namespace

std::string create_like_sql(const std::string& child_sql, const std::string& parent_sql)
{
  return "CREATE TABLE " + child_sql + " (LIKE " + parent_sql +
         " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE"
         " INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)";
}

std::string lock_sql(const std::string& schema, const std::string& name, const char* mode)
{
  return "LOCK TABLE ONLY " + quote_qualified(schema, name) + " IN " + mode + " MODE";
}

std::string exclusive_timeout_sql(const Action& a, const std::string& timeout)
{
  if (!a.exclusive || timeout.empty())
    return "";
  return "SET LOCAL lock_timeout = " + quote_literal(timeout) + ";\n";
}

Action create_action(const Planning& ctx, const std::string& name, const std::string& bound,
                     const std::string& condition, std::string reason, const Bound& lower, const Bound& upper)
{
  const ParentSnapshot& parent = ctx.parent;
  Action a;
  a.kind = ActionKind::create;
  a.schema = parent.schema;
  a.name = name;
  const std::string child = quote_qualified(parent.schema, name);
  const std::string parent_sql = quote_qualified(parent.schema, parent.table);
  const bool resume = unfinished_move(parent, name);
  const bool sub = ctx.policy.sub && bound != "DEFAULT"; // a default partition stays a plain table
  const ChildSetup setup = child_setup(parent, ctx.policy, name, sub);
  const Distribution& dist = parent.distribution;
  a.per_statement = dist.citus;
  // Locks in one order everywhere: the parent, then its default partition, then the partition.
  a.sql.push_back(lock_sql(parent.schema, parent.table, "SHARE UPDATE EXCLUSIVE"));
  if (ctx.def)
    a.sql.push_back(lock_sql(ctx.def->schema, ctx.def->name, "ACCESS EXCLUSIVE"));
  a.exclusive = ctx.def != nullptr;
  const std::size_t setup_from = a.sql.size();
  if (!resume) {
    a.sql.push_back(create_like_sql(child, parent_sql) +
                    (sub ? " PARTITION BY " + sub_partition_clause(*ctx.policy.sub) : std::string()) +
                    setup.create_suffix);
    a.sql.insert(a.sql.end(), setup.before_attach.begin(), setup.before_attach.end());
    if (sub)
      add_sub_partitions(ctx, name, lower, upper, a);
    // Rows moved into it land on the workers, not in a coordinator table that the attach would copy out.
    if (ctx.def && !dist.column.empty())
      a.sql.push_back(distribute_sql(child, dist.column, parent_sql));
  }
  if (ctx.def && default_unmovable(ctx).empty()) {
    DefaultMove m;
    m.schema = ctx.def->schema;
    m.name = ctx.def->name;
    m.condition = condition;
    m.batch_size = ctx.options.batch_size;
    const std::string def_sql = quote_qualified(m.schema, m.name);
    const auto& columns = parent.properties.columns;
    m.setup_from = setup_from;
    m.setup_count = a.sql.size() - setup_from;
    m.resume = resume;
    m.batched = resume;
    // The last rows move inside the attach's transaction, under its locks: none can slip in between.
    if (dist.citus) {
      m.key_ranges =
          key_range_batches(def_sql, child, columns, condition, batch_column(parent), m.batch_size);
      m.batch_sql = batches_text(*m.key_ranges);
      for (auto& statement : move_all_sql(def_sql, child, columns, condition))
        a.sql.push_back(std::move(statement));
    } else {
      m.batch_sql = move_rows_sql(def_sql, child, columns, condition, m.batch_size);
      a.sql.push_back(move_rows_sql(def_sql, child, columns, condition, 0));
    }
    a.move = std::move(m);
  }
  a.sql.push_back("ALTER TABLE " + parent_sql + " ATTACH PARTITION " + child + " " + bound);
  a.sql.insert(a.sql.end(), setup.after_attach.begin(), setup.after_attach.end());
  if (dist.citus)
    a.locks = ctx.def ? k_citus_create_default_locks : k_citus_create_locks;
  else if (sub)
    a.locks = ctx.def
                  ? "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition "
                    "(the attach scans it) and on the new table and its new partitions"
                  : "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table "
                    "and its new partitions";
  else
    a.locks = ctx.def
                  ? "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition "
                    "(the attach scans it) and on the new table"
                  : "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table";
  a.reason = std::move(reason);
  if (sub && !resume)
    a.reason += "; created partitioned BY " + sub_partition_clause(*ctx.policy.sub) + " with " +
                std::to_string(a.sub_partitions.size()) + " partition(s) of its own";
  if (resume)
    a.reason += "; an interrupted run created this table and moved rows of the default partition into it: "
                "finish the move and attach it";
  return a;
}

ActionKind removal_kind(const Removal& removal)
{
  switch (removal.action) {
  case RetentionAction::drop:
    return ActionKind::drop;
  case RetentionAction::detach:
    return ActionKind::detach;
  case RetentionAction::archive:
    return ActionKind::archive;
  }
  return ActionKind::detach;
}

void add_after_detach(const Removal& removal, const Child& child, Action& a)
{
  add_after_detach(removal, child, a, quote_qualified(child.schema, child.name));
}

Action removal_action(const Planning& ctx, const Child& child, std::string reason)
{
  const ParentSnapshot& parent = ctx.parent;
  const Child* def = ctx.def;
  Action a;
  a.kind = removal_kind(ctx.removal);
  a.schema = child.schema;
  a.name = std::string(child.name); // a copy at its size (assigned, it would get room to grow)
  a.reason = std::move(reason);
  a.sql.reserve(def ? 4 : 2); // a drop's statements
  const std::string child_sql = quote_qualified(child.schema, child.name);
  if (parent.distribution.citus) {
    // Citus has no DETACH ... CONCURRENTLY: one short transaction, as beside a default partition.
    a.per_statement = true;
    a.exclusive = true;
    a.sql.push_back(lock_sql(parent.schema, parent.table, "ACCESS EXCLUSIVE"));
    if (def)
      a.sql.push_back(lock_sql(def->schema, def->name, "ACCESS EXCLUSIVE"));
    if (ctx.removal.action == RetentionAction::drop) {
      a.sql.push_back("DROP TABLE " + child_sql); // as Citus's own drop_old_time_partitions does
      a.locks = k_citus_drop_locks;
      return a;
    }
    a.sql.push_back("ALTER TABLE " + ctx.parent_sql + " DETACH PARTITION " + child_sql);
    a.locks = k_citus_detach_locks;
    add_after_detach(ctx.removal, child, a, child_sql);
    return a;
  }
  std::string detach;
  detach.reserve(ctx.parent_sql.size() + child_sql.size() + 43); // with " CONCURRENTLY"
  detach.append("ALTER TABLE ").append(ctx.parent_sql).append(" DETACH PARTITION ").append(child_sql);
  if (def) {
    // DETACH ... CONCURRENTLY is not allowed beside a default partition: one short transaction instead.
    a.sql.push_back(lock_sql(parent.schema, parent.table, "ACCESS EXCLUSIVE"));
    a.sql.push_back(lock_sql(def->schema, def->name, "ACCESS EXCLUSIVE"));
    a.sql.push_back(std::move(detach));
    a.exclusive = true;
    a.locks = "ACCESS EXCLUSIVE on the parent, then on the default partition and the partition (the parent "
              "has a default partition, so DETACH ... CONCURRENTLY is not allowed)";
  } else {
    a.sql.push_back(std::move(detach.append(" CONCURRENTLY")));
    a.transactional = false;
    a.concurrent_detach = true;
    a.locks = "SHARE UPDATE EXCLUSIVE on the parent (DETACH ... CONCURRENTLY, outside a transaction block), "
              "then ACCESS EXCLUSIVE on the detached table";
  }
  add_after_detach(ctx.removal, child, a, child_sql);
  return a;
}

Action finalize_action(const Planning& ctx, const Child& child, bool expired)
{
  Action a;
  a.kind = ActionKind::finalize_detach;
  a.schema = child.schema;
  a.name = child.name;
  a.sql.push_back("ALTER TABLE " + ctx.parent_sql + " DETACH PARTITION " +
                  quote_qualified(child.schema, child.name) + " FINALIZE");
  if (expired)
    add_after_detach(ctx.removal, child, a);
  a.transactional = false;
  a.locks = "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the partition";
  a.reason = "an interrupted DETACH ... CONCURRENTLY left this partition pending; finish it";
  if (expired)
    a.reason += ", then " + std::string(after_detach_text(ctx.removal.action));
  return a;
}

} // namespace partman::core
