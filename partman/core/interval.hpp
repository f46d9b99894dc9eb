// Partition intervals and retention periods: parsing, canonical text, and calendar arithmetic.
#pragma once

#include <cstdint>
#include <string>

#include "partman/core/result.hpp"

namespace partman::core {

// Microseconds since 1970-01-01 00:00; UTC for timestamptz keys, wall-clock for timestamp and date keys.
using Micros = std::int64_t;

constexpr Micros k_micros_per_second = 1'000'000;
constexpr Micros k_micros_per_minute = 60 * k_micros_per_second;
constexpr Micros k_micros_per_day = 1440 * k_micros_per_minute;

// The calendar unit an interval counts in.
enum class Unit
{
  minute,
  hour,
  day,
  week,
  month,
  year
};

// A whole number of one calendar unit, for example 15 minutes, 1 week (ISO) or 3 months.
struct Interval
{
  Unit unit = Unit::day;
  std::int64_t count = 1;

  // Returns the canonical text, for example "15 minutes", "1 day", "3 months".
  std::string text() const;
  // Returns true for intervals shorter than a day.
  bool sub_day() const { return unit == Unit::minute || unit == Unit::hour; }
  // Returns an approximate length in microseconds (a month counts 30 days), for comparisons only.
  Micros approx_micros() const;
  bool operator==(const Interval& o) const { return unit == o.unit && count == o.count; }
};

// Parses a partition interval ("1 day", "15 minutes", "daily", "quarterly", ...); minutes must be a
// multiple of 15.
Result<Interval> parse_partition_interval(const std::string& text);
// Parses a retention period: like an interval, but any whole number of any unit.
Result<Interval> parse_period(const std::string& text);

// Slots number the partitions of an interval: slot i covers [slot_start(i), slot_start(i + 1)).
// Slots are aligned on local midnight, ISO Monday, the first of the month or of January, counted from 1970.

// Returns the slot that holds the wall-clock time `local`.
std::int64_t slot_of(const Interval& iv, Micros local);
// Returns the wall-clock start of slot `slot`.
Micros slot_start(const Interval& iv, std::int64_t slot);

// Returns `local` moved back by `period` in calendar arithmetic (month ends clamp, as PostgreSQL does);
// `local` and the result must lie within the plannable range (see reaches_before_plannable).
Micros subtract_period(Micros local, const Interval& period);

// The wall-clock times partman plans partition bounds for: from 0001-01-01 up to 10000-01-01. PostgreSQL
// reads no year 0 and writes earlier years as BC; partition names keep four digits of the year; and the
// calendar arithmetic here counts years in 16 bits.
constexpr Micros k_first_plannable = -719162 * k_micros_per_day; // 0001-01-01 00:00
constexpr Micros k_end_plannable = 2932897 * k_micros_per_day;   // 10000-01-01 00:00

// The slots of an interval that lie wholly within the plannable range.
struct SlotRange
{
  std::int64_t first = 0;
  std::int64_t last = -1; // below `first`: no slot fits
};
// Returns the slots of `iv` that begin at or after k_first_plannable and end at or before k_end_plannable
// (computed without calendar arithmetic, so any interval is safe).
SlotRange plannable_slots(const Interval& iv);
// Returns true when `local` lies within the plannable range.
inline bool plannable(Micros local)
{
  return local >= k_first_plannable && local < k_end_plannable;
}
// Returns true when `local` (plannable) moved back by `period` falls before k_first_plannable.
bool reaches_before_plannable(Micros local, const Interval& period);

// Returns floor(a / b) for b > 0.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
  std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

} // namespace partman::core
