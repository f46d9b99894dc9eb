#include "partman/db/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <numeric>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/subpartitions.hpp"
#include "partman/db/parent_properties.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// Rows of kind 'p' describe a parent (one per policy), rows of kind 'c' one partition each.
// Bounds of time keys are read on the client from relpartbound's node tree (cheap: pg_get_expr costs a
// catalog lookup per partition); one partition per run (all with $3) is also deparsed by the server, to
// check the client's reading. Other keys are deparsed, and returned as microseconds since the epoch
// (UTC for timestamptz, wall-clock otherwise) or as the integer itself; LIST bounds are read on the client
// from their deparsed text. @bytes@ stands for the partition's size (k_sizes_sql) or NULL: each expression
// the query holds costs planning in the fresh server process of every run.
const char* const k_catalog_sql = R"sql(
WITH pol AS (
  SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(sch, tbl, ord)
), par AS (
  SELECT p.ord, c.oid AS relid, c.relkind, pt.partstrat, pt.partnatts, pt.partdefid,
         a.attname, format_type(a.atttypid, a.atttypmod) AS keytype,
         pt.partstrat = 'r' AND pt.partnatts = 1 AS ranged
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
       NULL::bigint AS lower_us, NULL::bigint AS upper_us, NULL::text AS node, NULL::boolean AS fast
FROM par
UNION ALL
-- kind 'c': the partitions, in one pass (nothing held or sorted)
SELECT 'c', f.ord, NULL, NULL, NULL, NULL, NULL, NULL,
       chn.nspname::text, ch.relname::text, ch.is_default, i.inhdetachpending, ch.relkind = 'p',
       -- (what the leaves of a sub-partitioned partition hold is read afterwards, for the few there are)
       ch.reltuples, @bytes@, v.bound,
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
       CASE WHEN ch.fast THEN ch.node::text END, ch.fast
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

// Returns the catalog query, with or without the partitions' sizes.
const std::string& catalog_sql(bool sizes)
{
  static const auto make = [](const char* bytes) {
    std::string sql = k_catalog_sql;
    const std::string marker = "@bytes@";
    return sql.replace(sql.find(marker), marker.size(), bytes);
  };
  static const std::string with_sizes = make(k_sizes_sql), without = make("NULL::bigint");
  return sizes ? with_sizes : without;
}

// The relations that are not partitions in the schemas of parents ($1), whose names new children must
// avoid: an index range scan per parent, names from its child prefix ($2) up to (not including) the
// prefix with its final '_' raised to '`' ($3; names compare byte by byte).
const char* const k_taken_names_sql = R"sql(
SELECT n.nspname::text, x.relname::text
FROM unnest($1::text[], $2::text[], $3::text[]) AS p(sch, lo, hi)
JOIN pg_namespace n ON n.nspname = p.sch
CROSS JOIN LATERAL (SELECT c.relname FROM pg_class c
                    WHERE c.relname >= p.lo::name AND c.relname < p.hi::name AND c.relnamespace = n.oid
                      AND NOT c.relispartition) x
)sql";

// Postgres counts time from 2000-01-01; the planner from 1970-01-01.
constexpr core::Micros k_pg_epoch_micros = 946684800LL * core::k_micros_per_second;
constexpr std::int64_t k_pg_epoch_days = 10957;

// Reads the small integer (a byte, a type oid, a kind) written at `pos` of `text` after spaces, up to `end`;
// moves `pos` past it. Returns nullopt when there is none. (std::from_chars costs several times more, and
// a run reads twenty of these per partition.)
std::optional<long> small_int_at(std::string_view text, std::size_t& pos, std::size_t end)
{
  end = std::min(end, text.size());
  while (pos < end && text[pos] == ' ')
    ++pos;
  const bool negative = pos < end && text[pos] == '-';
  std::size_t at = pos + negative;
  long value = 0;
  const std::size_t first = at;
  for (; at < end && at - first < 10 && text[at] >= '0' && text[at] <= '9'; ++at)
    value = value * 10 + (text[at] - '0');
  if (at == first)
    return std::nullopt;
  pos = at;
  return negative ? -value : value;
}

