#include "partman/core/timepoint.hpp"

#include <cstdio>
// date::parse reads into a local that GCC 12 cannot prove initialised (a false positive inside date.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/tz.h>
#include <sstream>

namespace partman::core {

namespace {

using LocalMicros = date::local_time<std::chrono::microseconds>;
using SysMicros = date::sys_time<std::chrono::microseconds>;

template <typename TimePoint> bool parse_whole(const std::string& text, const char* format, TimePoint& tp)
{
  std::istringstream in(text);
  in >> date::parse(format, tp);
  return !in.fail() && in.peek() == std::char_traits<char>::eof();
}

} // namespace

Result<Zone> find_zone(const std::string& name)
{
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return Error{"unknown time zone '" + name +
                 "'; HINT: use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"};
  }
}

Micros to_local(Zone zone, Micros utc)
{
  const SysMicros sys{std::chrono::microseconds{utc}};
  return zone->to_local(sys).time_since_epoch().count();
}

Micros to_utc(Zone zone, Micros local)
{
  const LocalMicros lt{std::chrono::microseconds{local}};
  return zone->to_sys(lt, date::choose::latest).time_since_epoch().count();
}

std::string format_local(Micros local)
{
  const LocalMicros lt{std::chrono::microseconds{local}};
  if (local % k_micros_per_second == 0)
    return date::format("%F %T", date::floor<std::chrono::seconds>(lt));
  return date::format("%F %T", lt);
}

std::string format_date(Micros local)
{
  const LocalMicros lt{std::chrono::microseconds{local}};
  return date::format("%F", lt);
}

std::string format_instant(Zone zone, Micros utc)
{
  const SysMicros sys{std::chrono::microseconds{utc}};
  const auto info = zone->get_info(date::floor<std::chrono::seconds>(sys));
  const auto offset = info.offset.count();
  const long magnitude = offset < 0 ? -offset : offset;
  char buf[32];
  if (magnitude % 60 == 0)
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", offset < 0 ? '-' : '+', magnitude / 3600,
                  magnitude / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld:%02ld", offset < 0 ? '-' : '+', magnitude / 3600,
                  magnitude / 60 % 60, magnitude % 60);
  return format_local(utc + offset * k_micros_per_second) + buf;
}

Result<Micros> parse_instant(const std::string& raw, Zone zone)
{
  std::string text = raw;
  if (text.size() > 10 && (text[10] == 'T' || text[10] == 't'))
    text[10] = ' ';
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z'))
    text.replace(text.size() - 1, 1, "+00:00");

  for (const char* format : {"%Y-%m-%d %H:%M:%S%Ez", "%Y-%m-%d %H:%M%Ez", "%Y-%m-%d%Ez"}) {
    SysMicros sys;
    if (parse_whole(text, format, sys))
      return sys.time_since_epoch().count();
  }
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    LocalMicros lt;
    if (parse_whole(text, format, lt))
      return to_utc(zone, lt.time_since_epoch().count());
  }
  return Error{"invalid timestamp '" + raw +
               "'; HINT: write it as '2026-11-25', '2026-11-25 13:00', '2026-11-25T13:00:00Z' or "
               "'2026-11-25 13:00:00+01:00'"};
}

} // namespace partman::core
