#include "partman/db/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/subpartitions.hpp"
#include "partman/db/bound_node.hpp"
#include "partman/db/citus_sql.hpp"
#include "partman/db/history_reader.hpp"
#include "partman/db/list_values.hpp"
#include "partman/db/parent_properties.hpp"
#include "partman/db/session.hpp"
#include "partman/db/taken_names.hpp"

namespace partman::db {

namespace {

// Rows of kind 'p' describe a parent (one per policy), rows of kind 'c' one partition each.
// Bounds of time keys are read on the client from relpartbound's node tree (cheap: pg_get_expr costs a
// catalog lookup per partition); one partition per run (all with $3) is also deparsed by the server, to
// check the client's reading. Other keys are deparsed, and returned as microseconds since the epoch
// (UTC for timestamptz, wall-clock otherwise) or as the integer itself; LIST bounds are read on the client
// from their deparsed text. @bytes@ stands for the partition's size (k_sizes_sql) or NULL, @rows@ for its row
// estimate: each expression the query holds costs planning in the fresh server process of every run. Where
// the citus extension is installed, @dist@ reads how Citus distributes each parent from its catalog (the
// table pg_dist_partition exists only there), and the sizes and row estimates of distributed partitions
// are their shards' (citus_sql.hpp); elsewhere @ext@ says whether it is installed.
const char* const k_catalog_sql = R"sql(
WITH pol AS (
  SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(sch, tbl, ord)
), par AS (
  SELECT p.ord, c.oid AS relid, c.relkind, pt.partstrat, pt.partnatts, pt.partdefid,
         a.attname, format_type(a.atttypid, a.atttypmod) AS keytype,
         pt.partstrat = 'r' AND pt.partnatts = 1 AS ranged, @dist@
  FROM pol p
  LEFT JOIN pg_namespace n ON n.nspname = p.sch
  LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tbl
  LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0] AND pt.partattrs[0] <> 0
), fast AS (
  -- fast: the bounds of the parent's partitions other than its default are read from their node trees
  SELECT par.*, par.ranged AND par.keytype IN ('timestamp with time zone', 'timestamp without time zone',
                                               'date', 'smallint', 'integer', 'bigint') AS fast
  FROM par
), chk AS MATERIALIZED (
  -- the one such partition the server deparses too: the first of the first parent that has one (OFFSET 0:
  -- one index probe per parent until then, not a scan of all of pg_inherits)
  SELECT min(i.inhrelid) AS oid
  FROM (SELECT f.relid, f.partdefid FROM fast f
        WHERE f.fast AND EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = f.relid AND i.inhrelid <> f.partdefid
                                 OFFSET 0)
        ORDER BY f.ord LIMIT 1) f
  JOIN pg_inherits i ON i.inhparent = f.relid AND i.inhrelid <> f.partdefid
)
SELECT 'p' AS kind, par.ord, par.relid IS NOT NULL AS present, par.relkind = 'p' AS partitioned,
       par.partstrat::text, par.partnatts, par.attname::text, par.keytype,
       NULL::text AS schema, NULL::text AS name, NULL::boolean AS is_default, NULL::boolean AS pending,
       NULL::boolean AS sub, NULL::real AS reltuples, NULL::bigint AS bytes, NULL::text AS bound,
       NULL::bigint AS lower_us, NULL::bigint AS upper_us, NULL::text AS node, NULL::boolean AS fast,
       par.citus, par.distcol, @ext@ AS ext
FROM par
UNION ALL
-- kind 'c': the partitions, in one pass (nothing held or sorted)
SELECT 'c', f.ord, NULL, NULL, NULL, NULL, NULL, NULL,
       chn.nspname::text, ch.relname::text, ch.is_default, i.inhdetachpending, ch.relkind = 'p',
       -- (what the leaves of a sub-partitioned partition hold is read afterwards, for the few there are)
       @rows@, @bytes@, v.bound,
       CASE WHEN v.lo IS NULL OR v.lo IN ('MINVALUE', 'MAXVALUE', 'infinity', '-infinity') THEN NULL
            WHEN f.keytype = 'timestamp with time zone' THEN (extract(epoch FROM v.lo::timestamptz) * 1000000)::bigint
            WHEN f.keytype = 'timestamp without time zone' THEN (extract(epoch FROM v.lo::timestamp) * 1000000)::bigint
            WHEN f.keytype = 'date' THEN (extract(epoch FROM v.lo::date) * 1000000)::bigint
            WHEN f.keytype IN ('smallint', 'integer', 'bigint') THEN v.lo::bigint END,
       CASE WHEN v.hi IS NULL OR v.hi IN ('MINVALUE', 'MAXVALUE', 'infinity', '-infinity') THEN NULL
            WHEN f.keytype = 'timestamp with time zone' THEN (extract(epoch FROM v.hi::timestamptz) * 1000000)::bigint
            WHEN f.keytype = 'timestamp without time zone' THEN (extract(epoch FROM v.hi::timestamp) * 1000000)::bigint
            WHEN f.keytype = 'date' THEN (extract(epoch FROM v.hi::date) * 1000000)::bigint
            WHEN f.keytype IN ('smallint', 'integer', 'bigint') THEN v.hi::bigint END,
       CASE WHEN ch.fast THEN ch.node::text END, ch.fast, NULL, NULL, NULL