// Returns the position of `what` in `text` at or after `pos` (npos stays npos): the fields of a node tree
// come in a fixed order, so each search starts where the one before it ended and a tree is read in one pass.
std::size_t find_from(std::string_view text, std::string_view what, std::size_t pos)
{
  return pos == std::string_view::npos ? pos : text.find(what, pos);
}

// One bound of a range node tree as written: its kind (-1 MINVALUE, 0 a value, 1 MAXVALUE) and, for a value,
// the constant's type and the bytes of its Datum.
struct RawDatum
{
  long kind = 0;
  long type = 0;
  std::uint64_t bits = 0;
};

// Moves `pos` past `literal` when the text at `pos` is that; returns whether it was.
bool skip(std::string_view text, std::size_t& pos, std::string_view literal)
{
  if (pos > text.size() || text.compare(pos, literal.size(), literal) != 0)
    return false;
  pos += literal.size();
  return true;
}

// Returns the bytes of a by-value Datum, "[ b0 b1 ... ]", read from `pos` (just past the '[') up to `close`
// (its ']'), the first byte lowest.
std::uint64_t read_bits(std::string_view node, std::size_t pos, std::size_t close)
{
  std::uint64_t bits = 0;
  for (int shift = 0; shift < 64; shift += 8) {
    const auto b = small_int_at(node, pos, close);
    if (!b)
      break;
    bits |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(*b)) << shift;
  }
  return bits;
}

// Reads the bound at `pos` in the very layout PostgreSQL writes, field after field with no search
// ("{PARTITIONRANGEDATUM :kind 0 :value {CONST :consttype 1184 :consttypmod -1 :constcollid 0 :constlen 8
// :constbyval true :constisnull false :location 702 :constvalue 8 [ 0 -96 -25 -7 -123 4 3 0 ]}"): four
// times cheaper than searching. Returns false as soon as the text departs from it.
bool walk_datum(std::string_view node, std::size_t& pos, RawDatum& d)
{
  constexpr auto npos = std::string_view::npos;
  std::optional<long> k, type;
  if (!skip(node, pos, "{PARTITIONRANGEDATUM :kind ") || !(k = small_int_at(node, pos, npos)))
    return false;
  d.kind = *k;
  if (d.kind != 0)
    return true;
  if (!skip(node, pos, " :value {CONST :consttype ") || !(type = small_int_at(node, pos, npos)))
    return false;
  d.type = *type;
  for (const std::string_view field : {" :consttypmod ", " :constcollid ", " :constlen "}) {
    if (!skip(node, pos, field) || !small_int_at(node, pos, npos))
      return false;
  }
  if (!skip(node, pos, " :constbyval true :constisnull false :location ") || !small_int_at(node, pos, npos) ||
      !skip(node, pos, " :constvalue ") || !small_int_at(node, pos, npos) || !skip(node, pos, " ["))
    return false;
  const auto close = node.find(']', pos);
  if (close == npos)
    return false;
  d.bits = read_bits(node, pos, close);
  pos = close;
  return true;
}

// Reads the bound at `pos` by searching for each field it needs, in order (tolerant of fields a later
// PostgreSQL adds or moves); returns false when unsure.
bool find_datum(std::string_view node, std::size_t& pos, RawDatum& d)
{
  constexpr auto npos = std::string_view::npos;
  const auto kind_at = find_from(node, ":kind ", pos);
  if (kind_at == npos)
    return false;
  pos = kind_at + 6;
  const auto k = small_int_at(node, pos, npos);
  if (!k)
    return false;
  d.kind = *k;
  if (d.kind != 0)
    return true;
  const auto type = find_from(node, ":consttype ", kind_at);
  const auto isnull = find_from(node, ":constisnull ", type);
  const auto value = find_from(node, ":constvalue ", isnull);
  const auto open = find_from(node, "[", value);
  const auto close = find_from(node, "]", open);
  std::size_t type_end = type + 11;
  const auto oid = type == npos ? std::nullopt : small_int_at(node, type_end, npos);
  if (!oid || close == npos || node.compare(isnull + 13, 5, "false") != 0)
    return false;
  d.type = *oid;
  d.bits = read_bits(node, open + 1, close);
  pos = close;
  return true;
}

