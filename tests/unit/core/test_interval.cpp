#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "partman/core/interval.hpp"

using namespace partman::core;
using partman::test::wall;

namespace {

// Returns the canonical text of a valid partition interval, or "ERROR: ..." for an invalid one.
std::string interval_text(const std::string& text)
{
  auto r = parse_partition_interval(text);
  return r ? r->text() : "ERROR: " + r.error();
}

std::string period_text(const std::string& text)
{
  auto r = parse_period(text);
  return r ? r->text() : "ERROR: " + r.error();
}

Interval iv(const std::string& text)
{
  auto r = parse_partition_interval(text);
  REQUIRE(r);
  return *r;
}

// Returns the wall-clock start of the slot holding `local`.
Micros start_of(const std::string& interval, const std::string& local)
{
  const Interval i = iv(interval);
  return slot_start(i, slot_of(i, wall(local)));
}

// Returns the wall-clock start of the slot after the one holding `local`.
Micros end_of(const std::string& interval, const std::string& local)
{
  const Interval i = iv(interval);
  return slot_start(i, slot_of(i, wall(local)) + 1);
}

} // namespace

TEST_CASE("aliases and canonical text")
{
  CHECK(parse_partition_interval("daily")->text() == "1 day");
  CHECK(parse_partition_interval("quarterly")->text() == "3 months");
  CHECK(parse_partition_interval("60 minutes")->text() == "1 hour");
  CHECK(!parse_partition_interval("7 minutes"));
}

TEST_CASE("interval: every alias maps to its unit and count")
{
  CHECK(iv("hourly") == Interval{Unit::hour, 1});
  CHECK(iv("daily") == Interval{Unit::day, 1});
  CHECK(iv("weekly") == Interval{Unit::week, 1});
  CHECK(iv("monthly") == Interval{Unit::month, 1});
  CHECK(iv("quarterly") == Interval{Unit::month, 3});
  CHECK(iv("yearly") == Interval{Unit::year, 1});
  CHECK(iv("Daily") == Interval{Unit::day, 1});
  CHECK(iv("  WEEKLY  ") == Interval{Unit::week, 1});
}

TEST_CASE("interval: numbers and units, singular and plural")
{
  CHECK(interval_text("15 minutes") == "15 minutes");
  CHECK(interval_text("30 minutes") == "30 minutes");
  CHECK(interval_text("45 minutes") == "45 minutes");
  CHECK(interval_text("90 minutes") == "90 minutes");
  CHECK(interval_text("120 minutes") == "2 hours");
  CHECK(interval_text("15 min") == "15 minutes");
  CHECK(interval_text("15 mins") == "15 minutes");
  CHECK(interval_text("1 hour") == "1 hour");
  CHECK(interval_text("6 hours") == "6 hours");
  CHECK(interval_text("1 day") == "1 day");
  CHECK(interval_text("7 days") == "7 days");
  CHECK(interval_text("1 week") == "1 week");
  CHECK(interval_text("2 weeks") == "2 weeks");
  CHECK(interval_text("1 month") == "1 month");
  CHECK(interval_text("1 mon") == "1 month");
  CHECK(interval_text("3 months") == "3 months");
  CHECK(interval_text("6 mons") == "6 months");
  CHECK(interval_text("1 year") == "1 year");
  CHECK(interval_text("10 years") == "10 years");
  CHECK(interval_text("1 Day") == "1 day");
  CHECK(interval_text(" 1   DAY ") == "1 day");
  CHECK(interval_text("1\tday") == "1 day");
  CHECK(iv("60 minutes") == Interval{Unit::hour, 1});
  CHECK(iv("3 months") == Interval{Unit::month, 3});
  CHECK(iv("100000 days") == Interval{Unit::day, 100000});
}

TEST_CASE("interval: minutes must be a multiple of 15")
{
  for (const char* bad : {"1 minute", "5 minutes", "7 minutes", "10 minutes", "20 minutes", "50 minutes"}) {
    INFO(bad);
    auto r = parse_partition_interval(bad);
    REQUIRE(!r);
    CHECK(r.error() ==
          std::string("invalid interval '") + bad +
              "': minutes must be a multiple of 15; HINT: use '15 minutes', '30 minutes' or hours");
  }
}

