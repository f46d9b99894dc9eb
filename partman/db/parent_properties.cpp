#include "partman/db/parent_properties.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/citus_sql.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// Rows of kind 'p' describe a parent, 'f' a partition that a foreign key references, 't' a unique index of a
// template table; each with its details as JSON, and the index of its parent in `out` ($5).
// An index's definition is what pg_get_indexdef prints after "CREATE [UNIQUE] INDEX name ON [ONLY] s.t "
// (always schema-qualified there), that is "USING btree (a, b) ...".
const char* const k_properties_sql = R"sql(
WITH pol AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS p(sch, tbl, tsch, ttbl, ord)
), par AS (
  SELECT p.ord, p.tsch, p.ttbl, n.nspname,
         CASE WHEN p.ttbl <> '' THEN to_regclass(format('%I.%I', p.tsch, p.ttbl)) END AS tplid, c.oid AS relid, c.relname, c.relowner, c.relacl, c.reltablespace,
         c.relreplident
  FROM pol p
  JOIN pg_namespace n ON n.nspname = p.sch
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tbl
), fk AS MATERIALIZED (
  -- every foreign key, read once (pg_constraint has no index on the referenced table)
  SELECT k.oid, k.confrelid, k.conparentid, format('%I of %s', k.conname, k.conrelid::regclass) AS text
  FROM pg_constraint k WHERE k.contype = 'f'
), idx AS (
  SELECT x.indrelid, x.indexrelid, i.relname, x.indisreplident,
         CASE WHEN starts_with(d.full, d.head) THEN substr(d.full, length(d.head) + 1) END AS def
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace tn ON tn.oid = t.relnamespace
  CROSS JOIN LATERAL (SELECT pg_get_indexdef(x.indexrelid) AS full,
                             format('CREATE UNIQUE INDEX %s ON %s%s.%s ', quote_ident(i.relname),
                                    CASE WHEN i.relkind = 'I' THEN 'ONLY ' ELSE '' END, quote_ident(tn.nspname),
                                    quote_ident(t.relname)) AS head) d
  WHERE x.indisunique AND x.indisvalid
    AND x.indrelid IN (SELECT relid FROM par UNION ALL SELECT tplid FROM par)
)
SELECT 'p' AS kind, par.ord, jsonb_build_object(
  'owner', pg_get_userbyid(par.relowner),
  'session_user', current_user,
  'grants', (SELECT coalesce(jsonb_agg(jsonb_build_array(
                      CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type,
                      a.is_grantable)), '[]')
             FROM aclexplode(par.relacl) a WHERE a.grantee <> par.relowner),
  'tablespace', (SELECT spcname FROM pg_tablespace WHERE oid = par.reltablespace),
  'replica_identity', par.relreplident,
  'replica_index', (SELECT def FROM idx WHERE idx.indrelid = par.relid AND idx.indisreplident),
  'comment', obj_description(par.relid, 'pg_class'),
  'columns', (SELECT coalesce(jsonb_agg(a.attname ORDER BY a.attnum), '[]') FROM pg_attribute a
              WHERE a.attrelid = par.relid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''),
  'template_found', par.tplid IS NOT NULL,
  'referenced_by', (SELECT fk.text FROM fk WHERE fk.confrelid = par.relid ORDER BY fk.oid LIMIT 1))
FROM par
UNION ALL
-- partitions referenced by a foreign key of their own (not one derived from a key that references the parent)
SELECT 'f', par.ord, jsonb_build_object('name', c.relname, 'referenced_by', (array_agg(fk.text ORDER BY fk.oid))[1])
FROM fk
JOIN pg_inherits i ON i.inhrelid = fk.confrelid
JOIN par ON par.relid = i.inhparent
JOIN pg_class c ON c.oid = fk.confrelid
WHERE fk.conparentid = 0
GROUP BY par.ord, c.relname
UNION ALL
-- the template table's unique indexes that the parent does not have (an attach brings those)
SELECT 't', par.ord, jsonb_build_object('name', t.relname, 'definition', t.def)
FROM par
JOIN idx t ON t.indrelid = par.tplid
WHERE t.def IS NOT NULL AND NOT EXISTS (SELECT 1 FROM idx p WHERE p.indrelid = par.relid AND p.def = t.def)
)sql";

