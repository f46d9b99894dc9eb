// Fuzz target: instants and offsets as a user types them (--at, --start): "2026-11-25", "2026-11-25 13:00",
// "2026-11-25T13:00:00Z", "2026-11-25 13:00:00+01:00". Checks that what parses prints back as itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "partman/core/timepoint.hpp"

namespace {

using partman::core::Micros;

// Instants of 0001-01-01 and 10000-01-01 UTC: the years format_instant writes with four digits.
constexpr Micros k_first = -62135596800LL * 1000000;
constexpr Micros k_end = 253402300800LL * 1000000;

// Aborts (a finding) unless `ok`.
void check(bool ok)
{
  if (!ok)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  // The first byte picks the zone a time without an offset is read in, the rest is the text.
  static const char* const zones[] = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu",
                                      "Australia/Lord_Howe"};
  if (size == 0)
    return 0;
  const auto zone = *partman::core::find_zone(zones[data[0] % (sizeof zones / sizeof zones[0])]);
  const auto utc = *partman::core::find_zone("UTC");
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const auto t = partman::core::parse_instant(text, zone);
  if (!t)
    return 0;
  const std::string local = partman::core::format_instant(zone, *t);
  check(!local.empty());
  if (*t >= k_first && *t < k_end) {
    const std::string printed = partman::core::format_instant(utc, *t);
    const auto again = partman::core::parse_instant(printed, zone);
    check(again && *again == *t);
  }
  return 0;
}