// Returns the bound a datum holds: microseconds since 1970 for time keys, the integer for integer keys,
// empty for MINVALUE, MAXVALUE and the infinities; false for a type it does not know.
bool decode_datum(const RawDatum& d, std::optional<core::Micros>& out)
{
  if (d.kind != 0) {
    out.reset();
    return d.kind == -1 || d.kind == 1;
  }
  const std::uint64_t bits = d.bits; // little-endian (the server-side check catches otherwise)
  if (d.type == 20) {                // bigint
    out = static_cast<std::int64_t>(bits);
    return true;
  }
  if (d.type == 23) { // integer
    out = static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
    return true;
  }
  if (d.type == 21) { // smallint
    out = static_cast<std::int16_t>(static_cast<std::uint16_t>(bits));
    return true;
  }
  // Microseconds since 1970 end in the year 294247: a later time or date does not read (nor does the
  // server's own reading, which casts it to bigint).
  constexpr std::int64_t k_max_micros = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t k_min_micros = std::numeric_limits<std::int64_t>::min();
  if (d.type == 1184 || d.type == 1114) { // timestamptz, timestamp: microseconds since 2000
    const auto micros = static_cast<std::int64_t>(bits);
    if (micros == std::numeric_limits<std::int64_t>::max() ||
        micros == std::numeric_limits<std::int64_t>::min())
      out.reset(); // infinity
    else if (micros > k_max_micros - k_pg_epoch_micros)
      return false;
    else
      out = micros + k_pg_epoch_micros;
    return true;
  }
  if (d.type == 1082) { // date: days since 2000
    const auto days = static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
    if (days == std::numeric_limits<std::int32_t>::max() || days == std::numeric_limits<std::int32_t>::min())
      out.reset();
    else if (days + k_pg_epoch_days > k_max_micros / core::k_micros_per_day ||
             days + k_pg_epoch_days < k_min_micros / core::k_micros_per_day)
      return false;
    else
      out = (days + k_pg_epoch_days) * core::k_micros_per_day;
    return true;
  }
  return false;
}

// Reads the bound at `pos` (just past ":lowerdatums (" or ":upperdatums ("); moves `pos` past it.
bool read_datum(std::string_view node, std::size_t& pos, std::optional<core::Micros>& out)
{
  RawDatum d;
  std::size_t at = pos;
  if (!walk_datum(node, at, d)) {
    d = RawDatum{};
    at = pos;
    if (!find_datum(node, at, d))
      return false;
  }
  pos = at;
  return decode_datum(d, out);
}

} // namespace

bool parse_bound_node(std::string_view node, std::optional<core::Micros>& lower,
                      std::optional<core::Micros>& upper)
{
  constexpr auto npos = std::string_view::npos;
  constexpr std::string_view lower_head = ":lowerdatums (", upper_head = ":upperdatums (";
  std::size_t pos = find_from(node, lower_head, 0);
  if (pos == npos || !read_datum(node, pos += lower_head.size(), lower))
    return false;
  pos = find_from(node, upper_head, pos);
  return pos != npos && read_datum(node, pos += upper_head.size(), upper);
}

