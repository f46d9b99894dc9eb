#include "partman/core/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace partman::core {

namespace {

// PostgreSQL's time units, largest first, in milliseconds.
constexpr std::array<std::pair<const char*, std::int64_t>, 5> k_units{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"min", 60'000},
    {"s", 1000},
    {"ms", 1},
}};

constexpr std::int64_t k_max_ms = 365LL * 86'400'000;

Error bad(const std::string& text, const std::string& why)
{
  return Error{"invalid duration '" + text + "': " + why +
               "; HINT: write a whole number and a unit: ms, s, min, h or d (e.g. '10min', '30s')"};
}

} // namespace

Result<Millis> parse_duration(const std::string& text)
{
  std::int64_t n = 0;
  const char* const end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || rest == text.data())
    return bad(text, ec == std::errc::result_out_of_range ? "too large" : "no whole number");
  std::string unit(rest, end);
  if (!unit.empty() && unit.front() == ' ')
    unit.erase(0, 1);
  if (unit.empty())
    return bad(text, "no unit");
  for (const auto& [name, ms] : k_units) {
    if (unit != name)
      continue;
    if (n < 0 || n > k_max_ms / ms)
      return bad(text, "outside 0 to 365 days");
    return Millis(n * ms);
  }
  return bad(text, "unknown unit '" + unit + "'");
}

std::string duration_text(Millis d)
{
  const std::int64_t ms = d.count();
  for (const auto& [name, size] : k_units) {
    if (ms != 0 && ms % size == 0)
      return std::to_string(ms / size) + name;
  }
  return std::to_string(ms) + "ms";
}

} // namespace partman::core