std::string text_or_empty(const nlohmann::json& v)
{
  return v.is_string() ? v.get<std::string>() : "";
}

} // namespace

void read_parent_properties(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                            const std::vector<std::size_t>& which, std::vector<core::ParentSnapshot>& out)
{
  if (which.empty())
    return;
  std::vector<std::string> schemas, tables, tschemas, ttables, ords;
  for (const std::size_t i : which) {
    const core::Policy& p = policies.at(i);
    schemas.push_back(p.schema);
    tables.push_back(p.table);
    tschemas.push_back(p.template_schema);
    ttables.push_back(p.template_table);
    ords.push_back(std::to_string(i));
  }
  const auto rows = tx.exec_params(k_properties_sql, text_array(schemas), text_array(tables),
                                   text_array(tschemas), text_array(ttables), text_array(ords));
  for (const auto& row : rows) {
    const std::string kind = row[0].as<std::string>();
    core::ParentSnapshot& ps = out.at(row[1].as<std::size_t>());
    core::ParentProperties& pp = ps.properties;
    const auto j = nlohmann::json::parse(row[2].as<std::string>());
    if (kind == "p") {
      pp.owner = text_or_empty(j["owner"]);
      pp.session_user = text_or_empty(j["session_user"]);
      for (const auto& g : j["grants"])
        pp.grants.push_back({g[0].get<std::string>(), g[1].get<std::string>(), g[2].get<bool>()});
      pp.tablespace = text_or_empty(j["tablespace"]);
      const std::string ri = text_or_empty(j["replica_identity"]);
      pp.replica_identity = ri.empty() ? 'd' : ri[0];
      pp.replica_index = text_or_empty(j["replica_index"]);
      if (j["comment"].is_string())
        pp.comment = j["comment"].get<std::string>();
      pp.columns = j["columns"].get<std::vector<std::string>>();
      pp.template_found = j["template_found"].get<bool>();
      pp.referenced_by = text_or_empty(j["referenced_by"]);
    } else if (kind == "f") {
      for (auto& c : ps.children) {
        if (c.name == j["name"].get<std::string>())
          c.rare.get_or_make().referenced_by = text_or_empty(j["referenced_by"]);
      }
    } else if (kind == "t") {
      pp.template_indexes.push_back({j["name"].get<std::string>(), j["definition"].get<std::string>()});
    }
  }
}

void estimate_moves(pqxx::transaction_base& tx, const std::string& schema, core::Plan& plan)
{
  std::vector<std::string> tables, conditions, citus;
  bool any_citus = false;
  for (const auto& p : plan.parents) {
    for (const auto& a : p.actions) {
      if (!a.move)
        continue;
      tables.push_back(core::quote_qualified(a.move->schema, a.move->name));
      conditions.push_back(a.move->condition);
      citus.push_back(a.move->key_ranges ? "t" : "f"); // a Citus table: its coordinator's table is empty
      any_citus = any_citus || a.move->key_ranges;
    }
  }
  if (tables.empty())
    return;
  const std::string plain = core::quote_ident(schema) + ".estimate_rows(u.t::regclass, u.c)";
  const auto rows = tx.exec_params(
      "SELECT " +
          (any_citus ? "CASE WHEN u.d THEN " + citus_estimate_sql("u.t::regclass", "u.c") + " ELSE " + plain +
                           " END"
                     : plain) +
          " FROM unnest($1::text[], $2::text[], $3::bool[]) WITH ORDINALITY AS u(t, c, d, n) ORDER BY u.n",
      text_array(tables), text_array(conditions), text_array(citus));
  std::vector<long long> estimates;
  for (const auto& row : rows)
    estimates.push_back(row[0].is_null() ? -1 : row[0].as<long long>());
  core::set_move_estimates(plan, estimates);
}

} // namespace partman::db