TEST_CASE("interval: bad text gives an error that names the bad value")
{
  for (const char* bad : {"", "day", "fortnight", "1 fortnight", "1.5 days", "-1 day", "+1 day",
                          "1 day 2 hours", "one day", "1 d", "12345678 days", "days 1", "1 days ago"}) {
    INFO(bad);
    auto r = parse_partition_interval(bad);
    REQUIRE(!r);
    CHECK(r.error().rfind(std::string("invalid interval '") + bad + "'", 0) == 0);
    CHECK(r.error().find("HINT") != std::string::npos);
  }
  auto zero = parse_partition_interval("0 days");
  REQUIRE(!zero);
  CHECK(zero.error() == "invalid interval '0 days': the number must be between 1 and 100000");
  auto huge = parse_partition_interval("100001 days");
  REQUIRE(!huge);
  CHECK(huge.error() == "invalid interval '100001 days': the number must be between 1 and 100000");
}

TEST_CASE("period: any count of any unit")
{
  CHECK(period_text("1 minute") == "1 minute");
  CHECK(period_text("7 minutes") == "7 minutes");
  CHECK(period_text("90 minutes") == "90 minutes");
  CHECK(period_text("180 minutes") == "3 hours");
  CHECK(period_text("5 hours") == "5 hours");
  CHECK(period_text("30 days") == "30 days");
  CHECK(period_text("1 week") == "1 week");
  CHECK(period_text("1 month") == "1 month");
  CHECK(period_text("13 months") == "13 months");
  CHECK(period_text("2 years") == "2 years");
  CHECK(period_text("quarterly") == "3 months");
  auto bad = parse_period("30 dayz");
  REQUIRE(!bad);
  CHECK(bad.error().rfind("invalid period '30 dayz'", 0) == 0);
  auto zero = parse_period("0 days");
  REQUIRE(!zero);
  CHECK(zero.error() == "invalid period '0 days': the number must be between 1 and 100000");
}

TEST_CASE("period and interval: years stop at 10000, so calendar arithmetic cannot wrap")
{
  // 60000 years back from 2026 once wrapped to the year 7562: every partition expired.
  for (const char* text : {"60000 years", "10001 years", "100000 years"}) {
    INFO(text);
    auto period = parse_period(text);
    REQUIRE(!period);
    CHECK(period.error() ==
          std::string("invalid period '") + text + "': the number must be between 1 and 10000");
    CHECK(!parse_partition_interval(text));
  }
  CHECK(period_text("10000 years") == "10000 years");
  CHECK(period_text("100000 months") == "100000 months");
  const Micros now = wall("2026-06-15");
  CHECK(subtract_period(now, *parse_period("10000 years")) < wall("0001-01-01"));
  CHECK(subtract_period(wall("9999-12-31"), *parse_period("10000 years")) < wall("0001-01-01"));
  const Interval longest = iv("10000 years");
  CHECK(slot_start(longest, slot_of(longest, now)) <= now);
  CHECK(slot_start(longest, slot_of(longest, now) + 1) > wall("9999-12-31"));
}

TEST_CASE("interval: sub_day and approximate length")
{
  CHECK(iv("15 minutes").sub_day());
  CHECK(iv("1 hour").sub_day());
  CHECK(iv("48 hours").sub_day());
  CHECK_FALSE(iv("1 day").sub_day());
  CHECK_FALSE(iv("1 week").sub_day());
  CHECK_FALSE(iv("1 month").sub_day());
  CHECK_FALSE(iv("1 year").sub_day());
  CHECK(iv("15 minutes").approx_micros() == 15 * k_micros_per_minute);
  CHECK(iv("2 hours").approx_micros() == 120 * k_micros_per_minute);
  CHECK(iv("1 day").approx_micros() == k_micros_per_day);
  CHECK(iv("2 weeks").approx_micros() == 14 * k_micros_per_day);
  CHECK(iv("3 months").approx_micros() == 90 * k_micros_per_day);
  CHECK(iv("1 year").approx_micros() == 365 * k_micros_per_day);
}

