#include "partman/core/timepoint.hpp"

#include "partman/core/digits.hpp"

#include <cstdio>
#include <cstdlib>
// date::parse reads into a local that GCC 12 cannot prove initialised (a false positive inside date.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/tz.h>
#include <sstream>

#include <date/ptz.h>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace partman::core {

namespace {

using LocalMicros = date::local_time<std::chrono::microseconds>;
using SysMicros = date::sys_time<std::chrono::microseconds>;

// The largest UTC offset a timestamp may carry.
constexpr std::chrono::minutes k_max_offset{15 * 60 + 59};

// Parses all of `text` with `format` into `tp`; with `offset`, also stores the UTC offset the text carries.
template <typename TimePoint>
bool parse_whole(const std::string& text, const char* format, TimePoint& tp,
                 std::chrono::minutes* offset = nullptr)
{
  std::istringstream in(text);
  if (offset)
    in >> date::parse(format, tp, *offset);
  else
    in >> date::parse(format, tp);
  return !in.fail() && in.peek() == std::char_traits<char>::eof();
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
    return Error{"unknown time zone '" + name +
                 "'; HINT: use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"};
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
  std::string text = raw;
  if (text.size() > 10 && (text[10] == 'T' || text[10] == 't'))
    text[10] = ' ';
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z'))
    text.replace(text.size() - 1, 1, "+00:00");

  const auto within = [&raw](Micros wall, Micros instant) -> Result<Micros> {
    if (!plannable(wall))
      return Error{"invalid timestamp '" + raw + "': partman reads dates from 0001-01-01 to 9999-12-31"};
    return instant;
  };
  for (const char* format : {"%Y-%m-%d %H:%M:%S%Ez", "%Y-%m-%d %H:%M%Ez", "%Y-%m-%d%Ez"}) {
    SysMicros sys;
    std::chrono::minutes offset{0};
    if (!parse_whole(text, format, sys, &offset))
      continue;
    // PostgreSQL, whose timestamptz literals carry these offsets, accepts up to 15:59:59 either way.
    if (offset > k_max_offset || offset < -k_max_offset) {
      const long minutes = std::abs(static_cast<long>(offset.count()));
      char shown[48];
      std::snprintf(shown, sizeof shown, "%c%02ld:%02ld", offset.count() < 0 ? '-' : '+', minutes / 60,
                    minutes % 60);
      return Error{
          "invalid timestamp '" + raw + "': its UTC offset " + shown +
          " is beyond -15:59 to +15:59; HINT: write an offset such as +01:00 or -05:00, or Z for UTC"};
    }
    const Micros instant = sys.time_since_epoch().count();
    return within(instant + static_cast<Micros>(offset.count()) * 60 * k_micros_per_second, instant);
  }
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    LocalMicros lt;
    if (parse_whole(text, format, lt))
      return within(lt.time_since_epoch().count(), to_utc(zone, lt.time_since_epoch().count()));
  }
  return Error{"invalid timestamp '" + raw +
               "'; HINT: write it as '2026-11-25', '2026-11-25 13:00', '2026-11-25T13:00:00Z' or "
               "'2026-11-25 13:00:00+01:00'"};
}

} // namespace partman::core