FROM fast f
CROSS JOIN chk
JOIN pg_inherits i ON i.inhparent = f.relid
-- one index probe per partition (OFFSET 0 keeps the planner from hashing all of pg_class instead), which
-- also deparses the bounds the node tree does not give (and those of the one partition checked)
CROSS JOIN LATERAL (SELECT c.oid, c.relname, c.relnamespace, c.relkind, c.reltuples, c.relpartbound AS node,
                           c.oid = f.partdefid AS is_default, f.fast AND c.oid <> f.partdefid AS fast,
                           CASE WHEN $3 OR (NOT f.fast AND c.oid <> f.partdefid) OR c.oid = chk.oid
                                THEN pg_get_expr(c.relpartbound, c.oid) END AS bound
                    FROM pg_class c WHERE c.oid = i.inhrelid OFFSET 0) ch
JOIN pg_namespace chn ON chn.oid = ch.relnamespace
-- of a single-column range, "FOR VALUES FROM (<lo>) TO (<hi>)" gives lo and hi without their quotes
CROSS JOIN LATERAL (SELECT strpos(ch.bound, ') TO (') AS sep) d
CROSS JOIN LATERAL (
  SELECT ch.bound,
         CASE WHEN f.ranged AND d.sep > 0 THEN btrim(substr(ch.bound, 18, d.sep - 18), '''') END AS lo,
         CASE WHEN f.ranged AND d.sep > 0 THEN btrim(substr(ch.bound, d.sep + 6, length(ch.bound) - d.sep - 6), '''') END AS hi) v
)sql";

// A partition's size with its indexes and TOAST; of a sub-partitioned one, its whole tree's.
const char* const k_sizes_sql =
    "CASE WHEN ch.relkind = 'p' THEN (SELECT sum(pg_total_relation_size(t.relid))::bigint "
    "FROM pg_partition_tree(ch.oid) t) ELSE pg_total_relation_size(ch.oid) END";

// The rows the leaves of each sub-partitioned partition ($1, qualified names) hold, by estimate (-1: none
// analysed, or the partition is gone since the catalog query).
const char* const k_leaf_rows_sql = R"sql(
SELECT u.ord, (SELECT coalesce(sum(greatest(c.reltuples, 0)), -1)::real
               FROM pg_partition_tree(to_regclass(u.rel)) t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf)
FROM unnest($1::text[]) WITH ORDINALITY AS u(rel, ord)
)sql";

// Returns the catalog query, with or without the partitions' sizes, for a server with or without Citus.
const std::string& catalog_sql(bool sizes, bool citus)
{
  static const auto make = [](bool with_sizes, bool with_citus) {
    std::string sql = k_catalog_sql;
    const auto set = [&sql](const std::string& marker, const std::string& text) {
      sql.replace(sql.find(marker), marker.size(), text);
    };
    const std::string plain_bytes = with_sizes ? k_sizes_sql : "NULL::bigint";
    const bool shards = with_citus && with_sizes; // what only status shows, from the workers
    set("@dist@", with_citus ? citus_distribution_sql("c.oid") : "false AS citus, NULL::text AS distcol");
    set("@ext@", with_citus ? "true" : "EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')");
    set("@rows@", shards ? "CASE WHEN f.distcol IS NULL THEN ch.reltuples ELSE " +
                               citus_rows_sql("ch.oid", false) + " END"
                         : std::string("ch.reltuples"));
    set("@bytes@", shards ? "CASE WHEN f.distcol IS NULL THEN " + plain_bytes + " ELSE " +
                                citus_size_sql("ch.oid") + " END"
                          : plain_bytes);
    return sql;
  };
  static const std::string variants[4] = {make(false, false), make(true, false), make(false, true),
                                          make(true, true)};
  return variants[(sizes ? 1 : 0) + (citus ? 2 : 0)];
}

