#include "partman/core/pg_partman_names.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <date/date.h>
#include <date/iso_week.h>

#include "partman/core/digits.hpp"
#include "partman/core/names.hpp"

namespace partman::core {

namespace {

// pg_partman cuts a parent's name so that it, "_p" and the suffix make at most this many characters.
constexpr std::size_t k_pg_partman_name_chars = 63;

// Returns the name `parent` + `joint` + `suffix`, the parent cut as pg_partman's check_name_length cuts
// it (to 63 characters in all), and further, at a character boundary, where the name would pass 63 bytes.
std::string cut_name(const std::string& parent, const std::string& joint, const std::string& suffix)
{
  const std::size_t tail = utf8_length(joint) + utf8_length(suffix);
  std::string head = parent;
  if (utf8_length(parent) + tail >= k_pg_partman_name_chars)
    head = utf8_head(parent, tail < k_pg_partman_name_chars ? k_pg_partman_name_chars - tail : 0);
  const std::size_t tail_bytes = joint.size() + suffix.size();
  if (head.size() + tail_bytes > k_max_identifier_bytes)
    head = utf8_prefix(head, tail_bytes < k_max_identifier_bytes ? k_max_identifier_bytes - tail_bytes : 0);
  return head + joint + suffix;
}

// The resolution of a datetime_string: the shortest calendar step whose partitions it tells apart.
enum class Resolution
{
  none,
  year,
  quarter,
  month,
  week,
  day,
  hour,
  minute
};

// Returns true when partitions of `iv`, which start `iv` apart on partman's boundaries, each get their own
// name from a pattern of resolution `r`.
bool tells_apart(Resolution r, const Interval& iv)
{
  const auto at_least = [&iv](std::int64_t minutes) {
    return iv.unit == Unit::month || iv.unit == Unit::year ||
           iv.approx_micros() >= minutes * k_micros_per_minute;
  };
  const auto whole = [&iv](std::int64_t minutes) {
    return !iv.sub_day() || (iv.approx_micros() / k_micros_per_minute) % minutes == 0;
  };
  switch (r) {
  case Resolution::none:
    return false;
  case Resolution::year:
    return iv.unit == Unit::year;
  case Resolution::quarter:
    return iv.unit == Unit::year || (iv.unit == Unit::month && iv.count % 3 == 0);
  case Resolution::month:
    return iv.unit == Unit::year || iv.unit == Unit::month;
  case Resolution::week:
    return at_least(7 * 1440); // two starts a week or more apart lie in two ISO weeks
  case Resolution::day:
    return whole(1440);
  case Resolution::hour:
    return whole(60);
  case Resolution::minute:
    return true;
  }
  return false;
}

// Returns the resolution in words, for an error.
const char* resolution_words(Resolution r)
{
  switch (r) {
  case Resolution::none:
    return "no calendar step";
  case Resolution::year:
    return "years";
  case Resolution::quarter:
    return "quarters";
  case Resolution::month:
    return "months";
  case Resolution::week:
    return "ISO weeks";
  case Resolution::day:
    return "days";
  case Resolution::hour:
    return "hours";
  case Resolution::minute:
    return "minutes";
  }
  return "?";
}

} // namespace

Result<NameFormat> NameFormat::parse(const std::string& pattern)
{
  // The patterns partman writes, longest first where one starts another; DDD (day of the year) it refuses.
  struct Pattern
  {
    const char* text;
    Field field;
    std::size_t width; // 0: refused
  };
  static const Pattern patterns[] = {{"HH24", Field::hour, 2},   {"IYYY", Field::iso_year, 4},
                                     {"YYYY", Field::year, 4},   {"DDD", Field::day, 0},
                                     {"MM", Field::month, 2},    {"MI", Field::minute, 2},
                                     {"SS", Field::second, 2},   {"DD", Field::day, 2},
                                     {"IW", Field::iso_week, 2}, {"Q", Field::quarter, 1}};
  const auto refuse = [&pattern](const std::string& why) {
    return Error{
        "name format '" + pattern + "': " + why +
        "; HINT: partman writes YYYY, IYYY, Q, MM, IW, DD, HH24, MI and SS, text in double quotes, and "
        "digits and punctuation, as pg_partman's datetime_string does"};
  };
  NameFormat f;
  f.m_pattern = pattern;
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '"') {
      const std::size_t close = pattern.find('"', i + 1);
      if (close == std::string::npos)
        return refuse("a double quote is not closed");
      f.m_parts.push_back({Field::text, pattern.substr(i + 1, close - i - 1)});
      f.m_width += close - i - 1;
      i = close + 1;
      continue;
    }
    const auto* p = std::find_if(std::begin(patterns), std::end(patterns), [&](const Pattern& q) {
      return pattern.compare(i, std::strlen(q.text), q.text) == 0;
    });
    if (p != std::end(patterns) && p->width > 0) {
      f.m_parts.push_back({p->field, ""});
      f.m_width += p->width;
      i += std::strlen(p->text);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u) || c == '\\' || u >= 0x80) {
      std::size_t n = p != std::end(patterns) ? std::strlen(p->text) : 1;
      while (u >= 0x80 && i + n < pattern.size() &&
             (static_cast<unsigned char>(pattern[i + n]) & 0xC0) == 0x80)
        ++n; // the whole UTF-8 character
      return refuse("'" + pattern.substr(i, n) + "' is not a pattern partman writes, nor plain text");
    }
    if (c < ' ' || c == '\x7f')
      return refuse("it holds a control character");
    f.m_parts.push_back({Field::text, std::string(1, c)});
    ++f.m_width;
    ++i;
  }
  if (f.m_width == 0)
    return refuse("it writes nothing");
  if (f.m_width > 40)
    return refuse("its names take " + std::to_string(f.m_width) +
                  " bytes, which leaves too little of a 63-byte name for the parent's");
  return f;
}

