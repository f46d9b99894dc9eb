// Fuzz target: partition intervals, retention periods and integer widths and starts as a user types them
// (--interval, --retention, --start). Checks that what parses prints back as itself and that a slot holds
// the times it is computed from.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "partman/core/interval.hpp"
#include "partman/core/policy.hpp"

namespace {

using partman::core::Interval;
using partman::core::Micros;

// Wall-clock times the slot check covers: 1900-01-01 to 2200-01-01.
constexpr Micros k_from = -2208988800LL * 1000000;
constexpr Micros k_span = 9467107200LL * 1000000;

// Checks the text of a parsed interval, and the slot of a time in the covered range.
void check_interval(const Interval& iv, const Micros local,
                    partman::core::Result<Interval> (*parse)(const std::string&))
{
  const auto again = parse(iv.text());
  partman::fuzz::check(again && *again == iv);
  const std::int64_t slot = partman::core::slot_of(iv, local);
  partman::fuzz::check(partman::core::slot_start(iv, slot) <= local &&
                       local < partman::core::slot_start(iv, slot + 1));
  partman::fuzz::check(partman::core::subtract_period(local, iv) < local);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  // The first 8 bytes pick a time in the covered range, the rest is the text.
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 8 && i < size; ++i)
    bits = bits << 8 | data[i];
  const Micros local = k_from + static_cast<Micros>(bits % static_cast<std::uint64_t>(k_span));
  const std::string text(reinterpret_cast<const char*>(data) + (size < 8 ? size : 8),
                         size < 8 ? 0 : size - 8);

  if (const auto iv = partman::core::parse_partition_interval(text))
    check_interval(*iv, local, partman::core::parse_partition_interval);
  if (const auto period = partman::core::parse_period(text))
    check_interval(*period, local, partman::core::parse_period);
  if (const auto n = partman::core::parse_integer(text, "start")) {
    partman::fuzz::check(text.find_first_not_of("0123456789", text[0] == '-') == std::string::npos);
    partman::fuzz::check(*partman::core::parse_integer(std::to_string(*n), "start") == *n);
  }
  if (const auto n = partman::core::parse_positive(text, "width"))
    partman::fuzz::check(*n >= 1);
  return 0;
}