// The columns of k_catalog_sql, by position (looking a column up by name costs more than the rest).
enum Column : int
{
  c_kind,
  c_ord,
  c_present,
  c_partitioned,
  c_partstrat,
  c_partnatts,
  c_attname,
  c_keytype,
  c_schema,
  c_name,
  c_is_default,
  c_pending,
  c_sub,
  c_reltuples,
  c_bytes,
  c_bound,
  c_lower_us,
  c_upper_us,
  c_node,
  c_fast,
  c_citus,   // 'p' rows: the parent is a Citus table
  c_distcol, // 'p' rows: its distribution column
  c_ext,     // 'p' rows: the citus extension is installed
};

// Returns a real as the server prints it (libpqxx converts through a string stream, which costs more than
// the rest of a partition's row).
float real_value(const pqxx::field& field)
{
  float value = 0;
  std::from_chars(field.c_str(), field.c_str() + field.size(), value);
  return value;
}

// Sets the row estimate of each sub-partitioned child (indices into `out`) to what its leaves hold.
void read_leaf_rows(pqxx::transaction_base& tx, const std::vector<std::pair<std::size_t, std::size_t>>& which,
                    std::vector<core::ParentSnapshot>& out)
{
  if (which.empty())
    return;
  std::vector<std::string> names;
  for (const auto& [p, c] : which)
    names.push_back(core::quote_qualified(out[p].children[c].schema, out[p].children[c].name));
  for (const auto& row : tx.exec_params(k_leaf_rows_sql, text_array(names))) {
    const auto& [p, c] = which.at(row[0].as<std::size_t>() - 1);
    out[p].children[c].estimated_rows = real_value(row[1]);
  }
}

// Fills `out` from the catalog query (with Citus's catalog when `citus`), and `installed` with whether the
// citus extension is installed; returns false when a node tree did not read as the server's own deparsing
// says (then nothing in `out` is to be trusted).
bool read_rows(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
               const CatalogOptions& options, bool citus, bool deparse_all, bool& installed,
               std::vector<core::ParentSnapshot>& out)
{
  std::vector<std::string> schemas, tables;
  for (const auto& p : policies) {
    schemas.push_back(p.schema);
    tables.push_back(p.table);
  }
  out.assign(policies.size(), {});
  for (std::size_t i = 0; i < policies.size(); ++i) {
    out[i].schema = policies[i].schema;
    out[i].table = policies[i].table;
  }
  if (policies.empty())
    return true;
  const auto rows =
      tx.exec_params(catalog_sql(options.sizes, citus), text_array(schemas), text_array(tables), deparse_all);
  std::vector<std::pair<std::size_t, std::size_t>> sub_partitioned; // (parent, child) of partitioned children
  for (const auto& row : rows) {
    const std::string kind = row[c_kind].as<std::string>();
    core::ParentSnapshot& ps = out.at(row[c_ord].as<std::size_t>() - 1);
    if (kind == "p") {
      ps.exists = row[c_present].as<bool>();
      ps.partitioned = !row[c_partitioned].is_null() && row[c_partitioned].as<bool>();
      ps.strategy = row[c_partstrat].is_null()
                        ? core::Strategy::none
                        : core::parse_strategy(row[c_partstrat].as<std::string>().front());
      ps.key_count = row[c_partnatts].is_null() ? 0 : row[c_partnatts].as<int>();
      ps.key_column = row[c_attname].is_null() ? "" : row[c_attname].as<std::string>();
      ps.key_type_name = row[c_keytype].is_null() ? "" : row[c_keytype].as<std::string>();
      ps.key_type = core::key_type_from_sql(ps.key_type_name);
      ps.distribution.citus = !row[c_citus].is_null() && row[c_citus].as<bool>();
      ps.distribution.column = row[c_distcol].is_null() ? "" : row[c_distcol].as<std::string>();
      installed = row[c_ext].as<bool>();
      continue;
    }
    core::Child c;
    c.schema = row[c_schema].as<std::string>();
    c.name = row[c_name].as<std::string>();
    c.is_default = row[c_is_default].as<bool>();
    c.detach_pending = row[c_pending].as<bool>();
    c.partitioned = row[c_sub].as<bool>();
    c.estimated_rows = real_value(row[c_reltuples]);
    c.bytes = row[c_bytes].is_null() ? 0 : row[c_bytes].as<long long>();
    const bool deparsed = !row[c_bound].is_null();
    const std::string bound = deparsed ? row[c_bound].as<std::string>() : "";
    if (bound.rfind("FOR VALUES IN (", 0) == 0) {
      std::vector<std::string> values;
      if (!parse_list_bound(bound, values, c.null_value))
        throw std::runtime_error("cannot read the values of partition " +
                                 core::quote_qualified(c.schema, c.name) + " from its bound: " + bound);
      if (!values.empty())
        c.rare.get_or_make().values = std::move(values);
    }
    if (deparsed) {
      if (!row[c_lower_us].is_null())
        c.lower = row[c_lower_us].as<long long>();
      if (!row[c_upper_us].is_null())
        c.upper = row[c_upper_us].as<long long>();
    }
    if (row[c_fast].as<bool>()) {
      std::optional<core::Micros> lower, upper;
      const pqxx::field node = row[c_node];
      if (!parse_bound_node(std::string_view(node.c_str(), node.size()), lower, upper) ||
          (deparsed && (lower != c.lower || upper != c.upper)))
        return false; // the node tree did not read as expected
      c.lower = lower;
      c.upper = upper;
    }
    if (c.partitioned)
      sub_partitioned.emplace_back(static_cast<std::size_t>(&ps - out.data()), ps.children.size());
    ps.children.push_back(std::move(c));
  }
  read_leaf_rows(tx, sub_partitioned, out);
  return true;
}

