#include "partman/core/timepoint.hpp"

#include "partman/core/digits.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <date/ptz.h>
#include <date/tz.h>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace partman::core {

namespace {

using LocalMicros = date::local_time<std::chrono::microseconds>;
using SysMicros = date::sys_time<std::chrono::microseconds>;

// The largest UTC offset a timestamp may carry, either way (PostgreSQL's limit for timestamptz literals).
constexpr Micros k_max_offset = (15 * 60 + 59) * k_micros_per_minute;

// Reads a number of `min` to `max` digits at `pos` of `text` and moves `pos` past it; nullopt when there
// are fewer digits, or more.
std::optional<int> digits_at(const std::string& text, std::size_t& pos, std::size_t min, std::size_t max)
{
  std::size_t end = pos;
  int value = 0;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) && end - pos <= max)
    value = value * 10 + (text[end++] - '0');
  if (end - pos < min || end - pos > max)
    return std::nullopt;
  pos = end;
  return value;
}

// Moves `pos` past `c` when the text at `pos` is that; returns whether it was.
bool skip_char(const std::string& text, std::size_t& pos, char c)
{
  if (pos >= text.size() || text[pos] != c)
    return false;
  ++pos;
  return true;
}

// What an instant's text gives: the wall-clock time and, when written, its offset from UTC.
struct InstantText
{
  Micros local = 0;
  std::optional<Micros> offset;
};

// Reads "YYYY-M[M]-D[D][( |T|t)H[H]:M[M][:S[S][.f{1,6}]]][Z|z|±H[H][:MM]]" exactly (the fields in range);
// nullopt for anything else. (date::parse read "2026-11-2513:00" as an offset of 13 hours, a seventh digit
// of a fraction as an offset, and left a value unset, then used it, on a field of no digits.)
std::optional<InstantText> read_instant(const std::string& text)
{
  std::size_t pos = 0;
  const auto year = digits_at(text, pos, 4, 4);
  std::optional<int> month, day;
  if (!year || !skip_char(text, pos, '-') || !(month = digits_at(text, pos, 1, 2)) ||
      !skip_char(text, pos, '-') || !(day = digits_at(text, pos, 1, 2)))
    return std::nullopt;
  const date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                                 date::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok())
    return std::nullopt;
  InstantText out;
  out.local = static_cast<Micros>(date::sys_days{ymd}.time_since_epoch().count()) * k_micros_per_day;
  if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T' || text[pos] == 't')) {
    ++pos;
    std::optional<int> hour, minute, second = 0;
    if (!(hour = digits_at(text, pos, 1, 2)) || !skip_char(text, pos, ':') ||
        !(minute = digits_at(text, pos, 1, 2)) || *hour > 23 || *minute > 59)
      return std::nullopt;
    Micros fraction = 0;
    if (skip_char(text, pos, ':')) {
      if (!(second = digits_at(text, pos, 1, 2)) || *second > 59)
        return std::nullopt;
      if (skip_char(text, pos, '.')) {
        const std::size_t first = pos;
        const auto f = digits_at(text, pos, 1, 6);
        if (!f)
          return std::nullopt;
        fraction = *f;
        for (std::size_t n = pos - first; n < 6; ++n)
          fraction *= 10;
      }
    }
    out.local += ((*hour * 60 + *minute) * 60 + *second) * k_micros_per_second + fraction;
  }
  if (skip_char(text, pos, 'Z') || skip_char(text, pos, 'z')) {
    out.offset = 0;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos++] == '-' ? -1 : 1;
    std::optional<int> hours = digits_at(text, pos, 1, 2), minutes = 0;
    if (!hours || (skip_char(text, pos, ':') && !(minutes = digits_at(text, pos, 2, 2))) || *minutes > 59)
      return std::nullopt;
    out.offset = sign * (*hours * 60 + *minutes) * k_micros_per_minute;
  }
  if (pos != text.size())
    return std::nullopt;
  return out;
}

// Returns the POSIX TZ rule on the last line of a TZif zone file ("CET-1CEST,M3.5.0,M10.5.0/3"), or "".
std::string tzif_footer(const std::string& zone_name)
{
  const char* dir = std::getenv("TZDIR");
  std::ifstream f(std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + zone_name, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() < 2 || data.back() != '\n')
    return "";
  const auto start = data.rfind('\n', data.size() - 2);
  return start == std::string::npos ? "" : data.substr(start + 1, data.size() - start - 2);
}

} // namespace

class ZoneRules
{
public:
  // UTC: no offset ever, and no need to load the tz database (which lists every zone file at first use).
  ZoneRules() = default;

  explicit ZoneRules(const date::time_zone* tz) : m_tz(tz)
  {
    const std::string footer = tzif_footer(tz->name());
    if (footer.find(',') == std::string::npos)
      return; // no daylight-saving rule: the last offset of the database holds for ever
    try {
      m_tail.emplace(footer);
    } catch (const std::exception&) {
      return; // a rule the POSIX parser does not know: keep the database's last offset
    }
    // The rule takes over a day after the last listed transition (it is valid from that transition on).
    const auto last = m_tz->get_info(date::sys_days{date::year{2400} / 1 / 1}).begin;
    m_tail_from = SysMicros{last} + date::days{1};
  }

