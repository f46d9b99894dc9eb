#include "partman/db/pg_partman_config.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"

namespace partman::db {

namespace {

// The columns of part_config that import reads besides parent_table, control and partition_interval (and of
// part_config_sub, there with the prefix sub_); each is read only where the installed version has it.
const char* const k_optional_columns[] = {"partition_type",
                                          "premake",
                                          "retention",
                                          "retention_schema",
                                          "retention_keep_table",
                                          "retention_keep_index",
                                          "epoch",
                                          "template_table",
                                          "infinite_time_partitions",
                                          "datetime_string",
                                          "automatic_maintenance",
                                          "constraint_cols",
                                          "optimize_constraint",
                                          "inherit_privileges",
                                          "publications",
                                          "undo_in_progress",
                                          "date_trunc_interval",
                                          "drop_cascade_fk",
                                          "subscription_refresh",
                                          "maintenance_order"};

// partition_interval as an interval's text: part_config_sub keeps the words create_sub_parent was given.
const char* const k_interval_words =
    "CASE c.partition_interval WHEN 'yearly' THEN '1 year' WHEN 'quarterly' THEN '3 months' WHEN 'monthly' "
    "THEN '1 month' WHEN 'weekly' THEN '1 week' WHEN 'daily' THEN '1 day' WHEN 'hourly' THEN '1 hour' WHEN "
    "'half-hour' THEN '30 minutes' WHEN 'quarter-hour' THEN '15 minutes' ELSE c.partition_interval END";

std::vector<std::string> table_columns(pqxx::transaction_base& tx, const std::string& schema,
                                       const std::string& table)
{
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params("SELECT column_name::text FROM information_schema.columns WHERE "
                                        "table_schema = $1 AND table_name = $2",
                                        schema, table))
    out.push_back(row[0].as<std::string>());
  return out;
}

bool has(const std::vector<std::string>& items, const std::string& item)
{
  return std::find(items.begin(), items.end(), item) != items.end();
}

// Returns the SQL that splits the interval expression `iv` into months, days and microseconds, as
// columns named `prefix`_months, _days, _micros.
std::string split_interval(const std::string& iv, const std::string& prefix)
{
  return "(extract(year from " + iv + ") * 12 + extract(month from " + iv + "))::bigint AS " + prefix +
         "_months, extract(day from " + iv + ")::bigint AS " + prefix + "_days, (extract(hour from " + iv +
         ") * 3600000000 + extract(minute from " + iv + ") * 60000000 + extract(microseconds from " + iv +
         "))::bigint AS " + prefix + "_micros";
}

std::optional<core::PgInterval> interval_of(const pqxx::row& row, const std::string& prefix)
{
  if (row[prefix + "_months"].is_null())
    return std::nullopt;
  return core::PgInterval{row[prefix + "_months"].as<std::int64_t>(),
                          row[prefix + "_days"].as<std::int64_t>(),
                          row[prefix + "_micros"].as<std::int64_t>()};
}

// Returns the name in pg_partman's part_config_sub (`sub`) or part_config of part_config's column `column`.
std::string column_name(const std::string& column, bool sub)
{
  return !sub ? column : column == "parent_table" ? std::string("sub_parent") : "sub_" + column;
}

// Reads the rows of part_config, or of part_config_sub (`sub`) as if they were part_config's (the sub_
// columns without their prefix, sub_parent as parent_table, the control column's type looked up on that
// parent), with what the catalog says of each parent; only the columns that exist are read.
std::vector<core::PgPartmanParent> read_rows(pqxx::transaction_base& tx, const PgPartmanSource& source,
                                             bool sub)
{
  const std::string table = sub ? "part_config_sub" : "part_config";
  const auto columns = table_columns(tx, source.schema, table);
  const std::string schema = core::quote_ident(source.schema);
  std::vector<std::string> read;
  for (const char* c : {"parent_table", "control", "partition_interval"}) {
    if (has(columns, column_name(c, sub)))
      read.emplace_back(c);
  }
  if (read.size() < 3)
    return {}; // no part_config_sub (part_config's columns were checked by find_pg_partman)
  for (const char* c : k_optional_columns) {
    if (has(columns, column_name(c, sub)))
      read.emplace_back(c);
  }
  std::string renamed, select;
  for (const auto& c : read) {
    renamed += (renamed.empty() ? "" : ", ") + core::quote_ident(column_name(c, sub)) + " AS " +
               core::quote_ident(c);
    select += "c." + core::quote_ident(c) + "::text AS " + core::quote_ident(c) + ", ";
  }
  // Intervals and retentions are times for time keys and epoch keys, numbers for integer ranges.
  const std::string time_key = "(a.atttypid IN ('timestamptz'::regtype::oid, 'timestamp'::regtype::oid, "
                               "'date'::regtype::oid)" +
                               std::string(has(read, "epoch") ? " OR c.epoch <> 'none')" : ")");
  const std::string retention =
      has(read, "retention")
          ? "CASE WHEN " + time_key + " AND c.retention IS NOT NULL THEN c.retention::interval END"
          : std::string("NULL::interval");
  // The configured parent whose partition this parent is (a sub-partition set).
  const std::string sub_partition_of =
      sub ? std::string("NULL::text")
          : "(SELECT pc.parent_table FROM pg_inherits i JOIN pg_class pr ON pr.oid = i.inhparent JOIN "
            "pg_namespace pn ON pn.oid = pr.relnamespace JOIN " +
                schema +
                ".part_config pc ON pc.parent_table = pn.nspname || '.' || pr.relname WHERE i.inhrelid = "
                "r.oid LIMIT 1)";
  // The plain table that template_table names, written as parent_table is.
  const std::string template_table =
      has(read, "template_table")
          ? "LEFT JOIN LATERAL (SELECT tn.nspname AS tpl_schema, tr.relname AS tpl_table FROM pg_class tr "
            "JOIN pg_namespace tn ON tn.oid = tr.relnamespace WHERE tr.relkind = 'r' AND tn.nspname = "
            "split_part(c.template_table, '.', 1) AND tr.relname = substr(c.template_table, "
            "strpos(c.template_table, '.') + 1)) t ON true "
          : "CROSS JOIN (SELECT NULL::name AS tpl_schema, NULL::name AS tpl_table) t ";
  const std::string sql =
      "SELECT " + select + "n.nspname, r.relname, format_type(a.atttypid, a.atttypmod) AS control_type, " +
      split_interval("x.iv", "iv") + ", " + split_interval("x.rv", "rv") + ", " + sub_partition_of +
      " AS sub_partition_of, t.tpl_schema, t.tpl_table FROM (SELECT " + renamed + " FROM " + schema + "." +
      table +
      ") c "
      // pg_partman writes a parent as schema.table without quotes, and finds it the same way.
      "LEFT JOIN pg_namespace n ON n.nspname = split_part(c.parent_table, '.', 1) "
      "LEFT JOIN pg_class r ON r.relnamespace = n.oid AND r.relname = substr(c.parent_table, "
      "strpos(c.parent_table, '.') + 1) "
      "LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attname = c.control AND a.attnum > 0 AND NOT "
      "a.attisdropped " +
      template_table + "CROSS JOIN LATERAL (SELECT CASE WHEN " + time_key + " THEN " + k_interval_words +
      "::interval END AS iv, " + retention + " AS rv) x ORDER BY c.parent_table";
  pqxx::result rows;
  try {
    rows = tx.exec(sql);
  } catch (const pqxx::data_exception& e) {
    throw UsageError("pg_partman's " + table + " holds a " + column_name("partition_interval", sub) + " or " +
                     column_name("retention", sub) + " that is not an interval: " + e.what() +
                     "HINT: correct it in " + schema + "." + table + " (pg_partman cannot use it either)");
  }
  std::vector<core::PgPartmanParent> out;
  for (const auto& row : rows) {
    core::PgPartmanParent p;
    p.parent_table = row["parent_table"].as<std::string>();
    if (!row["relname"].is_null()) {
      p.schema = row["nspname"].as<std::string>();
      p.table = row["relname"].as<std::string>();
    }
    p.control_type = row["control_type"].is_null() ? "" : row["control_type"].as<std::string>();
    for (const auto& c : read) {
      if (!row[c].is_null())
        p.values[c] = row[c].as<std::string>();
    }
    p.interval = interval_of(row, "iv");
    p.retention = interval_of(row, "rv");
    p.sub_partition_of = row["sub_partition_of"].is_null() ? "" : row["sub_partition_of"].as<std::string>();
    if (!row["tpl_table"].is_null()) {
      p.template_schema = row["tpl_schema"].as<std::string>();
      p.template_table = row["tpl_table"].as<std::string>();
    }
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace

PgPartmanSource find_pg_partman(pqxx::transaction_base& tx, const std::string& from_schema)
{
  const auto ext = tx.exec("SELECT n.nspname, e.extversion FROM pg_extension e JOIN "
                           "pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'");
  const std::string ext_schema = ext.empty() ? "" : ext[0][0].as<std::string>();
  PgPartmanSource source{from_schema.empty() ? ext_schema : from_schema, ""};
  if (source.schema.empty())
    throw UsageError("pg_partman is not installed in database '" +
                     tx.exec("SELECT current_database()")[0][0].as<std::string>() +
                     "' (no pg_partman extension); HINT: connect to the database where pg_partman runs "
                     "(-d), or pass --from-schema with the schema that holds its part_config table");
  if (source.schema == ext_schema)
    source.version = ext[0][1].as<std::string>();
  const auto columns = table_columns(tx, source.schema, "part_config");
  if (columns.empty())
    throw UsageError("schema '" + source.schema + "' has no table part_config" +
                     (ext_schema.empty() ? std::string(" and pg_partman is not installed")
                                         : "; pg_partman is installed in schema '" + ext_schema + "'") +
                     "; HINT: pass --from-schema with the schema that holds pg_partman's part_config");
  for (const char* required : {"parent_table", "control", "partition_interval"}) {
    if (!has(columns, required))
      throw UsageError(core::quote_ident(source.schema) +
                       ".part_config is not pg_partman's configuration table: it has no column " + required +
                       "; HINT: pass --from-schema with the schema that holds pg_partman's part_config");
  }
  return source;
}

std::vector<core::PgPartmanParent> read_pg_partman_config(pqxx::transaction_base& tx,
                                                          const PgPartmanSource& source)
{
  auto out = read_rows(tx, source, false);
  for (auto& sub : read_rows(tx, source, true)) {
    const auto it = std::find_if(out.begin(), out.end(), [&](const core::PgPartmanParent& p) {
      return p.parent_table == sub.parent_table;
    });
    if (it != out.end())
      it->sub = std::make_shared<const core::PgPartmanParent>(std::move(sub));
  }
  return out;
}

std::string database_timezone(pqxx::transaction_base& tx)
{
  return tx.exec("SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'")[0][0].as<std::string>();
}

} // namespace partman::db
