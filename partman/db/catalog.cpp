#include "partman/db/catalog.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// Rows of kind 'p' describe a parent (one per policy), rows of kind 'c' one partition each.
// Bounds are returned as microseconds since the epoch (UTC for timestamptz, wall-clock otherwise) so that
// no text parsing of timestamps happens on the client.
const char* const k_catalog_sql = R"sql(
WITH pol AS (
  SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(sch, tbl, ord)
), par AS (
  SELECT p.ord, n.oid AS nsp, c.oid AS relid, c.relkind, pt.partstrat, pt.partnatts, pt.partdefid,
         a.attname, format_type(a.atttypid, a.atttypmod) AS keytype
  FROM pol p
  LEFT JOIN pg_namespace n ON n.nspname = p.sch
  LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tbl
  LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0] AND pt.partattrs[0] <> 0
), kids AS MATERIALIZED (
  SELECT par.ord, par.keytype, par.partstrat = 'r' AND par.partnatts = 1 AS ranged, ch.oid, ch.relname,
         chn.nspname, ch.relkind, ch.reltuples, ch.oid = par.partdefid AS is_default, i.inhdetachpending,
         pg_get_expr(ch.relpartbound, ch.oid) AS bound
  FROM par
  JOIN pg_inherits i ON i.inhparent = par.relid
  JOIN pg_class ch ON ch.oid = i.inhrelid
  JOIN pg_namespace chn ON chn.oid = ch.relnamespace
), cut AS MATERIALIZED (
  SELECT k.*, strpos(k.bound, ') TO (') AS sep FROM kids k
), vals AS MATERIALIZED (
  -- "FOR VALUES FROM (<lo>) TO (<hi>)": single-column range bounds, without their quotes
  SELECT c.*,
         CASE WHEN c.ranged AND c.sep > 0 THEN btrim(substr(c.bound, 18, c.sep - 18), '''') END AS lo,
         CASE WHEN c.ranged AND c.sep > 0 THEN btrim(substr(c.bound, c.sep + 6, length(c.bound) - c.sep - 6), '''') END AS hi
  FROM cut c
)
SELECT 'p' AS kind, par.ord, par.relid IS NOT NULL AS present, par.relkind = 'p' AS partitioned,
       par.partstrat::text, par.partnatts, par.attname::text, par.keytype,
       NULL::text AS schema, NULL::text AS name, NULL::boolean AS is_default, NULL::boolean AS pending,
       NULL::boolean AS sub, NULL::real AS reltuples, NULL::bigint AS bytes, NULL::text AS bound,
       NULL::bigint AS lower_us, NULL::bigint AS upper_us
FROM par
UNION ALL
SELECT 'c', v.ord, NULL, NULL, NULL, NULL, NULL, NULL,
       v.nspname::text, v.relname::text, v.is_default, v.inhdetachpending, v.relkind = 'p', v.reltuples,
       CASE WHEN $3 THEN pg_total_relation_size(v.oid) END, v.bound,
       CASE WHEN v.lo IS NULL OR v.lo IN ('MINVALUE', 'MAXVALUE', 'infinity', '-infinity') THEN NULL
            WHEN v.keytype = 'timestamp with time zone' THEN (extract(epoch FROM v.lo::timestamptz) * 1000000)::bigint
            WHEN v.keytype = 'timestamp without time zone' THEN (extract(epoch FROM v.lo::timestamp) * 1000000)::bigint
            WHEN v.keytype = 'date' THEN (extract(epoch FROM v.lo::date) * 1000000)::bigint END,
       CASE WHEN v.hi IS NULL OR v.hi IN ('MINVALUE', 'MAXVALUE', 'infinity', '-infinity') THEN NULL
            WHEN v.keytype = 'timestamp with time zone' THEN (extract(epoch FROM v.hi::timestamptz) * 1000000)::bigint
            WHEN v.keytype = 'timestamp without time zone' THEN (extract(epoch FROM v.hi::timestamp) * 1000000)::bigint
            WHEN v.keytype = 'date' THEN (extract(epoch FROM v.hi::date) * 1000000)::bigint END
FROM vals v
UNION ALL
-- kind 'n': relations that are not partitions in the parents' schemas, whose names new children must avoid
SELECT 'n', 0, NULL, NULL, NULL, NULL, NULL, NULL, n.nspname::text, x.relname::text,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM pg_class x JOIN pg_namespace n ON n.oid = x.relnamespace
WHERE NOT x.relispartition AND x.relnamespace IN (SELECT par.nsp FROM par)
ORDER BY 2, 1 DESC
)sql";