TEST_CASE("floor_div rounds towards minus infinity")
{
  CHECK(floor_div(7, 2) == 3);
  CHECK(floor_div(6, 2) == 3);
  CHECK(floor_div(0, 5) == 0);
  CHECK(floor_div(-1, 5) == -1);
  CHECK(floor_div(-5, 5) == -1);
  CHECK(floor_div(-6, 5) == -2);
}

TEST_CASE("slots: sub-day intervals align on the wall clock")
{
  CHECK(start_of("15 minutes", "2026-11-25 13:07:59") == wall("2026-11-25 13:00"));
  CHECK(end_of("15 minutes", "2026-11-25 13:07:59") == wall("2026-11-25 13:15"));
  CHECK(start_of("15 minutes", "2026-11-25 13:15") == wall("2026-11-25 13:15"));
  CHECK(start_of("15 minutes", "2026-11-25 13:14:59.999999") == wall("2026-11-25 13:00"));
  CHECK(start_of("30 minutes", "2026-11-25 23:59") == wall("2026-11-25 23:30"));
  CHECK(end_of("30 minutes", "2026-11-25 23:59") == wall("2026-11-26 00:00"));
  CHECK(start_of("1 hour", "2026-11-25 04:20") == wall("2026-11-25 04:00"));
  CHECK(end_of("1 hour", "2026-11-25 04:20") == wall("2026-11-25 05:00"));
  CHECK(start_of("6 hours", "2026-11-25 17:59") == wall("2026-11-25 12:00"));
  CHECK(end_of("6 hours", "2026-11-25 17:59") == wall("2026-11-25 18:00"));
  CHECK(start_of("1 hour", "1969-12-31 23:30") == wall("1969-12-31 23:00"));
  const Interval quarter = iv("15 minutes");
  CHECK(slot_of(quarter, wall("1970-01-01 00:00")) == 0);
  CHECK(slot_of(quarter, wall("1970-01-01 00:14:59")) == 0);
  CHECK(slot_of(quarter, wall("1970-01-01 00:15")) == 1);
  CHECK(slot_of(quarter, wall("1969-12-31 23:59:59")) == -1);
}

TEST_CASE("slots: days align on midnight, counted from 1970")
{
  const Interval day = iv("1 day");
  CHECK(slot_of(day, wall("1970-01-01 00:00")) == 0);
  CHECK(slot_of(day, wall("1970-01-01 23:59:59.999999")) == 0);
  CHECK(slot_of(day, wall("1970-01-02")) == 1);
  CHECK(slot_of(day, wall("1969-12-31 23:59:59")) == -1);
  CHECK(slot_start(day, -1) == wall("1969-12-31"));
  CHECK(start_of("1 day", "2026-11-25 13:00") == wall("2026-11-25"));
  CHECK(end_of("1 day", "2026-11-25 13:00") == wall("2026-11-26"));
  CHECK(start_of("1 day", "2028-02-29 12:00") == wall("2028-02-29"));
  CHECK(end_of("1 day", "2028-02-29 12:00") == wall("2028-03-01"));
  CHECK(end_of("1 day", "2026-02-28 12:00") == wall("2026-03-01"));
  CHECK(end_of("1 day", "2026-12-31 12:00") == wall("2027-01-01"));
  // 2 days count from 1970-01-01: 2026-11-25 is day 20782 (even), 2026-11-26 day 20783 (odd).
  CHECK(slot_of(day, wall("2026-11-25")) == 20782);
  CHECK(start_of("2 days", "2026-11-25 13:00") == wall("2026-11-25"));
  CHECK(end_of("2 days", "2026-11-25 13:00") == wall("2026-11-27"));
  CHECK(start_of("2 days", "2026-11-26 13:00") == wall("2026-11-25"));
}

