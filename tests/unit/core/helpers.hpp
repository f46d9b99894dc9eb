// Shared helpers for the core unit tests: instants and wall-clock times from text.
#pragma once

#include <stdexcept>
#include <string>

#include "partman/core/interval.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::test {

// Returns the zone `name`; throws when the tz database lacks it.
inline core::Zone zone(const std::string& name)
{
  auto z = core::find_zone(name);
  if (!z)
    throw std::runtime_error(z.error());
  return *z;
}

// Returns the instant of `text` (read in `zone_name` when it carries no offset).
inline core::Micros at(const std::string& text, const std::string& zone_name = "UTC")
{
  auto r = core::parse_instant(text, zone(zone_name));
  if (!r)
    throw std::runtime_error(r.error());
  return *r;
}

// Returns the wall-clock time of `text` (no offset allowed), as micros since 1970 on the wall clock.
inline core::Micros wall(const std::string& text)
{
  return at(text, "UTC");
}

} // namespace partman::test