// Returns the names in `sorted` that start with `prefix`.
std::vector<std::string> with_prefix(const std::vector<std::string>& sorted, const std::string& prefix)
{
  std::vector<std::string> out;
  for (auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix);
       it != sorted.end() && it->compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back(*it);
  return out;
}

} // namespace

std::vector<core::ParentSnapshot> read_catalog(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                                               const CatalogOptions& options)
{
  std::vector<std::string> schemas, tables;
  for (const auto& p : policies) {
    schemas.push_back(p.schema);
    tables.push_back(p.table);
  }
  std::vector<core::ParentSnapshot> out(policies.size());
  for (std::size_t i = 0; i < policies.size(); ++i) {
    out[i].schema = policies[i].schema;
    out[i].table = policies[i].table;
  }
  if (policies.empty())
    return out;
  const auto rows = tx.exec_params(k_catalog_sql, text_array(schemas), text_array(tables),
                                   options.sizes);
  std::map<std::string, std::vector<std::string>> names; // schema -> relation names that are not partitions
  for (const auto& row : rows) {
    const std::string kind = row["kind"].as<std::string>();
    if (kind == "n") {
      names[row["schema"].as<std::string>()].push_back(row["name"].as<std::string>());
      continue;
    }
    core::ParentSnapshot& ps = out.at(row["ord"].as<std::size_t>() - 1);
    if (kind == "p") {
      ps.exists = row["present"].as<bool>();
      ps.partitioned = !row["partitioned"].is_null() && row["partitioned"].as<bool>();
      ps.strategy = row["partstrat"].is_null() ? 0 : row["partstrat"].as<std::string>().front();
      ps.key_count = row["partnatts"].is_null() ? 0 : row["partnatts"].as<int>();
      ps.key_column = row["attname"].is_null() ? "" : row["attname"].as<std::string>();
      ps.key_type_name = row["keytype"].is_null() ? "" : row["keytype"].as<std::string>();
      ps.key_type = core::key_type_from_sql(ps.key_type_name);
      continue;
    }
    core::Child c;
    c.schema = row["schema"].as<std::string>();
    c.name = row["name"].as<std::string>();
    c.is_default = row["is_default"].as<bool>();
    c.detach_pending = row["pending"].as<bool>();
    c.partitioned = row["sub"].as<bool>();
    c.estimated_rows = row["reltuples"].as<double>();
    c.bytes = row["bytes"].is_null() ? 0 : row["bytes"].as<long long>();
    c.bound_text = row["bound"].as<std::string>();
    if (!row["lower_us"].is_null())
      c.lower = row["lower_us"].as<long long>();
    if (!row["upper_us"].is_null())
      c.upper = row["upper_us"].as<long long>();
    ps.children.push_back(std::move(c));
  }
  for (auto& [schema, list] : names)
    std::sort(list.begin(), list.end());
  for (std::size_t i = 0; i < policies.size(); ++i) {
    if (auto it = names.find(policies[i].schema); it != names.end())
      out[i].taken_names = with_prefix(it->second, core::policy_child_prefix(policies[i]));
  }
  if (options.count_default) {
    for (auto& ps : out) {
      for (auto& c : ps.children) {
        if (c.is_default)
          c.counted_rows =
              tx.exec("SELECT count(*) FROM " + core::quote_qualified(c.schema, c.name))[0][0].as<long long>();
      }
    }
  }
  return out;
}

} // namespace partman::db