TEST_CASE("slots: weeks are ISO weeks starting on Monday")
{
  const Interval week = iv("1 week");
  CHECK(slot_start(week, 0) == wall("1969-12-29"));
  CHECK(slot_of(week, wall("1970-01-01")) == 0);
  CHECK(slot_of(week, wall("1970-01-04 23:59")) == 0);
  CHECK(slot_of(week, wall("1970-01-05")) == 1);
  CHECK(slot_of(week, wall("1969-12-28 23:59")) == -1);
  CHECK(start_of("1 week", "2026-11-25 10:00") == wall("2026-11-23")); // Wednesday
  CHECK(start_of("1 week", "2026-11-23 00:00") == wall("2026-11-23")); // Monday
  CHECK(start_of("1 week", "2026-11-29 23:59") == wall("2026-11-23")); // Sunday
  CHECK(end_of("1 week", "2026-11-29 23:59") == wall("2026-11-30"));
  CHECK(start_of("1 week", "2027-01-01") == wall("2026-12-28"));
  CHECK(end_of("1 week", "2027-01-01") == wall("2027-01-04"));
  CHECK(start_of("2 weeks", "1970-01-12") == wall("1970-01-12"));
  CHECK(start_of("2 weeks", "1970-01-11") == wall("1969-12-29"));
}

TEST_CASE("slots: months, quarters and years align on the first of the month and of January")
{
  CHECK(start_of("1 month", "2026-11-25 13:00") == wall("2026-11-01"));
  CHECK(end_of("1 month", "2026-11-25 13:00") == wall("2026-12-01"));
  CHECK(end_of("1 month", "2026-12-31 23:59") == wall("2027-01-01"));
  CHECK(start_of("1 month", "2028-02-29 23:59") == wall("2028-02-01"));
  CHECK(end_of("1 month", "2028-02-29 23:59") == wall("2028-03-01"));
  CHECK(start_of("1 month", "1969-05-10") == wall("1969-05-01"));
  CHECK(slot_of(iv("1 month"), wall("1970-01-31")) == 0);
  CHECK(slot_of(iv("1 month"), wall("1969-12-31")) == -1);
  CHECK(slot_of(iv("1 month"), wall("2026-11-25")) == 56 * 12 + 10);

  CHECK(start_of("quarterly", "2026-01-01") == wall("2026-01-01"));
  CHECK(start_of("quarterly", "2026-03-31 23:59") == wall("2026-01-01"));
  CHECK(start_of("quarterly", "2026-05-20") == wall("2026-04-01"));
  CHECK(end_of("quarterly", "2026-05-20") == wall("2026-07-01"));
  CHECK(start_of("quarterly", "2026-08-01") == wall("2026-07-01"));
  CHECK(start_of("quarterly", "2026-12-31") == wall("2026-10-01"));
  CHECK(end_of("quarterly", "2026-12-31") == wall("2027-01-01"));
  CHECK(start_of("quarterly", "1969-12-31") == wall("1969-10-01"));
  CHECK(start_of("6 months", "2026-07-01") == wall("2026-07-01"));
  CHECK(start_of("6 months", "2026-06-30") == wall("2026-01-01"));

  CHECK(start_of("1 year", "2026-07-01") == wall("2026-01-01"));
  CHECK(end_of("1 year", "2026-07-01") == wall("2027-01-01"));
  CHECK(start_of("1 year", "2026-12-31 23:59:59") == wall("2026-01-01"));
  CHECK(start_of("1 year", "1969-06-01") == wall("1969-01-01"));
  CHECK(start_of("2 years", "2027-05-05") == wall("2026-01-01"));
  CHECK(end_of("2 years", "2027-05-05") == wall("2028-01-01"));
  CHECK(slot_of(iv("1 year"), wall("2026-07-01")) == 56);
}

TEST_CASE("slots: slot_start and slot_of are inverse over a long range")
{
  for (const char* text : {"15 minutes", "1 hour", "1 day", "1 week", "1 month", "3 months", "1 year"}) {
    INFO(text);
    const Interval i = iv(text);
    for (std::int64_t slot = -30; slot <= 30; ++slot) {
      const std::int64_t s = slot * 997; // spread over centuries for the long units
      const Micros begin = slot_start(i, s);
      REQUIRE(slot_start(i, s + 1) > begin);
      CHECK(slot_of(i, begin) == s);
      CHECK(slot_of(i, slot_start(i, s + 1) - 1) == s);
    }
  }
}

