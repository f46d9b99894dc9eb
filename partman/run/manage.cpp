#include "partman/run/manage.hpp"

#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/subpartitions.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/list_values.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_check.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/db/table_facts.hpp"
#include "partman/run/primary.hpp"

namespace partman::run {

namespace {

// Applies the options about the default partition and what new children copy from their parent; the
// template table must be a plain table other than the parent.
void apply_children_options(pqxx::connection& conn, const ManageOptions& a, core::Policy& p)
{
  if (a.default_partition)
    p.default_partition = *a.default_partition;
  if (a.inherit_privileges)
    p.inherit_privileges = *a.inherit_privileges;
  if (is_none(a.template_table)) {
    p.template_schema.clear();
    p.template_table.clear();
  } else if (!a.template_table.empty()) {
    const auto t = db::resolve_tables(conn, {a.template_table}).front();
    pqxx::read_transaction tx(conn);
    if (db::relation_kind(tx, core::quote_qualified(t.first, t.second)) != "r" ||
        t == db::TableName{p.schema, p.table})
      throw UsageError("--template-table: " + core::quote_qualified(t.first, t.second) +
                       " is not a plain table; HINT: create one with the unique indexes new partitions need "
                       "(CREATE TABLE t (LIKE parent); CREATE UNIQUE INDEX ON t (...))");
    p.template_schema = t.first;
    p.template_table = t.second;
  }
}

// Returns the snapshot that a level-2 policy of `outer` (read from the catalog) sees, as of a new partition
// partitioned BY `spec`, after checking that the parent can be sub-partitioned that way: the column exists,
// every unique index includes it, and partitions already partitioned are partitioned the same way.
core::ParentSnapshot sub_parent_snapshot(pqxx::transaction_base& tx, const core::ParentSnapshot& outer,
                                         const core::Policy& outer_policy, const SubSpec& spec,
                                         const db::CatalogOptions& catalog, core::Policy& sub)
{
  const std::string parent = outer_policy.parent_sql();
  const auto col = db::find_column(tx, parent, spec.column);
  if (!col)
    throw UsageError("--subpartition-by: " + parent + " has no column " + spec.column +
                     "; HINT: name one of its columns, as SQL writes it");
  sub.partition_key = col->name;
  const std::string key = core::quote_ident(sub.partition_key);
  if (sub.partition_key == outer.key_column && (spec.list || outer.strategy != core::Strategy::range))
    throw UsageError("--subpartition-by: " + parent + " is already partitioned on " + key +
                     "; HINT: partitions can be partitioned again on the same column only BY RANGE, inside a "
                     "parent partitioned BY RANGE (months into days)");
  if (const auto lacking = db::unique_indexes_without(tx, parent, col->attnum); !lacking.empty())
    throw UsageError("--subpartition-by: unique index " + lacking.front() + " of " + parent +
                     " does not include " + key +
                     ", so partitions partitioned on it could not have it; HINT: add " + key +
                     " to that index (or primary key), or sub-partition on a column it includes");
  core::Policy outer_with_sub = outer_policy;
  outer_with_sub.sub = std::make_shared<const core::Policy>(sub);
  core::ParentSnapshot with_type = outer;
  with_type.sub_key_type_name = col->type_name;
  with_type.sub_key_type = core::key_type_from_sql(with_type.sub_key_type_name);
  // Partitions partitioned already: partitioned the same way, or the policy could not apply to them.
  const auto existing = core::sub_parents({outer}, {outer_with_sub});
  std::vector<core::Policy> existing_policies;
  for (const auto& e : existing)
    existing_policies.push_back(e.policy);
  const auto inner = db::read_catalog(tx, existing_policies, catalog);
  for (const auto& ps : inner) {
    if (const auto other = core::partitioned_otherwise(
            ps, sub.partition_key, spec.list ? core::Strategy::list : core::Strategy::range);
        !other.empty())
      throw UsageError("--subpartition-by: partition " + core::quote_qualified(ps.schema, ps.table) + " of " +
                       parent + " is " + other + ", not BY " + core::sub_partition_clause(sub) +
                       "; HINT: the level-2 policy must match the partitions partitioned already");
  }
  core::ParentSnapshot out = core::new_sub_parent(with_type, sub, outer.table, std::nullopt, std::nullopt);
  // The shape follows from it (choose_shape).
  out.strategy = spec.list ? core::Strategy::list : core::Strategy::range;
  return out;
}

// Removes the level-2 policy of `outer`: new partitions are no longer created partitioned, and partitions
// partitioned already keep what they have.
ManageReport remove_sub_policy(const std::string& schema, pqxx::connection& conn, const core::Policy& outer)
{
  if (!db::delete_policy(conn, schema, {outer.schema, outer.table}, 2))
    throw UsageError("--subpartition-by none: " + outer.parent_sql() + " has no level-2 policy");
  ManageReport report;
  report.change = ManageReport::Change::sub_removed;
  report.sub_level = true;
  report.policy = outer;
  return report;
}

// Returns the policy `policy` (of `found` kind) starts from at level 2 under `outer`; UsageError when the
// options cannot make or update one.
core::Policy sub_policy_start(const ManageOptions& args, const core::Policy& outer, bool& found)
{
  if (!args.template_table.empty())
    throw UsageError("--template-table: a level-2 policy uses its parent's template table, whose unique "
                     "indexes go to the partitions' own partitions; HINT: 'partman manage " +
                     outer.parent_sql() + " --template-table T' without --subpartition-by or --level 2");
  found = outer.sub != nullptr;
  if (!found && args.subpartition_by.empty())
    throw UsageError("--level 2: " + outer.parent_sql() +
                     " has no level-2 policy; HINT: create one with --subpartition-by 'RANGE (column)' or "
                     "'LIST (column)'");
  if (found)
    return *outer.sub;
  core::Policy policy;
  policy.schema = outer.schema;
  policy.table = outer.table;
  policy.level = 2;
  return policy;
}

// Reads the parent, settles the policy's shape and values, and checks the policy against the parent as it
// stands; fills report.parent and report.query_rows.
void check_against_parent(pqxx::connection& conn, const ManageRequest& request,
                          const core::Policy& outer_policy, bool found, core::Policy& policy,
                          ManageReport& report)
{
  const ManageOptions& args = request.options;
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.partman_schema = request.schema;
  core::Policy as_is = outer_policy; // the catalog as it stands; a values query is run below
  as_is.values_query.clear();
  as_is.sub.reset();
  std::vector<core::ParentSnapshot> snap = db::read_catalog(tx, {as_is}, catalog);
  if (auto problem = core::check_parent_shape(snap.front()); !problem.empty())
    throw UsageError(problem);
  if (report.sub_level) {
    const SubSpec spec = args.subpartition_by.empty() ? SubSpec{policy.shape == core::Shape::list,
                                                                core::quote_ident(policy.partition_key)}
                                                      : parse_sub_spec(args.subpartition_by);
    snap.front() = sub_parent_snapshot(tx, snap.front(), outer_policy, spec, catalog, policy);
  }
  const core::ParentSnapshot& parent = snap.front();
  const core::Shape shape = choose_shape(args, policy, found, parent);
  const bool changed = found && shape != policy.shape;
  policy.shape = shape;
  if ((!found || changed) && shape != core::Shape::list && args.interval.empty())
    throw UsageError(policy.parent_sql() + (found ? " changes shape" : " is not managed yet") +
                     ", so --interval is required; HINT: for example " +
                     (shape == core::Shape::integer ? "--interval 1000000 (the width of a partition)"
                                                    : "--interval daily"));
  if ((!found || changed) && shape == core::Shape::list && args.values.empty() && args.value.empty() &&
      args.values_query.empty())
    throw UsageError(policy.parent_sql() +
                     " is partitioned BY LIST, so its values are required; HINT: --values a,b,c, --value X "
                     "(repeatable, for values with commas) or --values-query 'SELECT code FROM regions'");
  apply_shape_options(args, policy, changed, parent);
  if (shape == core::Shape::list && policy.values_query.empty()) {
    const auto values = db::canonical_list_values(tx, policy.values, parent.key_type_name);
    if (!values)
      throw UsageError(values.error());
    policy.values = *values;
  } else if (shape == core::Shape::list) {
    if (auto problem = db::values_query_problem(tx, policy.values_query); !problem.empty())
      throw UsageError(problem);
    const auto values =
        db::query_list_values(tx, policy.values_query, parent.key_type_name, policy.parent_sql());
    if (!values)
      throw UsageError("--values-query: " + values.error());
    report.query_rows = values->size();
  }
  if (auto problem = db::check_policy(tx, parent, policy); !problem.empty())
    throw UsageError(problem);
  if (auto problem = core::check_time_window(parent, policy, request.now); !problem.empty())
    throw UsageError(problem);
  report.parent = parent;
}

} // namespace

ManageReport manage(const ManageRequest& request)
{
  const ManageOptions& args = request.options;
  core::Policy probe;
  apply_common_options(args, probe); // rejects malformed options before connecting
  auto conn = open_primary(request.dsn, {}, "manage");
  db::require_schema(*conn, request.schema);
  const auto name = db::resolve_tables(*conn, {args.parent}).front();
  core::Policy policy;
  policy.schema = name.first;
  policy.table = name.second;
  bool found = false;
  for (const auto& p : db::load_policies(*conn, request.schema, {})) {
    if (p.schema == policy.schema && p.table == policy.table) {
      policy = p;
      found = true;
    }
  }
  ManageReport report;
  report.sub_level = args.level == 2 || !args.subpartition_by.empty();
  const core::Policy outer_policy = policy;
  if (report.sub_level) {
    if (!found)
      throw UsageError(
          policy.parent_sql() + " is not managed yet; HINT: give it a policy first ('partman manage " +
          policy.parent_sql() + " --interval ...'), then its partitions' with --subpartition-by");
    if (is_none(args.subpartition_by))
      return remove_sub_policy(request.schema, *conn, outer_policy);
    policy = sub_policy_start(args, outer_policy, found);
  }
  apply_common_options(args, policy);
  apply_children_options(*conn, args, policy);
  check_against_parent(*conn, request, outer_policy, found, policy, report);
  if (policy.retention_action == core::RetentionAction::archive ||
      (policy.shape == core::Shape::list && policy.list_retention == core::ListRetention::archive))
    check_storage_writable(policy.archive_to);
  report.change = db::save_policy(*conn, request.schema, policy) ? ManageReport::Change::inserted
                                                                 : ManageReport::Change::updated;
  report.policy = policy;
  return report;
}

UnmanageReport unmanage(const UnmanageRequest& request)
{
  auto conn = open_primary(request.dsn, {}, "unmanage");
  db::require_schema(*conn, request.schema);
  db::TableName name;
  try {
    name = db::resolve_tables(*conn, {request.parent}).front();
  } catch (const UsageError&) {
    // The table may be gone already; then match the policy by its written name.
    for (const auto& p : db::load_policies(*conn, request.schema, {})) {
      if (request.parent == p.schema + "." + p.table || request.parent == p.parent_sql())
        name = {p.schema, p.table};
    }
    if (name.first.empty())
      throw;
  }
  if (!db::delete_policy(*conn, request.schema, name))
    throw UsageError(core::quote_qualified(name.first, name.second) + " is not managed by partman");
  return {name.first, name.second};
}

} // namespace partman::run