// Reads the largest key value of every integer policy's parent, all in one query: partman's max_key() reads
// each parent's partitions from the highest bound down (with max(), which an index answers) and stops at
// the first that holds a row, so the whole parent is never scanned.
void read_key_max(pqxx::transaction_base& tx, const std::string& schema,
                  const std::vector<core::Policy>& policies, std::vector<core::ParentSnapshot>& out)
{
  std::vector<std::string> ords, parts, columns;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const core::ParentSnapshot& ps = out[i];
    if (policies[i].shape != core::Shape::integer || !ps.exists || ps.strategy != core::Strategy::range ||
        ps.key_column.empty() || !core::is_integer_key(ps.key_type))
      continue;
    std::vector<const core::Child*> newest_first;
    for (const auto& c : ps.children) {
      if (!c.is_default && !c.detach_pending)
        newest_first.push_back(&c);
    }
    std::sort(newest_first.begin(), newest_first.end(), [](const core::Child* a, const core::Child* b) {
      if (a->upper != b->upper)
        return !a->upper || (b->upper && *a->upper > *b->upper); // MAXVALUE first
      return a->lower > b->lower;
    });
    for (const core::Child* c : newest_first) {
      ords.push_back(std::to_string(i));
      parts.push_back(core::quote_qualified(c->schema, c->name));
      columns.push_back(ps.key_column);
    }
  }
  if (ords.empty())
    return;
  if (schema.empty())
    throw std::logic_error("integer policies need CatalogOptions::partman_schema");
  const auto rows = tx.exec_params("SELECT p.ord, " + core::quote_ident(schema) +
                                       ".max_key(p.parts, p.col) FROM (SELECT u.ord, min(u.col)::name AS "
                                       "col, array_agg(to_regclass(u.part) "
                                       "ORDER BY u.pos) AS parts FROM unnest($1::int[], $2::text[], "
                                       "$3::text[]) WITH ORDINALITY AS u(ord, part, "
                                       "col, pos) GROUP BY u.ord) p",
                                   text_array(ords), text_array(parts), text_array(columns));
  for (const auto& row : rows) {
    if (!row[1].is_null())
      out.at(row[0].as<std::size_t>()).key_max = row[1].as<long long>();
  }
}

