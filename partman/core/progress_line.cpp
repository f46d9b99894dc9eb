#include "partman/core/progress_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "partman/core/status.hpp"

namespace partman::core {

int progress_percent(const ProgressFigures& f)
{
  if (f.total == 0)
    return -1;
  if (f.finished)
    return 100;
  const long double share = static_cast<long double>(f.done) * 100 / static_cast<long double>(f.total);
  return static_cast<int>(std::min<long double>(99, share));
}

std::string duration_text(double seconds)
{
  const auto s = static_cast<long long>(std::ceil(std::max(0.0, seconds)));
  char buf[48];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s / 60 % 60);
  return buf;
}

std::string progress_text(const ProgressFigures& f)
{
  const double rate = f.seconds > 0 ? static_cast<double>(f.done) / f.seconds : 0;
  std::string out = human_bytes(f.done);
  if (f.total > 0)
    out += " of ~" + human_bytes(f.total);
  out += "  " + human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
  if (f.finished)
    out += "  in " + duration_text(f.seconds);
  else if (f.total > f.done && rate > 0)
    out += "  ETA " + duration_text(static_cast<double>(f.total - f.done) / rate);
  return out;
}

std::string progress_bar(const ProgressFigures& f)
{
  const int percent = progress_percent(f);
  if (percent < 0)
    return "";
  const int width = 24;
  const int filled = percent * width / 100;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(width - filled), '.') + "] " + std::to_string(percent) + "% ";
}

} // namespace partman::core