bool parse_list_bound(const std::string& bound, std::vector<std::string>& values, bool& null_value)
{
  const std::string head = "FOR VALUES IN (";
  if (bound.compare(0, head.size(), head) != 0 || bound.back() != ')')
    return false;
  const std::size_t end = bound.size() - 1;
  for (std::size_t i = head.size(); i < end;) {
    if (bound[i] == '\'') {
      std::string value; // a literal: '' stands for ' (standard_conforming_strings is on)
      for (++i;; ++i) {
        if (i >= end)
          return false;
        if (bound[i] == '\'' && i + 1 < end && bound[i + 1] == '\'') {
          value.push_back('\'');
          ++i;
        } else if (bound[i] == '\'') {
          ++i;
          break;
        } else {
          value.push_back(bound[i]);
        }
      }
      values.push_back(std::move(value));
    } else {
      std::size_t stop = bound.find(", ", i); // a number or NULL
      stop = std::min(stop, end);
      const std::string token = bound.substr(i, stop - i);
      if (token == "NULL")
        null_value = true;
      else
        values.push_back(token);
      i = stop;
    }
    if (i == end)
      break;
    if (bound.compare(i, 2, ", ") != 0)
      return false;
    i += 2;
  }
  return true;
}

namespace {

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
};

// Returns a real as the server prints it (libpqxx converts through a string stream, which costs more than
// the rest of a partition's row).
float real_value(const pqxx::field& field)
{
  float value = 0;
  std::from_chars(field.c_str(), field.c_str() + field.size(), value);
  return value;
}

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

