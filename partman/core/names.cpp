#include "partman/core/names.hpp"

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

// Returns the 32-bit FNV-1a hash of `text` as 8 hex digits.
std::string short_hash(const std::string& text)
{
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

// Returns the longest prefix of `text` of at most `bytes` bytes that does not split a UTF-8 character.
std::string utf8_prefix(const std::string& text, std::size_t bytes)
{
  if (text.size() <= bytes)
    return text;
  std::size_t cut = bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut);
}

} // namespace

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
  const auto tp = date::local_time<std::chrono::microseconds>{std::chrono::microseconds{local}};
  const auto day = date::floor<date::days>(tp);
  switch (iv.unit) {
  case Unit::year:
    return "p" + date::format("%Y", day);
  case Unit::month:
    return "p" + date::format("%Y%m", day);
  case Unit::week: {
    const iso_week::year_weeknum_weekday iso{date::sys_days{day.time_since_epoch()}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "p%04dw%02u", static_cast<int>(iso.year()),
                  static_cast<unsigned>(iso.weeknum()));
    return buf;
  }
  case Unit::day:
    return "p" + date::format("%Y%m%d", day);
  case Unit::minute:
  case Unit::hour:
    return "p" + date::format("%Y%m%d_%H%M", date::floor<std::chrono::minutes>(tp));
  }
  return "p";
}

std::string child_prefix(const std::string& parent, std::size_t suffix_bytes)
{
  if (parent.size() + 1 + suffix_bytes <= k_max_identifier_bytes)
    return parent + "_";
  // cut parent + '_' + 8 hex + '_' + suffix
  const std::size_t room = k_max_identifier_bytes - suffix_bytes - 10;
  return utf8_prefix(parent, room) + "_" + short_hash(parent) + "_";
}

std::string child_name(const std::string& parent, const std::string& suffix)
{
  return child_prefix(parent, suffix.size()) + suffix;
}

} // namespace partman::core