  Micros to_local(Micros utc) const
  {
    if (!m_tz)
      return utc;
    const SysMicros sys{std::chrono::microseconds{utc}};
    if (m_tail && sys >= m_tail_from)
      return m_tail->to_local(sys).time_since_epoch().count();
    return m_tz->to_local(sys).time_since_epoch().count();
  }

  Micros to_utc(Micros local) const
  {
    if (!m_tz)
      return local;
    const LocalMicros lt{std::chrono::microseconds{local}};
    if (m_tail && SysMicros{lt.time_since_epoch()} >= m_tail_from + date::days{1})
      return m_tail->to_sys(lt, date::choose::latest).time_since_epoch().count();
    return m_tz->to_sys(lt, date::choose::latest).time_since_epoch().count();
  }

  // Returns the UTC offset in seconds at instant `utc`.
  long offset_seconds(Micros utc) const
  {
    return static_cast<long>((to_local(utc) - utc) / k_micros_per_second);
  }

private:
  const date::time_zone* m_tz = nullptr;
  std::optional<Posix::time_zone> m_tail;
  SysMicros m_tail_from = SysMicros::max();
};

Zone utc_zone()
{
  static const ZoneRules utc;
  return &utc;
}

std::string unknown_zone_error(const std::string& name)
{
  return "unknown time zone '" + name +
         "'; HINT: use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'";
}

NamedZone::NamedZone(std::string name) : m_name(std::move(name))
{
  const auto found = find_zone(m_name);
  m_rules = found ? *found : nullptr;
}

Result<Zone> find_zone(const std::string& name)
{
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<ZoneRules>> zones;
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto it = zones.find(name); it != zones.end())
    return it->second.get();
  try {
    auto rules = name == "UTC" || name == "Etc/UTC" ? std::make_unique<ZoneRules>()
                                                    : std::make_unique<ZoneRules>(date::locate_zone(name));
    return zones.emplace(name, std::move(rules)).first->second.get();
  } catch (const std::exception&) {
    return Error{unknown_zone_error(name)};
  }
}

Micros to_local(Zone zone, Micros utc)
{
  return zone->to_local(utc);
}

Micros to_utc(Zone zone, Micros local)
{
  return zone->to_utc(local);
}

// Formats with snprintf over date's calendar split: date::format goes through an ostream and a locale,
// which costs ten times more, and the planner formats every bound it writes.
std::string format_local(Micros local)
{
  const std::int64_t days = floor_div(local, k_micros_per_day);
  const Micros in_day = local - days * k_micros_per_day;
  const date::year_month_day ymd{date::sys_days{date::days{days}}};
  const int year = static_cast<int>(ymd.year());
  const auto seconds = static_cast<unsigned long>(in_day / k_micros_per_second);
  const auto micros = static_cast<unsigned long>(in_day % k_micros_per_second);
  char buf[48];
  char* p = buf;
  if (year >= 0 && year <= 9999) {
    p = put_digits(p, static_cast<unsigned long>(year), 4);
  } else {
    p += std::snprintf(p, 16, "%05d", year);
  }
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = ' ';
  p = put_digits(p, seconds / 3600, 2);
  *p++ = ':';
  p = put_digits(p, seconds / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, seconds % 60, 2);
  if (micros != 0) {
    *p++ = '.';
    p = put_digits(p, micros, 6);
  }
  return std::string(buf, p);
}

std::string format_date(Micros local)
{
  return format_local(local).substr(0, 10);
}

std::string format_instant(Zone zone, Micros utc)
{
  const long offset = zone->offset_seconds(utc);
  const auto magnitude = static_cast<unsigned long>(offset < 0 ? -offset : offset);
  std::string out = format_local(utc + offset * k_micros_per_second);
  char buf[16];
  char* p = buf;
  *p++ = offset < 0 ? '-' : '+';
  p = put_digits(p, magnitude / 3600, 2);
  *p++ = ':';
  p = put_digits(p, magnitude / 60 % 60, 2);
  if (magnitude % 60 != 0) {
    *p++ = ':';
    p = put_digits(p, magnitude % 60, 2);
  }
  return out.append(buf, p);
}

Result<Micros> parse_instant(const std::string& raw, Zone zone)
{
  const auto read = read_instant(raw);
  if (read && read->offset && (*read->offset > k_max_offset || *read->offset < -k_max_offset)) {
    const auto minutes = static_cast<unsigned long>(std::abs(*read->offset) / k_micros_per_minute);
    char shown[8];
    char* p = shown;
    *p++ = *read->offset < 0 ? '-' : '+';
    p = put_digits(p, minutes / 60, 2);
    *p++ = ':';
    p = put_digits(p, minutes % 60, 2);
    return Error{"invalid timestamp '" + raw + "': its UTC offset " + std::string(shown, p) +
                 " is beyond -15:59 to +15:59; HINT: write an offset such as +01:00 or -05:00, or Z for UTC"};
  }
  if (read && !plannable(read->local))
    return Error{"invalid timestamp '" + raw + "': partman reads dates from 0001-01-01 to 9999-12-31"};
  if (read)
    return read->offset ? read->local - *read->offset : to_utc(zone, read->local);
  return Error{"invalid timestamp '" + raw +
               "'; HINT: write it as '2026-11-25', '2026-11-25 13:00', '2026-11-25T13:00:00Z' or "
               "'2026-11-25 13:00:00+01:00'"};
}

} // namespace partman::core
