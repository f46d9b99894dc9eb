#include "partman/db/policy_store.hpp"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/db/privileges.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// The columns of the policy query, by position (a look-up by name costs more than reading the value): the
// enum names the positions of k_policy_columns, from which the query's select list is made.
enum PolicyColumn : int
{
  pc_parent_schema,
  pc_parent_table,
  pc_partition_interval,
  pc_premake,
  pc_retention,
  pc_retention_action,
  pc_retention_schema,
  pc_archive_to,
  pc_timezone,
  pc_start_micros,
  pc_shape,
  pc_epoch_unit,
  pc_start_value,
  pc_list_values_json,
  pc_values_query,
  pc_list_retention,
  pc_default_partition,
  pc_inherit_privileges,
  pc_template_schema,
  pc_template_table,
  pc_level,
  pc_partition_key,
  pc_partition_names,
  pc_name_format,
};
constexpr const char* k_policy_columns[] = {"parent_schema",
                                            "parent_table",
                                            "partition_interval",
                                            "premake",
                                            "retention",
                                            "retention_action",
                                            "retention_schema",
                                            "archive_to",
                                            "timezone",
                                            "(extract(epoch from start_at) * 1000000)::bigint",
                                            "shape",
                                            "epoch_unit",
                                            "start_value",
                                            "array_to_json(list_values)::text",
                                            "values_query",
                                            "list_retention",
                                            "default_partition",
                                            "inherit_privileges",
                                            "template_schema",
                                            "template_table",
                                            "level",
                                            "partition_key",
                                            "partition_names",
                                            "name_format"};
static_assert(std::size(k_policy_columns) == pc_name_format + 1, "a name for every column");

core::Policy policy_from_row(const pqxx::row& row)
{
  core::Policy p;
  p.schema = row[pc_parent_schema].as<std::string>();
  p.table = row[pc_parent_table].as<std::string>();
  const std::string where = " in the policy of " + core::quote_qualified(p.schema, p.table);
  const auto value = [&where](const auto& result) {
    if (!result)
      throw UsageError(result.error() + where);
    return *result;
  };
  p.shape = value(core::parse_shape(row[pc_shape].as<std::string>()));
  p.premake = row[pc_premake].as<int>();
  const std::string interval =
      row[pc_partition_interval].is_null() ? "" : row[pc_partition_interval].as<std::string>();
  const std::string retention = row[pc_retention].is_null() ? "" : row[pc_retention].as<std::string>();
  switch (p.shape) {
  case core::Shape::epoch:
    p.epoch_unit = value(core::parse_epoch_unit(row[pc_epoch_unit].as<std::string>()));
    [[fallthrough]];
  case core::Shape::time:
    p.interval = value(core::parse_partition_interval(interval));
    if (!retention.empty())
      p.retention = value(core::parse_period(retention));
    break;
  case core::Shape::integer:
    p.width = value(core::parse_positive(interval, "width"));
    if (!retention.empty())
      p.keep_last = value(core::parse_positive(retention, "retention"));
    if (!row[pc_start_value].is_null())
      p.start_value = row[pc_start_value].as<long long>();
    break;
  case core::Shape::list:
    if (!row[pc_list_values_json].is_null())
      p.values =
          nlohmann::json::parse(row[pc_list_values_json].as<std::string>()).get<std::vector<std::string>>();
    p.values_query = row[pc_values_query].is_null() ? "" : row[pc_values_query].as<std::string>();
    break;
  }
  p.list_retention = value(core::parse_list_retention(row[pc_list_retention].as<std::string>()));
  auto action = core::parse_retention_action(row[pc_retention_action].as<std::string>());
  if (!action)
    throw UsageError(action.error() + where);
  p.retention_action = *action;
  p.archive_to = row[pc_archive_to].is_null() ? "" : row[pc_archive_to].as<std::string>();
  p.retention_schema = row[pc_retention_schema].is_null() ? "" : row[pc_retention_schema].as<std::string>();
  p.timezone = core::NamedZone(row[pc_timezone].as<std::string>()); // read here, not while planning
  if (!row[pc_start_micros].is_null())
    p.start = row[pc_start_micros].as<long long>();
  p.default_partition = row[pc_default_partition].as<bool>();
  p.inherit_privileges = row[pc_inherit_privileges].as<bool>();
  if (!row[pc_template_table].is_null()) {
    p.template_schema = row[pc_template_schema].as<std::string>();
    p.template_table = row[pc_template_table].as<std::string>();
  }
  p.level = row[pc_level].as<int>();
  p.partition_key = row[pc_partition_key].is_null() ? "" : row[pc_partition_key].as<std::string>();
  p.partition_names = value(core::parse_partition_names(row[pc_partition_names].as<std::string>())).first;
  p.name_format = row[pc_name_format].is_null() ? "" : row[pc_name_format].as<std::string>();
  return p;
}

} // namespace

