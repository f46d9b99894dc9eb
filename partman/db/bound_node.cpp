#include "partman/db/bound_node.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

namespace partman::db {

namespace {

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

} // namespace partman::db