namespace {

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

// Fills `out` from the catalog query; returns false when a node tree did not read as the server's own
// deparsing says (then nothing in `out` is to be trusted).
bool read_rows(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
               const CatalogOptions& options, bool deparse_all, std::vector<core::ParentSnapshot>& out)
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
      tx.exec_params(catalog_sql(options.sizes), text_array(schemas), text_array(tables), deparse_all);
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

// Reads the names new children of parents `which` (indices: out[i] belongs to policies[i]) must avoid, in
// one query.
void read_taken_names(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                      const std::vector<std::size_t>& which, std::vector<core::ParentSnapshot>& out)
{
  if (which.empty())
    return;
  std::vector<std::string> schemas, prefixes, prefix_ends;
  for (const std::size_t i : which) {
    schemas.push_back(policies[i].schema);
    prefixes.push_back(core::policy_child_prefix(policies[i])); // always ends in '_'
    prefix_ends.push_back(prefixes.back().substr(0, prefixes.back().size() - 1) + "`");
  }
  const auto rows =
      tx.exec_params(k_taken_names_sql, text_array(schemas), text_array(prefixes), text_array(prefix_ends));
  std::map<std::string, std::vector<std::string>> names; // schema -> relation names that are not partitions
  for (const auto& row : rows)
    names[row[0].as<std::string>()].push_back(row[1].as<std::string>());
  for (auto& [schema, list] : names)
    std::sort(list.begin(), list.end());
  for (std::size_t k = 0; k < which.size(); ++k) {
    if (auto it = names.find(schemas[k]); it != names.end())
      out[which[k]].taken_names = with_prefix(it->second, prefixes[k]);
  }
}

// Adds to each parent the removals an earlier run began (outside a transaction block) and did not finish,
// the tables into which an interrupted move out of its default partition put rows, and its unfinished
// archives, in one query. Both history parts start from the rows of the last 30 days that did not end
// 'ok' (few, read through history_pending_idx, whose predicate this one matches), so the history is not
// scanned or sorted.
void read_unfinished(pqxx::transaction_base& tx, const std::string& schema,
                     std::vector<core::ParentSnapshot>& out)
{
  const std::string history = core::quote_ident(schema) + ".history";
  const auto rows = tx.exec(
      "WITH h AS MATERIALIZED (SELECT * FROM " + history +
      " WHERE outcome IN ('started', 'failed', 'deferred') AND applied_at > now() - interval '30 days') "
      // the latest removal of each partition in the last 30 days, where it did not end well
      "SELECT 'i', h.parent_schema, h.parent_table, h.partition_schema, h.partition_name, 0::bigint, '', "
      "false, false FROM h WHERE h.action IN ('drop', 'detach', 'finalize-detach') AND h.partition_schema = "
      "h.parent_schema AND NOT EXISTS (SELECT 1 FROM " +
      history +
      " o WHERE o.parent_schema = h.parent_schema AND o.parent_table = h.parent_table AND o.partition_name = "
      "h.partition_name AND o.action IN ('drop', 'detach', 'finalize-detach') AND o.partition_schema = "
      "o.parent_schema AND o.applied_at > now() - interval '30 days' AND o.id > h.id) "
      // a create recorded as 'started' (only those beside a default partition are) with no successful
      // create of that table after it, whose table exists and is not a partition
      "UNION SELECT 'm', h.parent_schema, h.parent_table, h.partition_schema, h.partition_name, 0::bigint, "
      "'', false, false FROM h JOIN pg_class c ON c.relname = h.partition_name AND c.relnamespace = (SELECT "
      "oid FROM pg_namespace WHERE nspname = h.partition_schema) WHERE h.action = 'create' AND h.outcome = "
      "'started' AND c.relkind = 'r' AND NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM " +
      history +
      " o WHERE o.parent_schema = h.parent_schema AND o.parent_table = h.parent_table AND o.partition_name = "
      "h.partition_name AND o.action = 'create' AND o.outcome = 'ok' AND o.id > h.id) "
      "UNION ALL SELECT 'a', a.parent_schema, a.parent_table, a.partition_schema, a.partition_name, a.id, "
      "a.state, c.oid IS NOT NULL, c.relispartition FROM " +
      core::quote_ident(schema) +
      ".archive a LEFT JOIN pg_namespace n ON n.nspname = a.partition_schema LEFT JOIN pg_class c ON "
      "c.relnamespace = n.oid AND c.relname = a.partition_name WHERE a.state <> 'dropped' ORDER BY 1, 6, 5");
  for (const auto& row : rows) {
    for (auto& ps : out) {
      if (ps.schema != row[1].as<std::string>() || ps.table != row[2].as<std::string>())
        continue;
      const std::string kind = row[0].as<std::string>();
      if (kind == "i") {
        ps.interrupted.push_back(row[4].as<std::string>());
        continue;
      }
      if (kind == "m") {
        ps.unfinished_moves.push_back(row[4].as<std::string>());
        continue;
      }
      core::PendingArchive pa;
      pa.id = row[5].as<long long>();
      pa.schema = row[3].as<std::string>();
      pa.name = row[4].as<std::string>();
      pa.state = row[6].as<std::string>();
      pa.table_exists = row[7].as<bool>();
      pa.attached = !row[8].is_null() && row[8].as<bool>();
      ps.archives.push_back(std::move(pa));
    }
  }
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

// Returns the values `rows` hold ((raw text, as the key type prints it) pairs, in order) once checked: NULL
// is refused, and so is a text value that the key's type would change (cut to a varchar's length);
// duplicates are dropped, or refused when `unique`. `what` names where the values come from.
core::Result<std::vector<std::string>> checked_values(const pqxx::result& rows,
                                                      const std::string& key_type_name,
                                                      const std::string& what, bool unique)
{
  std::vector<std::string> out;
  std::map<std::string, std::string> seen; // as printed -> as given
  for (const auto& row : rows) {
    if (row[0].is_null())
      return core::Error{what +
                         " gives NULL; HINT: partman makes partitions for values, not NULL; rows with a "
                         "NULL key go to a default partition (add WHERE ... IS NOT NULL to a query)"};
    const std::string given = row[0].as<std::string>();
    const std::string printed = row[1].as<std::string>();
    if (core::key_type_from_sql(key_type_name) == core::KeyType::text && printed != given)
      return core::Error{what + ": value " + core::quote_literal(given) + " does not fit the key's type " +
                         key_type_name + "; HINT: it would be stored as " + core::quote_literal(printed)};
    if (auto it = seen.find(printed); it != seen.end()) {
      if (unique)
        return core::Error{
            what + ": value " + core::quote_literal(given) + " is given twice" +
            (it->second == given ? std::string() : " (also as " + core::quote_literal(it->second) + ")") +
            "; HINT: list each value once"};
      continue;
    }
    seen.emplace(printed, given);
    out.push_back(printed);
  }
  return out;
}

// Returns the first line of the server's message of `e`, without its "ERROR:" prefix.
std::string server_message(const pqxx::sql_error& e)
{
  std::string message = e.what();
  if (message.rfind("ERROR:", 0) == 0)
    message.erase(0, message.find_first_not_of(' ', 6));
  return message.substr(0, message.find('\n')); // not the LINE and caret lines that follow
}

// Runs the values query of each LIST policy that has one, in the caller's (read-only) transaction and
// each in its own savepoint, so that one failing query fails its own parent only.
// A level-2 policy's query runs once for all the partitions it applies to.
void read_queried_values(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                         std::vector<core::ParentSnapshot>& out)
{
  std::map<std::pair<std::string, std::string>, core::Result<std::vector<std::string>>> done;
  const auto run = [&](const core::Policy& policy, const std::string& type_name, const std::string& owner,
                       std::vector<std::string>& values, std::string& error) {
    auto it = done.find({policy.values_query, type_name});
    if (it == done.end())
      it = done.emplace(std::make_pair(policy.values_query, type_name),
                        query_list_values(tx, policy.values_query, type_name, owner))
               .first;
    if (it->second)
      values = *it->second;
    else
      error = it->second.error();
  };
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const core::Policy& policy = policies[i];
    core::ParentSnapshot& ps = out[i];
    const core::Policy* sub = policy.sub.get();
    if (sub && sub->shape == core::Shape::list && !sub->values_query.empty() &&
        ps.sub_key_type != core::KeyType::unsupported)
      run(*sub, ps.sub_key_type_name, "the level-2 policy of " + policy.parent_sql(), ps.sub_queried_values,
          ps.sub_values_error);
    if (policy.shape != core::Shape::list || policy.values_query.empty() || !ps.exists ||
        ps.strategy != core::Strategy::list || ps.key_type == core::KeyType::unsupported ||
        !core::check_policy_fits(policy, core::Strategy::list, ps.key_type).empty())
      continue; // the plan says what is wrong with the parent
    run(policy, ps.key_type_name,
        policy.level == 2 ? "the level-2 policy of " + core::quote_qualified(ps.outer_schema, ps.outer_table)
                          : policy.parent_sql(),
        ps.queried_values, ps.values_error);
  }
}

} // namespace

