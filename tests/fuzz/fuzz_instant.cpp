// Fuzz target: instants and offsets as a user types them (--at, --start): "2026-11-25", "2026-11-25 13:00",
// "2026-11-25T13:00:00Z", "2026-11-25 13:00:00+01:00". Checks that what parses prints back as itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "partman/core/timepoint.hpp"

namespace {

using partman::core::Micros;

// Instants of 0002-01-01 and 9999-01-01 UTC: in every zone, years format_instant writes with four digits.
constexpr Micros k_first = -62104060800LL * 1000000;
constexpr Micros k_end = 253370764800LL * 1000000;

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
  if (*t < k_first || *t >= k_end)
    return 0;
  // Printed with its offset, in UTC or in the zone, the instant reads back as itself; only an offset with
  // seconds (local mean time, before a zone's first rule) is not a form that parse_instant reads.
  const auto again = partman::core::parse_instant(partman::core::format_instant(utc, *t), zone);
  partman::fuzz::check(again && *again == *t);
  const std::string local = partman::core::format_instant(zone, *t);
  const auto back = partman::core::parse_instant(local, zone);
  const std::string offset = local.substr(local.find_last_of("+-"));
  const bool offset_seconds = std::count(offset.begin(), offset.end(), ':') == 2;
  partman::fuzz::check(back ? *back == *t : offset_seconds);
  return 0;
}
