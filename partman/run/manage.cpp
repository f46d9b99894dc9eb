#include "partman/run/manage.hpp"

#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/list_values.hpp"
#include "partman/db/policy_store.hpp"
#include "partman/db/privileges.hpp"
#include "partman/db/session.hpp"
#include "partman/db/table_facts.hpp"
#include "partman/run/primary.hpp"

namespace partman::run {

namespace {

// Returns "true", "false", or NULL for an option not given.
const char* flag(const std::optional<bool>& given)
{
  return !given ? nullptr : *given ? "true" : "false";
}

// Calls partman.manage() in `tx` with the options (the checks of every option live there, so the command
// and SQL refuse the same inputs with the same messages); returns what changed and the values a values query
// gives now (-1 without one).
std::pair<ManageReport::Change, long long> call_manage(pqxx::work& tx, const std::string& schema,
                                                       const std::string& parent, const ManageOptions& a)
{
  const std::vector<std::string> values = listed_values(a);
  const std::string list = values.empty() ? std::string() : db::text_array(values);
  const std::string premake = parse_premake(a.premake);
  db::cap_statement_timeout(tx, db::k_values_timeout); // a values query runs as at plan time
  const auto r = tx.exec_params(
      "SELECT change, values_now FROM " + core::quote_ident(schema) +
          ".manage(parent => $1::regclass, partition_interval => $2, premake => $3::integer, retention => "
          "$4, "
          "retention_action => $5, retention_schema => $6, archive_to => $7, timezone => $8, start => $9, "
          "epoch => $10, list_values => $11::text[], values_query => $12, list_retention => $13, "
          "default_partition => $14::boolean, inherit_privileges => $15::boolean, template_table => $16, "
          "subpartition_by => $17, level => $18, partition_names => $19)",
      parent, db::nullable(a.interval), db::nullable(premake), db::nullable(a.retention),
      db::nullable(a.retention_action), db::nullable(a.retention_schema), db::nullable(a.archive_to),
      db::nullable(a.timezone), db::nullable(a.start), db::nullable(a.epoch), db::nullable(list),
      db::nullable(a.values_query), db::nullable(a.list_retention), flag(a.default_partition),
      flag(a.inherit_privileges), db::nullable(a.template_table), db::nullable(a.subpartition_by), a.level,
      db::nullable(a.partition_names));
  const std::string change = r[0][0].as<std::string>();
  return {change == "inserted"  ? ManageReport::Change::inserted
          : change == "updated" ? ManageReport::Change::updated
                                : ManageReport::Change::sub_removed,
          r[0][1].is_null() ? -1 : r[0][1].as<long long>()};
}

// Checks, before the transaction that saved the policy commits, that partman can write where the policy
// archives (only the client can: the server reaches no storage).
void check_archive_storage(pqxx::work& tx, const std::string& schema, const db::TableName& parent, int level)
{
  const auto r =
      tx.exec_params("SELECT archive_to FROM " + core::quote_ident(schema) +
                         ".policy WHERE parent_schema = $1 AND parent_table = $2 AND level = $3 AND "
                         "(retention_action = 'archive' OR (shape = 'list' AND list_retention = "
                         "'archive'))",
                     parent.first, parent.second, level);
  if (!r.empty())
    check_storage_writable(r[0][0].as<std::string>());
}

// Runs `job` (which writes through the server's checks); a refusal of partman.manage() or unmanage()
// (SQLSTATE 22023, or 42501 for a role that does not own the parent) becomes a UsageError with the server's
// message and hint, and a privilege the role lacks on partman's tables says which GRANTs it needs.
template <typename Job>
auto refused_as_usage(pqxx::connection& conn, const std::string& schema, const Job& job)
{
  try {
    return job();
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    if (state == "42501" || dynamic_cast<const pqxx::insufficient_privilege*>(&e))
      db::require_privileges(conn, schema, db::Access::write);
    if (state == "22023" || state == "42501" || dynamic_cast<const pqxx::insufficient_privilege*>(&e))
      throw UsageError(db::message_and_hint(e.what()));
    throw;
  }
}

// Returns the snapshot of the parent the saved policy keeps: the parent itself, or for a level-2 policy the
// parent as its partitions are partitioned (on the policy's column).
core::ParentSnapshot described_parent(pqxx::connection& conn, const std::string& schema,
                                      const core::Policy& outer, const core::Policy& policy)
{
  pqxx::read_transaction tx(conn);
  db::CatalogOptions catalog;
  catalog.partman_schema = schema;
  core::Policy as_is = outer;
  as_is.values_query.clear(); // not run again for a report
  as_is.sub.reset();
  core::ParentSnapshot parent = db::read_catalog(tx, {as_is}, catalog).front();
  if (policy.level == 2) {
    parent.strategy = policy.shape == core::Shape::list ? core::Strategy::list : core::Strategy::range;
    parent.key_column = policy.partition_key;
    const auto col = db::find_column(tx, outer.parent_sql(), core::quote_ident(policy.partition_key));
    parent.key_type_name = col ? col->type_name : "";
    parent.key_type = core::key_type_from_sql(parent.key_type_name);
  }
  return parent;
}

} // namespace

ManageReport manage(const ManageRequest& request)
{
  const ManageOptions& args = request.options;
  listed_values(args); // what only the command line has: its comma syntax and number, before connecting
  parse_premake(args.premake);
  auto conn = open_primary(request.dsn, {}, "manage");
  db::require_schema(*conn, request.schema);
  const auto name = db::resolve_tables(*conn, {args.parent}).front();
  const int level = args.level == 2 || !args.subpartition_by.empty() ? 2 : 1;
  ManageReport report;
  report.sub_level = level == 2;
  const long long values_now = refused_as_usage(*conn, request.schema, [&] {
    pqxx::work tx(*conn);
    const auto [change, values] =
        call_manage(tx, request.schema, core::quote_qualified(name.first, name.second), args);
    report.change = change;
    if (change != ManageReport::Change::sub_removed)
      check_archive_storage(tx, request.schema, name, level);
    tx.commit();
    return values;
  });
  report.query_rows = values_now < 0 ? 0 : static_cast<std::size_t>(values_now);
  const core::Policy outer = db::load_policies(*conn, request.schema, {name}).front();
  report.policy = report.change == ManageReport::Change::sub_removed || level == 1 ? outer : *outer.sub;
  report.parent = described_parent(*conn, request.schema, outer, report.policy);
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
    // The table may be gone already; then match the policy by its written name (no role owns it any more).
    for (const auto& p : db::load_policies(*conn, request.schema, {})) {
      if (request.parent == p.schema + "." + p.table || request.parent == p.parent_sql())
        name = {p.schema, p.table};
    }
    if (name.first.empty())
      throw;
    db::delete_policy(*conn, request.schema, name);
    return {name.first, name.second};
  }
  refused_as_usage(*conn, request.schema, [&] {
    pqxx::work tx(*conn);
    tx.exec_params("SELECT " + core::quote_ident(request.schema) + ".unmanage($1::regclass)",
                   core::quote_qualified(name.first, name.second));
    tx.commit();
    return 0;
  });
  return {name.first, name.second};
}

} // namespace partman::run
