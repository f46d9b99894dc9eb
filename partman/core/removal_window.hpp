// The hours of the day in which removals (drops, detaches, archives) may run, in one time zone; outside
// them only partitions are created.
#pragma once

#include <string>

#include "partman/core/interval.hpp"
#include "partman/core/result.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

// A daily window such as "01:00-05:00 Europe/Berlin"; it may wrap midnight ("22:00-02:00 UTC").
struct RemovalWindow
{
  int start_minute = 0; // minutes after local midnight, from 0 to 1439
  int end_minute = 0;   // the same; equal to start_minute: never open
  Zone zone = nullptr;  // the zone its hours are read in
  std::string text;     // as written, for people

  // Returns true when removals may run at instant `utc`.
  bool open_at(Micros utc) const;
  // Returns the reason removals wait outside the window, for PlanOptions::hold_removals.
  std::string hold_reason() const;
};

// Parses "HH:MM-HH:MM ZONE" (ZONE an IANA name; UTC when left out).
Result<RemovalWindow> parse_removal_window(const std::string& text);

} // namespace partman::core