std::vector<TableName> resolve_tables(pqxx::connection& conn, const std::vector<std::string>& names)
{
  std::vector<TableName> out;
  if (names.empty())
    return out;
  pqxx::read_transaction tx(conn);
  pqxx::result r;
  try {
    r = tx.exec_params(
        "SELECT u.arg, n.nspname, c.relname FROM unnest($1::text[]) WITH ORDINALITY AS u(arg, ord) "
        "LEFT JOIN pg_class c ON c.oid = to_regclass(u.arg) "
        "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY u.ord",
        text_array(names));
  } catch (const pqxx::sql_error& e) {
    throw UsageError(std::string("invalid table name: ") + e.what() +
                     "HINT: write it as SQL does: schema.table, with double quotes around mixed case");
  }
  for (const auto& row : r) {
    if (row[1].is_null())
      throw UsageError(
          "table '" + row[0].as<std::string>() +
          "' does not exist; HINT: write it as SQL does (schema.table, with double quotes around "
          "mixed case or odd characters); an unqualified name follows the search_path");
    out.emplace_back(row[1].as<std::string>(), row[2].as<std::string>());
  }
  return out;
}

std::vector<core::Policy> load_policies(pqxx::connection& conn, const std::string& schema,
                                        const std::vector<TableName>& only)
{
  pqxx::nontransaction tx(conn); // one statement: no transaction block to open and close
  std::string columns;
  for (const char* c : k_policy_columns)
    columns += (columns.empty() ? "" : ", ") + std::string(c);
  const auto r = tx.exec("SELECT " + columns + " FROM " + core::quote_ident(schema) +
                         ".policy ORDER BY parent_schema, parent_table, level");
  std::vector<core::Policy> all;
  for (const auto& row : r) {
    core::Policy p = policy_from_row(row);
    // A level-2 policy follows its parent's level-1 policy (ORDER BY level); one without is ignored.
    if (p.level == 1)
      all.push_back(std::move(p));
    else if (!all.empty() && all.back().schema == p.schema && all.back().table == p.table)
      all.back().sub = std::make_shared<const core::Policy>(std::move(p));
  }
  if (only.empty())
    return all;
  std::vector<core::Policy> out;
  for (const auto& name : only) {
    auto it = std::find_if(all.begin(), all.end(), [&](const core::Policy& p) {
      return p.schema == name.first && p.table == name.second;
    });
    if (it == all.end()) {
      const std::string table = core::quote_qualified(name.first, name.second);
      // A partition planned under its parent's level-2 policy is named through that parent.
      const auto up =
          tx.exec_params("SELECT n.nspname, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
                         "i.inhparent JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.inhrelid "
                         "= to_regclass($1)",
                         table);
      for (const auto& p : all) {
        if (p.sub && !up.empty() && p.schema == up[0][0].as<std::string>() &&
            p.table == up[0][1].as<std::string>())
          throw UsageError(table + " is a partition of " + p.parent_sql() +
                           ", kept by its level-2 policy; HINT: name " + p.parent_sql() +
                           ", which plans its partitions too");
      }
      throw UsageError(table + " is not managed by partman; HINT: register it with 'partman manage'");
    }
    if (std::none_of(out.begin(), out.end(), [&](const core::Policy& p) { return &p == &*it; }))
      out.push_back(*it);
  }
  return out;
}

