#include "partman/core/names.hpp"

#include "partman/core/digits.hpp"

#include <cctype>
#include <cstdio>
#include <date/date.h>
#include <date/iso_week.h>

namespace partman::core {

namespace {

std::string quote_with(const std::string& text, char quote)
{
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote)
      out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

// Returns the FNV-1a hash of `text` as hex digits: 8 of the 32-bit hash, or 16 of the 64-bit one (`wide`).
std::string fnv_hex(const std::string& text, bool wide = false)
{
  const std::uint64_t mask = wide ? ~0ull : 0xffffffffull;
  const std::uint64_t prime = wide ? 1099511628211ull : 16777619ull;
  std::uint64_t h = wide ? 14695981039346656037ull : 2166136261ull;
  for (unsigned char c : text)
    h = ((h ^ c) * prime) & mask;
  char buf[17];
  std::snprintf(buf, sizeof buf, wide ? "%016llx" : "%08llx", static_cast<unsigned long long>(h));
  return buf;
}

} // namespace

std::string utf8_prefix(const std::string& text, std::size_t bytes)
{
  if (text.size() <= bytes)
    return text;
  std::size_t cut = bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut);
}

std::size_t utf8_length(const std::string& text)
{
  std::size_t n = 0;
  for (char c : text)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string utf8_head(const std::string& text, std::size_t chars)
{
  std::size_t i = 0;
  for (std::size_t n = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && n++ == chars)
      break;
  }
  return text.substr(0, i);
}

std::string quote_ident(const std::string& name)
{
  return quote_with(name, '"');
}

std::string quote_qualified(const std::string& schema, const std::string& name)
{
  return quote_ident(schema) + "." + quote_ident(name);
}

std::string quote_literal(const std::string& text)
{
  return quote_with(text, '\'');
}

std::string partition_suffix(const Interval& iv, Micros local)
{
  // Digits written by hand, not date::format or snprintf: this runs for every slot of every parent.
  const auto tp = date::local_time<std::chrono::microseconds>{std::chrono::microseconds{local}};
  const auto day = date::floor<date::days>(tp);
  const date::year_month_day ymd{day};
  char buf[32];
  char* p = buf;
  *p++ = 'p';
  if (iv.unit == Unit::week) {
    const iso_week::year_weeknum_weekday iso{date::sys_days{day.time_since_epoch()}};
    p = put_digits(p, static_cast<unsigned long>(static_cast<int>(iso.year())), 4);
    *p++ = 'w';
    p = put_digits(p, static_cast<unsigned>(iso.weeknum()), 2);
    return std::string(buf, p);
  }
  p = put_digits(p, static_cast<unsigned long>(static_cast<int>(ymd.year())), 4);
  if (iv.unit == Unit::year)
    return std::string(buf, p);
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  if (iv.unit == Unit::month)
    return std::string(buf, p);
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  if (iv.unit == Unit::day)
    return std::string(buf, p);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(tp - day).count();
  *p++ = '_';
  p = put_digits(p, static_cast<unsigned long>(minutes / 60), 2);
  p = put_digits(p, static_cast<unsigned long>(minutes % 60), 2);
  return std::string(buf, p);
}

std::string child_prefix(const std::string& parent, std::size_t suffix_bytes)
{
  if (parent.size() + 1 + suffix_bytes <= k_max_identifier_bytes)
    return parent + "_";
  // cut parent + '_' + 8 hex + '_' + suffix
  const std::size_t room = k_max_identifier_bytes - suffix_bytes - 10;
  return utf8_prefix(parent, room) + "_" + fnv_hex(parent) + "_";
}

std::string child_name(const std::string& parent, const std::string& suffix)
{
  const std::string name = child_prefix(parent, suffix.size()) + suffix;
  return std::string(name); // a copy at its size: the sum has room to grow, and plans hold many names
}

std::string integer_suffix(std::int64_t lower)
{
  const auto magnitude =
      lower < 0 ? 0 - static_cast<std::uint64_t>(lower) : static_cast<std::uint64_t>(lower);
  return (lower < 0 ? "pm" : "p") + std::to_string(magnitude);
}

namespace {

// Returns true when `text` ends in 8 or 16 hex digits that start it or follow a '_' (the form of a hash
// suffix), so that a value spelled like a hash never takes the name of another value's hashed form.
bool ends_like_hash(const std::string& text)
{
  for (std::size_t digits : {std::size_t{8}, std::size_t{16}}) {
    if (text.size() < digits)
      continue;
    const std::size_t start = text.size() - digits;
    if (start > 0 && text[start - 1] != '_')
      continue;
    if (text.find_first_not_of("0123456789abcdef", start) == std::string::npos)
      return true;
  }
  return false;
}

// Returns `value` as a name suffix and whether that form is exact (no other value has it).
std::pair<std::string, bool> readable_form(KeyType type, const std::string& value)
{
  const bool digits_only = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
  if (is_integer_key(type) &&
      (digits_only || (value.size() > 1 && value[0] == '-' &&
                       value.find_first_not_of("0123456789", 1) == std::string::npos)))
    return {value[0] == '-' ? "m" + value.substr(1) : value, true};
  if (type == KeyType::date && value.size() == 10 && value[4] == '-' && value[7] == '-')
    return {value.substr(0, 4) + value.substr(5, 2) + value.substr(8, 2), true};
  if (type == KeyType::uuid && value.size() == 36) {
    std::string hex;
    for (char c : value) {
      if (c != '-')
        hex.push_back(c);
    }
    return {hex, true};
  }
  std::string out;
  bool exact = !value.empty();
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::islower(u) || std::isdigit(u) || c == '_') {
      out.push_back(c); // UTF-8 bytes are kept: PostgreSQL takes them in identifiers
    } else if (std::isupper(u)) {
      out.push_back(static_cast<char>(std::tolower(u)));
      exact = false;
    } else {
      out.push_back('_');
      exact = false;
    }
  }
  return {out, exact && !ends_like_hash(out)};
}

} // namespace

std::string value_suffix(KeyType type, const std::string& value, int hash_digits)
{
  auto [form, exact] = readable_form(type, value);
  if (exact && hash_digits == 0 && form.size() <= k_value_suffix_bytes)
    return form;
  const std::string hash = fnv_hex(value, hash_digits == 16);
  const std::string head = utf8_prefix(form, k_value_suffix_bytes - 1 - hash.size());
  return head.empty() ? hash : head + "_" + hash;
}

} // namespace partman::core