// Reads the parents of `policies` and their partitions (the catalog query).
std::vector<core::ParentSnapshot> read_parents(pqxx::transaction_base& tx,
                                               const std::vector<core::Policy>& policies,
                                               const CatalogOptions& options)
{
  std::vector<core::ParentSnapshot> out;
  bool citus = options.citus.value_or(false);
  bool installed = false;
  bool read = read_rows(tx, policies, options, citus, false, installed, out);
  if (read && installed && !citus && !options.citus) {
    citus = true; // the query for servers without Citus found the extension: read Citus's catalog too
    read = read_rows(tx, policies, options, citus, false, installed, out);
  }
  if (!read) {
    spdlog::warn(
        "partition bounds did not read from the catalog's node trees as expected; asking the server");
    read_rows(tx, policies, options, citus, true, installed, out);
  }
  return out;
}

// Reads, for each parent whose policy has a level-2 policy, the type of that policy's partition key in
// the parent (the column its new partitions are partitioned on), in one query.
void read_sub_keys(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                   std::vector<core::ParentSnapshot>& out)
{
  std::vector<std::string> ords, tables, columns;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    if (policies[i].sub && out[i].exists) {
      ords.push_back(std::to_string(i));
      tables.push_back(policies[i].parent_sql());
      columns.push_back(policies[i].sub->partition_key);
    }
  }
  if (ords.empty())
    return;
  const auto rows = tx.exec_params(
      "SELECT u.ord, format_type(a.atttypid, a.atttypmod) FROM unnest($1::int[], $2::text[], $3::text[]) "
      "AS u(ord, tbl, col) JOIN pg_attribute a ON a.attrelid = to_regclass(u.tbl) AND a.attname = u.col "
      "AND a.attnum > 0 AND NOT a.attisdropped",
      text_array(ords), text_array(tables), text_array(columns));
  for (const auto& row : rows) {
    core::ParentSnapshot& ps = out.at(row[0].as<std::size_t>());
    ps.sub_key_type_name = row[1].as<std::string>();
    ps.sub_key_type = core::key_type_from_sql(ps.sub_key_type_name);
  }
}

// Reads what every parent needs besides its partitions.
void read_details(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                  const CatalogOptions& options, std::vector<core::ParentSnapshot>& out)
{
  if (!options.history_schema.empty())
    read_unfinished(tx, options.history_schema, out);
  read_key_max(tx, options.partman_schema, policies, out);
  read_sub_keys(tx, policies, out);
  read_queried_values(tx, policies, out);
  std::vector<std::size_t> all(policies.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  if (options.taken_names)
    read_taken_names(tx, policies, all, out);
  if (options.properties)
    read_parent_properties(tx, policies, all, out);
  if (options.count_default) {
    for (auto& ps : out) {
      for (auto& c : ps.children) {
        if (c.is_default)
          c.rare.get_or_make().counted_rows =
              tx.exec("SELECT count(*) FROM " + core::quote_qualified(c.schema, c.name))[0][0]
                  .as<long long>();
      }
    }
  }
}

} // namespace

std::vector<core::ParentSnapshot> read_catalog(pqxx::transaction_base& tx,
                                               const std::vector<core::Policy>& policies,
                                               const CatalogOptions& options)
{
  auto out = read_parents(tx, policies, options);
  read_details(tx, policies, options, out);
  return out;
}

std::vector<core::ParentSnapshot> read_catalog_tree(pqxx::transaction_base& tx,
                                                    std::vector<core::Policy>& policies,
                                                    const CatalogOptions& options)
{
  auto out = read_parents(tx, policies, options);
  const auto subs = core::sub_parents(out, policies);
  if (!subs.empty()) {
    std::vector<core::Policy> sub_policies;
    for (const auto& s : subs)
      sub_policies.push_back(s.policy);
    auto inner = read_parents(tx, sub_policies, options); // one more catalog query for all of them
    // Each parent, then its partitions planned under its level-2 policy.
    std::vector<core::Policy> ordered_policies;
    std::vector<core::ParentSnapshot> ordered;
    std::size_t k = 0;
    for (std::size_t i = 0; i < policies.size(); ++i) {
      const std::size_t first = k;
      for (; k < subs.size() && subs[k].outer == i; ++k)
        core::set_outer(inner[k], out[i], out[i].children[subs[k].child], *policies[i].sub);
      ordered_policies.push_back(std::move(policies[i]));
      ordered.push_back(std::move(out[i]));
      for (std::size_t j = first; j < k; ++j) {
        ordered_policies.push_back(std::move(sub_policies[j]));
        ordered.push_back(std::move(inner[j]));
      }
    }
    policies = std::move(ordered_policies);
    out = std::move(ordered);
  }
  read_details(tx, policies, options, out);
  return out;
}

} // namespace partman::db
