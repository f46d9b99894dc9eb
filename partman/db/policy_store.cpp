#include "partman/db/policy_store.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

core::Policy policy_from_row(const pqxx::row& row)
{
  core::Policy p;
  p.schema = row["parent_schema"].as<std::string>();
  p.table = row["parent_table"].as<std::string>();
  const std::string where = " in the policy of " + core::quote_qualified(p.schema, p.table);
  auto iv = core::parse_partition_interval(row["partition_interval"].as<std::string>());
  if (!iv)
    throw UsageError(iv.error() + where);
  p.interval = *iv;
  p.premake = row["premake"].as<int>();
  if (!row["retention"].is_null()) {
    auto r = core::parse_period(row["retention"].as<std::string>());
    if (!r)
      throw UsageError(r.error() + where);
    p.retention = *r;
  }
  auto action = core::parse_retention_action(row["retention_action"].as<std::string>());
  if (!action)
    throw UsageError(action.error() + where);
  p.retention_action = *action;
  p.archive_to = row["archive_to"].is_null() ? "" : row["archive_to"].as<std::string>();
  p.retention_schema = row["retention_schema"].is_null() ? "" : row["retention_schema"].as<std::string>();
  p.timezone = row["timezone"].as<std::string>();
  if (!row["start_micros"].is_null())
    p.start = row["start_micros"].as<long long>();
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
  pqxx::read_transaction tx(conn);
  const auto r = tx.exec("SELECT parent_schema, parent_table, partition_interval, premake, retention, "
                         "retention_action, retention_schema, archive_to, timezone, "
                         "(extract(epoch from start_at) * 1000000)::bigint AS start_micros FROM " +
                         core::quote_ident(schema) + ".policy ORDER BY parent_schema, parent_table");
  std::vector<core::Policy> all;
  for (const auto& row : r)
    all.push_back(policy_from_row(row));
  if (only.empty())
    return all;
  std::vector<core::Policy> out;
  for (const auto& name : only) {
    auto it = std::find_if(all.begin(), all.end(), [&](const core::Policy& p) {
      return p.schema == name.first && p.table == name.second;
    });
    if (it == all.end())
      throw UsageError(core::quote_qualified(name.first, name.second) +
                       " is not managed by partman; HINT: register it with 'partman manage'");
    if (std::none_of(out.begin(), out.end(), [&](const core::Policy& p) { return &p == &*it; }))
      out.push_back(*it);
  }
  return out;
}

bool save_policy(pqxx::transaction_base& tx, const std::string& schema, const core::Policy& p)
{
  const std::string retention = p.retention ? p.retention->text() : "";
  const std::string start = p.start ? std::to_string(*p.start) : "";
  const auto r = tx.exec_params(
      "INSERT INTO " + core::quote_ident(schema) +
          ".policy AS p (parent_schema, parent_table, partition_interval, premake, retention, "
          "retention_action, "
          "retention_schema, timezone, start_at, archive_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "'epoch'::timestamptz + $9::bigint * interval '1 microsecond', $10) "
          "ON CONFLICT (parent_schema, parent_table) DO UPDATE SET partition_interval = "
          "EXCLUDED.partition_interval, "
          "premake = EXCLUDED.premake, retention = EXCLUDED.retention, retention_action = "
          "EXCLUDED.retention_action, retention_schema = EXCLUDED.retention_schema, timezone = "
          "EXCLUDED.timezone, "
          "start_at = EXCLUDED.start_at, archive_to = EXCLUDED.archive_to, updated_at = now() RETURNING (xmax = 0) AS inserted",
      p.schema, p.table, p.interval.text(), p.premake, nullable(retention),
      core::to_string(p.retention_action), nullable(p.retention_schema), p.timezone, nullable(start),
      nullable(p.archive_to));
  return r[0][0].as<bool>();
}

bool save_policy(pqxx::connection& conn, const std::string& schema, const core::Policy& p)
{
  pqxx::work tx(conn);
  const bool inserted = save_policy(tx, schema, p);
  tx.commit();
  return inserted;
}

bool delete_policy(pqxx::connection& conn, const std::string& schema, const TableName& parent)
{
  pqxx::work tx(conn);
  const auto r = tx.exec_params("DELETE FROM " + core::quote_ident(schema) +
                                    ".policy WHERE parent_schema = $1 AND parent_table = $2",
                                parent.first, parent.second);
  tx.commit();
  return r.affected_rows() > 0;
}

} // namespace partman::db