std::string NameFormat::suffix(Micros local) const
{
  const auto tp = date::local_time<std::chrono::microseconds>{std::chrono::microseconds{local}};
  const auto day = date::floor<date::days>(tp);
  const date::year_month_day ymd{day};
  const iso_week::year_weeknum_weekday iso{date::sys_days{day.time_since_epoch()}};
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(tp - day).count();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(tp - day).count() % 60;
  std::string out(m_width, ' ');
  char* p = out.data();
  for (const auto& part : m_parts) {
    switch (part.field) {
    case Field::text:
      p = std::copy(part.text.begin(), part.text.end(), p);
      break;
    case Field::year:
      p = put_digits(p, static_cast<unsigned long>(static_cast<int>(ymd.year())), 4);
      break;
    case Field::iso_year:
      p = put_digits(p, static_cast<unsigned long>(static_cast<int>(iso.year())), 4);
      break;
    case Field::quarter:
      p = put_digits(p, (static_cast<unsigned>(ymd.month()) + 2) / 3, 1);
      break;
    case Field::month:
      p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
      break;
    case Field::iso_week:
      p = put_digits(p, static_cast<unsigned>(iso.weeknum()), 2);
      break;
    case Field::day:
      p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
      break;
    case Field::hour:
      p = put_digits(p, static_cast<unsigned long>(minutes / 60), 2);
      break;
    case Field::minute:
      p = put_digits(p, static_cast<unsigned long>(minutes % 60), 2);
      break;
    case Field::second:
      p = put_digits(p, static_cast<unsigned long>(seconds), 2);
      break;
    }
  }
  return out;
}

bool NameFormat::has(Field field) const
{
  return std::any_of(m_parts.begin(), m_parts.end(), [field](const Part& p) { return p.field == field; });
}

std::string NameFormat::conflict(const Interval& iv) const
{
  const bool date = has(Field::year) && has(Field::month) && has(Field::day);
  const Resolution r = date && has(Field::hour) && has(Field::minute) ? Resolution::minute
                       : date && has(Field::hour)                     ? Resolution::hour
                       : date                                         ? Resolution::day
                       : has(Field::iso_year) && has(Field::iso_week) ? Resolution::week
                       : has(Field::year) && has(Field::month)        ? Resolution::month
                       : has(Field::year) && has(Field::quarter)      ? Resolution::quarter
                       : has(Field::year)                             ? Resolution::year
                                                                      : Resolution::none;
  if (tells_apart(r, iv))
    return {};
  return "name format '" + m_pattern + "' tells apart " + resolution_words(r) + ", so partitions of '" +
         iv.text() + "' would share names; HINT: give a format that writes the partitions' start to the " +
         (iv.sub_day() ? "minute (YYYY_MM_DD_HH24MI)" : "day (YYYY_MM_DD)") +
         ", or 'pg_partman' alone for the one pg_partman picks for the interval";
}

std::string pg_partman_datetime_string(const Interval& iv, const std::string& word)
{
  // create_parent compares intervals as PostgreSQL does: a month is 30 days, a year 12 months.
  const Micros length = iv.unit == Unit::year ? iv.count * 360 * k_micros_per_day : iv.approx_micros();
  if (length >= 360 * k_micros_per_day)
    return "YYYY";
  std::string s = word == "quarterly" ? "YYYY\"q\"Q" : "YYYY_MM";
  if (length < 30 * k_micros_per_day)
    s = word == "weekly" ? "IYYY\"w\"IW" : s + "_DD";
  if (length < k_micros_per_day)
    s += "_HH24MI";
  return s;
}

std::string policy_name_format(const Policy& policy)
{
  if (!policy.name_format.empty())
    return policy.name_format;
  const Interval& iv = policy.interval;
  const char* word = iv.unit == Unit::week && iv.count == 1    ? "weekly"
                     : iv.unit == Unit::month && iv.count == 3 ? "quarterly"
                                                               : "";
  return pg_partman_datetime_string(iv, word);
}

std::string pg_partman_child_name(const std::string& parent, const std::string& suffix)
{
  return cut_name(parent, "_p", suffix);
}

std::string pg_partman_default_name(const std::string& parent)
{
  return cut_name(parent, "_default", "");
}

std::string pg_partman_name_prefix(const std::string& parent, std::size_t max_suffix)
{
  const std::string child = pg_partman_child_name(parent, std::string(max_suffix, '0'));
  const std::string def = pg_partman_default_name(parent);
  const std::size_t head = std::min(child.size() - 2 - max_suffix, def.size() - 8);
  return head == parent.size() ? parent + "_" : parent.substr(0, head);
}

} // namespace partman::core