TEST_CASE("subtract_period: calendar arithmetic, month ends clamp")
{
  auto sub = [](const std::string& local, const std::string& period) {
    auto p = parse_period(period);
    REQUIRE(p);
    return subtract_period(wall(local), *p);
  };
  CHECK(sub("2026-11-25 13:45", "90 minutes") == wall("2026-11-25 12:15"));
  CHECK(sub("2026-11-25 01:00", "2 hours") == wall("2026-11-24 23:00"));
  CHECK(sub("2026-11-25 13:45", "30 days") == wall("2026-10-26 13:45"));
  CHECK(sub("2026-03-01 00:00", "1 day") == wall("2026-02-28"));
  CHECK(sub("2028-03-01 00:00", "1 day") == wall("2028-02-29"));
  CHECK(sub("2026-11-25 13:45", "2 weeks") == wall("2026-11-11 13:45"));
  CHECK(sub("2026-11-25 13:45", "1 month") == wall("2026-10-25 13:45"));
  CHECK(sub("2026-03-31 08:00", "1 month") == wall("2026-02-28 08:00"));
  CHECK(sub("2028-03-31 08:00", "1 month") == wall("2028-02-29 08:00"));
  CHECK(sub("2026-05-31", "1 month") == wall("2026-04-30"));
  CHECK(sub("2026-05-31", "3 months") == wall("2026-02-28"));
  CHECK(sub("2026-01-15", "1 month") == wall("2025-12-15"));
  CHECK(sub("2026-01-31 23:59:59.5", "13 months") == wall("2024-12-31 23:59:59.5"));
  CHECK(sub("2028-02-29 12:00", "1 year") == wall("2027-02-28 12:00"));
  CHECK(sub("2032-02-29 12:00", "4 years") == wall("2028-02-29 12:00"));
  CHECK(sub("1970-01-01 06:00", "1 month") == wall("1969-12-01 06:00"));
  CHECK(sub("1969-03-31 06:00", "1 month") == wall("1969-02-28 06:00"));
}

TEST_CASE("slots: the plannable slots lie wholly within 0001-01-01 to 9999-12-31, for any interval")
{
  CHECK(k_first_plannable == wall("0001-01-01"));
  CHECK(k_end_plannable == wall("9999-12-31") + k_micros_per_day);
  for (const char* text : {"15 minutes", "2 hours", "1 day", "3 days", "1 week", "2 weeks", "1 month",
                           "5 months", "1 year", "7 years", "1000 years"}) {
    INFO(text);
    const Interval i = iv(text);
    const SlotRange r = plannable_slots(i);
    REQUIRE(r.first <= r.last);
    CHECK(slot_start(i, r.first) >= k_first_plannable);
    CHECK(slot_start(i, r.first - 1) < k_first_plannable);
    CHECK(slot_start(i, r.last + 1) <= k_end_plannable);
    CHECK(slot_start(i, r.last + 2) > k_end_plannable);
  }
  CHECK(plannable_slots(iv("1 day")).first == slot_of(iv("1 day"), wall("0001-01-01")));
  CHECK(plannable_slots(iv("1 day")).last == slot_of(iv("1 day"), wall("9999-12-31")));
  // One slot of 5000 years fits ([1970, 6970)); none of 10000 years does.
  CHECK(plannable_slots(iv("5000 years")).first == 0);
  CHECK(plannable_slots(iv("5000 years")).last == 0);
  CHECK(plannable_slots(iv("10000 years")).first > plannable_slots(iv("10000 years")).last);
  CHECK(plannable_slots(iv("100000 hours")).first <= plannable_slots(iv("100000 hours")).last);
}

TEST_CASE("reaches_before_plannable: a period that goes back past 0001-01-01")
{
  CHECK(!reaches_before_plannable(wall("2026-11-25"), *parse_period("2025 years")));
  CHECK(reaches_before_plannable(wall("2026-11-25"), *parse_period("2026 years")));
  CHECK(reaches_before_plannable(wall("2026-11-25"), *parse_period("10000 years")));
  CHECK(!reaches_before_plannable(wall("0001-01-31"), *parse_period("30 days")));
  CHECK(reaches_before_plannable(wall("0001-01-31"), *parse_period("31 days")));
  CHECK(reaches_before_plannable(wall("0001-01-31"), *parse_period("1 month")));
}
