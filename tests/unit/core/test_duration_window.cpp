// Durations of the worker's configuration and the removal window.
#include <catch2/catch.hpp>

#include "partman/core/duration.hpp"
#include "partman/core/removal_window.hpp"
#include "partman/core/timepoint.hpp"

using namespace partman::core;

namespace {

Micros at(const char* text)
{
  const auto zone = find_zone("UTC");
  const auto t = parse_instant(text, *zone);
  REQUIRE(t);
  return *t;
}

} // namespace

TEST_CASE("durations read PostgreSQL's units and refuse the rest")
{
  CHECK(parse_duration("10min")->count() == 600'000);
  CHECK(parse_duration("30s")->count() == 30'000);
  CHECK(parse_duration("250ms")->count() == 250);
  CHECK(parse_duration("2 h")->count() == 7'200'000);
  CHECK(parse_duration("1d")->count() == 86'400'000);
  CHECK(parse_duration("0s")->count() == 0);
  for (const char* bad :
       {"", "10", "s", "-1s", "1.5s", "10 minutes", "5y", "366d", "99999999999999999999s"}) {
    const auto d = parse_duration(bad);
    INFO(bad);
    CHECK_FALSE(d);
    CHECK(d.error().find(std::string("'") + bad + "'") != std::string::npos);
  }
  CHECK(duration_text(Millis(600'000)) == "10min");
  CHECK(duration_text(Millis(1500)) == "1500ms");
  CHECK(duration_text(Millis(0)) == "0ms");
  CHECK(duration_text(Millis(86'400'000)) == "1d");
}

TEST_CASE("a removal window opens in its own time zone, also across midnight")
{
  const auto berlin = parse_removal_window("01:00-05:00 Europe/Berlin");
  REQUIRE(berlin);
  // 01:30 in Berlin in winter is 00:30 UTC; in summer 23:30 UTC the day before.
  CHECK(berlin->open_at(at("2026-01-15 00:30:00")));
  CHECK_FALSE(berlin->open_at(at("2026-01-15 04:30:00")));
  CHECK(berlin->open_at(at("2026-07-14 23:30:00")));
  CHECK_FALSE(berlin->open_at(at("2026-07-15 03:00:00")));
  CHECK(berlin->hold_reason().find("01:00-05:00 Europe/Berlin") != std::string::npos);

  const auto night = parse_removal_window("22:00-02:00");
  REQUIRE(night);
  CHECK(night->text == "22:00-02:00 UTC");
  CHECK(night->open_at(at("2026-03-01 23:59:00")));
  CHECK(night->open_at(at("2026-03-01 01:59:00")));
  CHECK_FALSE(night->open_at(at("2026-03-01 02:00:00")));
  CHECK_FALSE(night->open_at(at("2026-03-01 21:59:00")));
  CHECK(night->open_at(at("1969-12-31 23:00:00"))); // before 1970: the day still starts at midnight

  for (const char* bad : {"", "01:00", "1:00-05:00", "01:00-05:60", "24:00-01:00", "03:00-03:00 UTC",
                          "01:00-05:00 Mars/Olympus"}) {
    const auto w = parse_removal_window(bad);
    INFO(bad);
    CHECK_FALSE(w);
  }
}