bool save_policy(pqxx::transaction_base& tx, const std::string& schema, const core::Policy& p)
{
  const bool integer = p.shape == core::Shape::integer;
  const bool list = p.shape == core::Shape::list;
  const std::string interval = list ? "" : integer ? std::to_string(p.width) : p.interval.text();
  const std::string retention = integer && p.keep_last             ? std::to_string(*p.keep_last)
                                : !integer && !list && p.retention ? p.retention->text()
                                                                   : "";
  const std::string start = p.start && !integer && !list ? std::to_string(*p.start) : "";
  const std::string start_value = integer && p.start_value ? std::to_string(*p.start_value) : "";
  const std::string epoch_unit = p.shape == core::Shape::epoch ? core::to_string(p.epoch_unit) : "";
  const std::string values = list && p.values_query.empty() ? text_array(p.values) : "";
  const auto r = tx.exec_params(
      "INSERT INTO " + core::quote_ident(schema) +
          ".policy AS p (parent_schema, parent_table, partition_interval, premake, retention, "
          "retention_action, "
          "retention_schema, timezone, start_at, archive_to, shape, epoch_unit, start_value, list_values, "
          "values_query, list_retention, default_partition, inherit_privileges, template_schema, "
          "template_table, level, partition_key, partition_names, name_format) VALUES ($1, $2, $3, $4, $5, "
          "$6, $7, $8, 'epoch'::timestamptz + $9::bigint * interval '1 microsecond', $10, $11, $12, "
          "$13::bigint, $14::text[], $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) "
          "ON CONFLICT (parent_schema, parent_table, level) DO UPDATE SET partition_interval = "
          "EXCLUDED.partition_interval, "
          "premake = EXCLUDED.premake, retention = EXCLUDED.retention, retention_action = "
          "EXCLUDED.retention_action, retention_schema = EXCLUDED.retention_schema, timezone = "
          "EXCLUDED.timezone, "
          "start_at = EXCLUDED.start_at, archive_to = EXCLUDED.archive_to, shape = EXCLUDED.shape, "
          "epoch_unit = EXCLUDED.epoch_unit, start_value = EXCLUDED.start_value, list_values = "
          "EXCLUDED.list_values, values_query = EXCLUDED.values_query, list_retention = "
          "EXCLUDED.list_retention, default_partition = EXCLUDED.default_partition, inherit_privileges = "
          "EXCLUDED.inherit_privileges, template_schema = EXCLUDED.template_schema, template_table = "
          "EXCLUDED.template_table, partition_key = EXCLUDED.partition_key, partition_names = "
          "EXCLUDED.partition_names, name_format = EXCLUDED.name_format, updated_at = now() "
          "RETURNING (xmax = 0) AS inserted",
      p.schema, p.table, nullable(interval), p.premake, nullable(retention),
      core::to_string(p.retention_action), nullable(p.retention_schema), p.timezone.name(), nullable(start),
      nullable(p.archive_to), core::to_string(p.shape), nullable(epoch_unit), nullable(start_value),
      nullable(values), nullable(p.values_query), core::to_string(p.list_retention), p.default_partition,
      p.inherit_privileges, nullable(p.template_schema), nullable(p.template_table), p.level,
      nullable(p.partition_key), core::to_string(p.partition_names), nullable(p.name_format));
  return r[0][0].as<bool>();
}

namespace {

// Runs `write` in a transaction of its own and commits it; a refused privilege says what the role lacks.
template <typename Write>
bool write_policy(pqxx::connection& conn, const std::string& schema, const Write& write)
{
  try {
    pqxx::work tx(conn);
    const bool done = write(tx);
    tx.commit();
    return done;
  } catch (const pqxx::insufficient_privilege&) {
    require_privileges(conn, schema, Access::write);
    throw;
  }
}

} // namespace

bool save_policy(pqxx::connection& conn, const std::string& schema, const core::Policy& p)
{
  return write_policy(conn, schema, [&](pqxx::work& tx) { return save_policy(tx, schema, p); });
}

bool delete_policy(pqxx::transaction_base& tx, const std::string& schema, const TableName& parent,
                   int from_level)
{
  return tx.exec_params("DELETE FROM " + core::quote_ident(schema) +
                            ".policy WHERE parent_schema = $1 AND parent_table = $2 AND level >= $3",
                        parent.first, parent.second, from_level)
             .affected_rows() > 0;
}

bool delete_policy(pqxx::connection& conn, const std::string& schema, const TableName& parent, int from_level)
{
  return write_policy(conn, schema,
                      [&](pqxx::work& tx) { return delete_policy(tx, schema, parent, from_level); });
}

} // namespace partman::db