std::string values_query_sql(const std::string& query, const std::string& key_type_name)
{
  std::string q = query;
  while (!q.empty() && (std::isspace(static_cast<unsigned char>(q.back())) || q.back() == ';'))
    q.pop_back();
  return "SELECT d.v, d.v::" + key_type_name + "::text FROM (SELECT DISTINCT q.x::text AS v FROM (" + q +
         "\n) AS q(x)) d ORDER BY d.v::" + key_type_name;
}

core::Result<std::vector<std::string>> query_list_values(pqxx::transaction_base& tx, const std::string& query,
                                                         const std::string& key_type_name,
                                                         const std::string& parent_sql)
{
  const std::string what = "the values query of " + parent_sql;
  pqxx::result rows;
  try {
    if (auto* db_tx = dynamic_cast<pqxx::dbtransaction*>(&tx)) {
      pqxx::subtransaction sub(*db_tx, "partman_values");
      // A query that waits (on a lock, say) must not hold the run: at most k_values_timeout, or the
      // session's shorter timeout; set back afterwards (a failure rolls it back with the savepoint).
      const std::string previous =
          sub.exec("SELECT current_setting('statement_timeout'), set_config('statement_timeout', CASE WHEN "
                   "current_setting('statement_timeout')::interval IN (interval '0', interval '0 ms') OR "
                   "current_setting('statement_timeout')::interval > interval '" +
                   std::string(k_values_timeout) + "' THEN '" + k_values_timeout +
                   "' ELSE current_setting('statement_timeout') END, true)")[0][0]
              .as<std::string>();
      // The extended protocol (exec_params) takes exactly one statement: the query cannot end the
      // read-only transaction it runs in.
      rows = sub.exec_params(values_query_sql(query, key_type_name));
      sub.exec("SELECT set_config('statement_timeout', " + tx.quote(previous) + ", true)");
      sub.commit();
    } else {
      rows = tx.exec_params(values_query_sql(query, key_type_name));
    }
  } catch (const pqxx::sql_error& e) {
    if (server_message(e).find("multiple commands") != std::string::npos)
      return core::Error{what + " holds more than one statement, which partman never runs; HINT: give one "
                                "SELECT whose first column is the values"};
    return core::Error{what + " failed: " + server_message(e) +
                       "; HINT: it runs read-only at plan time, for at most " + k_values_timeout +
                       ", and its first column gives the values"};
  }
  return checked_values(rows, key_type_name, what, false);
}

