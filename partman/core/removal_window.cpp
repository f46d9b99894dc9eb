#include "partman/core/removal_window.hpp"

#include <cstdio>

namespace partman::core {

namespace {

Error bad(const std::string& text, const std::string& why)
{
  return Error{"invalid removal window '" + text + "': " + why +
               "; HINT: write 'HH:MM-HH:MM' and a time zone, e.g. '01:00-05:00 Europe/Berlin'"};
}

// Reads "HH:MM" at the start of `text` into minutes after midnight; -1 when it is not one.
int read_minutes(const std::string& text)
{
  if (text.size() != 5 || text[2] != ':')
    return -1;
  for (const std::size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9')
      return -1;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59)
    return -1;
  return hours * 60 + minutes;
}

} // namespace

bool RemovalWindow::open_at(Micros utc) const
{
  const Micros local = to_local(zone, utc);
  Micros in_day = local % k_micros_per_day;
  if (in_day < 0)
    in_day += k_micros_per_day;
  const int minute = static_cast<int>(in_day / k_micros_per_minute);
  if (start_minute <= end_minute)
    return minute >= start_minute && minute < end_minute;
  return minute >= start_minute || minute < end_minute;
}

std::string RemovalWindow::hold_reason() const
{
  return "removals wait for the removal window " + text + "; only creates run outside it";
}

Result<RemovalWindow> parse_removal_window(const std::string& text)
{
  const std::size_t dash = text.find('-');
  if (dash == std::string::npos)
    return bad(text, "no '-' between its start and end");
  const std::size_t space = text.find(' ', dash);
  RemovalWindow w;
  w.start_minute = read_minutes(text.substr(0, dash));
  w.end_minute =
      read_minutes(text.substr(dash + 1, space == std::string::npos ? std::string::npos : space - dash - 1));
  if (w.start_minute < 0 || w.end_minute < 0)
    return bad(text, "a time is not HH:MM from 00:00 to 23:59");
  if (w.start_minute == w.end_minute)
    return bad(text, "it starts when it ends, so it would never open");
  const std::string zone_name = space == std::string::npos ? "UTC" : text.substr(space + 1);
  const auto zone = find_zone(zone_name);
  if (!zone)
    return bad(text, zone.error());
  w.zone = *zone;
  w.text = space == std::string::npos ? text + " UTC" : text;
  return w;
}

} // namespace partman::core