std::string values_query_problem(pqxx::dbtransaction& tx, const std::string& query)
{
  if (auto problem = core::check_values_query(query); !problem.empty())
    return problem;
  try {
    pqxx::subtransaction sub(tx, "partman_values_check");
    sub.exec_params("EXPLAIN (COSTS OFF) " + query);
    sub.commit();
  } catch (const pqxx::sql_error& e) {
    if (server_message(e).find("multiple commands") != std::string::npos)
      return "--values-query holds more than one statement; HINT: give one SELECT whose first column is the "
             "values";
    return "--values-query: " + server_message(e) + "; HINT: it must be one SELECT that runs on its own";
  }
  return {};
}

core::Result<std::vector<std::string>> canonical_list_values(pqxx::transaction_base& tx,
                                                             const std::vector<std::string>& values,
                                                             const std::string& key_type_name)
{
  pqxx::result rows;
  try {
    rows = tx.exec_params("SELECT v, v::" + key_type_name +
                              "::text FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) "
                              "ORDER BY n",
                          text_array(values));
  } catch (const pqxx::data_exception& e) {
    return core::Error{"--values: " + server_message(e) + "; HINT: every value must be a valid " +
                       key_type_name};
  }
  return checked_values(rows, key_type_name, "--values", true);
}

namespace {

// Reads the parents of `policies` and their partitions (the catalog query).
std::vector<core::ParentSnapshot> read_parents(pqxx::transaction_base& tx,
                                               const std::vector<core::Policy>& policies,
                                               const CatalogOptions& options)
{
  std::vector<core::ParentSnapshot> out;
  if (!read_rows(tx, policies, options, false, out)) {
    spdlog::warn(
        "partition bounds did not read from the catalog's node trees as expected; asking the server");
    read_rows(tx, policies, options, true, out);
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

PlannedCatalog plan_catalog(pqxx::transaction_base& tx, std::vector<core::Policy>& policies, core::Micros now,
                            const core::PlanOptions& plan_options, CatalogOptions options)
{
  const bool all_names = options.taken_names;
  options.properties = false;
  PlannedCatalog out;
  out.snapshot = read_catalog_tree(tx, policies, options);
  out.plan = core::make_plan(out.snapshot, policies, now, plan_options);
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    if (core::needs_details(out.snapshot[i], out.plan.parents[i]))
      which.push_back(i);
  }
  if (which.empty())
    return out;
  if (!all_names)
    read_taken_names(tx, policies, which, out.snapshot);
  read_parent_properties(tx, policies, which, out.snapshot);
  out.plan = core::make_plan(out.snapshot, policies, now, plan_options); // parents' plans can meet
  return out;
}

} // namespace partman::db
