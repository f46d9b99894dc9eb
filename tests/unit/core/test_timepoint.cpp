#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "partman/core/timepoint.hpp"

using namespace partman::core;
using partman::test::at;
using partman::test::wall;
using partman::test::zone;

namespace {

constexpr Micros k_hour = 60 * k_micros_per_minute;

// Returns the instant of `text` formatted in `zone_name` with its offset.
std::string instant_in(const std::string& zone_name, const std::string& utc_text)
{
  return format_instant(zone(zone_name), at(utc_text));
}

} // namespace

TEST_CASE("find_zone: known and unknown zones")
{
  REQUIRE(find_zone("UTC"));
  REQUIRE(find_zone("Europe/Berlin"));
  REQUIRE(find_zone("America/New_York"));
  auto bad = find_zone("Mars/Olympus_Mons");
  REQUIRE(!bad);
  CHECK(bad.error() ==
        "unknown time zone 'Mars/Olympus_Mons'; HINT: use an IANA name such as 'UTC', 'Europe/Berlin' or "
        "'America/New_York'");
  CHECK(!find_zone(""));
  CHECK(!find_zone("europe/berlin_x"));
}

TEST_CASE("NamedZone: looked up once when made, and an unknown name keeps no rules")
{
  const NamedZone utc;
  CHECK(utc.name() == "UTC");
  CHECK(utc.rules() == utc_zone());
  CHECK(to_local(utc.rules(), at("2026-01-15 12:00Z")) == wall("2026-01-15 12:00"));
  const NamedZone berlin("Europe/Berlin");
  CHECK(berlin.name() == "Europe/Berlin");
  CHECK(berlin.rules() == zone("Europe/Berlin"));
  const NamedZone bad("Mars/Olympus_Mons");
  CHECK(bad.name() == "Mars/Olympus_Mons");
  CHECK(bad.rules() == nullptr);
  CHECK(unknown_zone_error(bad.name()) == find_zone("Mars/Olympus_Mons").error());
}

TEST_CASE("to_local and to_utc in Europe/Berlin, away from DST changes")
{
  const Zone berlin = zone("Europe/Berlin");
  CHECK(to_local(berlin, at("2026-01-15 12:00Z")) == wall("2026-01-15 13:00"));
  CHECK(to_local(berlin, at("2026-07-15 12:00Z")) == wall("2026-07-15 14:00"));
  CHECK(to_utc(berlin, wall("2026-01-15 13:00")) == at("2026-01-15 12:00Z"));
  CHECK(to_utc(berlin, wall("2026-07-15 14:00")) == at("2026-07-15 12:00Z"));
  CHECK(to_local(zone("UTC"), at("2026-07-15 12:00Z")) == wall("2026-07-15 12:00"));
  CHECK(to_utc(zone("UTC"), wall("2026-07-15 12:00")) == at("2026-07-15 12:00Z"));
  // UTC and Etc/UTC skip the tz database; they agree with its own UTC (Etc/UCT) from 1900 to 2400.
  for (const char* t : {"1900-01-01 00:00Z", "1970-01-01 00:00Z", "2026-03-29 01:00Z", "2399-12-31 23:59Z"}) {
    for (const char* name : {"UTC", "Etc/UTC"}) {
      CHECK(to_local(zone(name), at(t)) == to_local(zone("Etc/UCT"), at(t)));
      CHECK(to_utc(zone(name), at(t)) == to_utc(zone("Etc/UCT"), at(t)));
    }
  }
}

TEST_CASE("to_utc: a time skipped by spring-forward maps to the transition instant")
{
  const Zone berlin = zone("Europe/Berlin");
  // 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST at 01:00 UTC.
  CHECK(to_utc(berlin, wall("2026-03-29 01:59:59")) == at("2026-03-29 00:59:59Z"));
  CHECK(to_utc(berlin, wall("2026-03-29 02:00")) == at("2026-03-29 01:00Z"));
  CHECK(to_utc(berlin, wall("2026-03-29 02:30")) == at("2026-03-29 01:00Z"));
  CHECK(to_utc(berlin, wall("2026-03-29 02:59:59.999999")) == at("2026-03-29 01:00Z"));
  CHECK(to_utc(berlin, wall("2026-03-29 03:00")) == at("2026-03-29 01:00Z"));
  CHECK(to_utc(berlin, wall("2026-03-29 03:30")) == at("2026-03-29 01:30Z"));
  const Zone ny = zone("America/New_York");
  // 2026-03-08: New York jumps from 02:00 EST to 03:00 EDT at 07:00 UTC.
  CHECK(to_utc(ny, wall("2026-03-08 02:30")) == at("2026-03-08 07:00Z"));
  CHECK(to_utc(ny, wall("2026-03-08 01:59")) == at("2026-03-08 06:59Z"));
  CHECK(to_utc(ny, wall("2026-03-08 03:00")) == at("2026-03-08 07:00Z"));
}

TEST_CASE("to_utc: an ambiguous fall-back time takes the later offset")
{
  const Zone berlin = zone("Europe/Berlin");
  // 2026-10-25: Berlin falls back from 03:00 CEST to 02:00 CET at 01:00 UTC; 02:00-03:00 happens twice.
  CHECK(to_utc(berlin, wall("2026-10-25 01:59")) == at("2026-10-24 23:59Z"));
  CHECK(to_utc(berlin, wall("2026-10-25 02:00")) == at("2026-10-25 01:00Z"));
  CHECK(to_utc(berlin, wall("2026-10-25 02:30")) == at("2026-10-25 01:30Z"));
  CHECK(to_utc(berlin, wall("2026-10-25 03:00")) == at("2026-10-25 02:00Z"));
  // Both instants read back as the same wall-clock time.
  CHECK(to_local(berlin, at("2026-10-25 00:30Z")) == wall("2026-10-25 02:30"));
  CHECK(to_local(berlin, at("2026-10-25 01:30Z")) == wall("2026-10-25 02:30"));
  const Zone ny = zone("America/New_York");
  // 2026-11-01: New York falls back from 02:00 EDT to 01:00 EST at 06:00 UTC.
  CHECK(to_utc(ny, wall("2026-11-01 01:30")) == at("2026-11-01 06:30Z"));
  CHECK(to_utc(ny, wall("2026-11-01 00:30")) == at("2026-11-01 04:30Z"));
}

TEST_CASE("format_local and format_date")
{
  CHECK(format_local(0) == "1970-01-01 00:00:00");
  CHECK(format_local(wall("2026-11-25 04:20")) == "2026-11-25 04:20:00");
  CHECK(format_local(wall("2026-11-25 04:20") + 1) == "2026-11-25 04:20:00.000001");
  CHECK(format_local(wall("2026-11-25 04:20") + 500000) == "2026-11-25 04:20:00.500000");
  CHECK(format_local(-1) == "1969-12-31 23:59:59.999999");
  CHECK(format_local(-k_micros_per_second) == "1969-12-31 23:59:59");
  CHECK(format_local(wall("2028-02-29 23:59:59")) == "2028-02-29 23:59:59");
  CHECK(format_date(wall("2028-02-29")) == "2028-02-29");
  CHECK(format_date(wall("2028-02-29 23:59:59")) == "2028-02-29");
  CHECK(format_date(-1) == "1969-12-31");
  CHECK(format_date(0) == "1970-01-01");
}

TEST_CASE("format_instant: wall clock in the zone with the explicit offset")
{
  CHECK(instant_in("UTC", "2026-11-25 04:20Z") == "2026-11-25 04:20:00+00:00");
  CHECK(instant_in("Europe/Berlin", "2026-11-24 23:00Z") == "2026-11-25 00:00:00+01:00");
  CHECK(instant_in("Europe/Berlin", "2026-03-28 23:00Z") == "2026-03-29 00:00:00+01:00");
  CHECK(instant_in("Europe/Berlin", "2026-03-29 22:00Z") == "2026-03-30 00:00:00+02:00");
  CHECK(instant_in("Europe/Berlin", "2026-03-29 00:59:59Z") == "2026-03-29 01:59:59+01:00");
  CHECK(instant_in("Europe/Berlin", "2026-03-29 01:00Z") == "2026-03-29 03:00:00+02:00");
  CHECK(instant_in("Europe/Berlin", "2026-10-25 00:30Z") == "2026-10-25 02:30:00+02:00");
  CHECK(instant_in("Europe/Berlin", "2026-10-25 01:30Z") == "2026-10-25 02:30:00+01:00");
  CHECK(instant_in("America/New_York", "2026-03-08 05:00Z") == "2026-03-08 00:00:00-05:00");
  CHECK(instant_in("America/New_York", "2026-03-09 04:00Z") == "2026-03-09 00:00:00-04:00");
  CHECK(instant_in("Asia/Kolkata", "2026-11-24 18:30Z") == "2026-11-25 00:00:00+05:30");
  CHECK(instant_in("Asia/Kathmandu", "2026-11-24 18:15Z") == "2026-11-25 00:00:00+05:45");
  CHECK(instant_in("UTC", "2026-11-25 04:20:00.25Z") == "2026-11-25 04:20:00.250000+00:00");
  // Local mean time before 1893 has an offset with seconds.
  CHECK(instant_in("Europe/Berlin", "1890-01-01 00:00Z") == "1890-01-01 00:53:28+00:53:28");
  CHECK(instant_in("America/New_York", "1880-01-01 00:00Z") == "1879-12-31 19:03:58-04:56:02");
}

TEST_CASE("parse_instant: every accepted form")
{
  const Zone utc = zone("UTC");
  const Zone berlin = zone("Europe/Berlin");
  const Micros noon = 1795608000LL * k_micros_per_second; // 2026-11-25 12:00:00 UTC
  auto parse = [](const std::string& text, Zone z) {
    auto r = parse_instant(text, z);
    INFO(text);
    REQUIRE(r);
    return *r;
  };
  CHECK(parse("2026-11-25 12:00:00Z", utc) == noon);
  CHECK(parse("2026-11-25T12:00:00Z", berlin) == noon);
  CHECK(parse("2026-11-25t12:00:00z", berlin) == noon);
  CHECK(parse("2026-11-25T12:00Z", berlin) == noon);
  CHECK(parse("2026-11-25 13:00:00+01:00", utc) == noon);
  CHECK(parse("2026-11-25 13:00+01:00", utc) == noon);
  CHECK(parse("2026-11-25 13:00:00+01", utc) == noon);
  CHECK(parse("2026-11-25 07:00:00-05:00", berlin) == noon);
  CHECK(parse("2026-11-25 17:30:00+05:30", berlin) == noon);
  CHECK(parse("2026-11-25 12:00:00.5Z", utc) == noon + 500000);
  CHECK(parse("2026-11-25 12:00:00.000001Z", utc) == noon + 1);
  CHECK(parse("2026-11-25 12:00", utc) == noon);
  CHECK(parse("2026-11-25 12:00:00", utc) == noon);
  CHECK(parse("2026-11-25 13:00", berlin) == noon);
  CHECK(parse("2026-11-25", utc) == noon - 12 * k_hour);
  CHECK(parse("2026-11-25", berlin) == noon - 13 * k_hour);
  CHECK(parse("2026-11-25+01:00", utc) == noon - 13 * k_hour);
  CHECK(parse("2026-07-01", berlin) == at("2026-06-30 22:00Z"));
  CHECK(parse("2028-02-29", utc) == wall("2028-02-29"));
  CHECK(parse("1969-12-31 23:59:59Z", utc) == -k_micros_per_second);
  // Without an offset the time is read in the zone, with the zone's DST rules.
  CHECK(parse("2026-03-29 02:30", berlin) == at("2026-03-29 01:00Z"));
  CHECK(parse("2026-10-25 02:30", berlin) == at("2026-10-25 01:30Z"));
  CHECK(parse("2026-10-25 02:30+02:00", berlin) == at("2026-10-25 00:30Z"));
  // Fields of one digit, and an offset of hours only.
  CHECK(parse("2026-11-25 13:00+1", utc) == noon);
  CHECK(parse("2026-11-25 7:0:0-5", berlin) == noon);
  CHECK(parse("2026-1-5", utc) == wall("2026-01-05"));
}

TEST_CASE("parse_instant: bad text gives an error that names it")
{
  for (const char* bad :
       {"", "yesterday", "2026-11-25 25:00", "2026-13-01", "2026-02-30", "2027-02-29", "2026-11-25 12:00 UTC",
        "2026-11-25 12:00:00+01:00 extra", "25.11.2026", "2026/11/25", "2026-11-25 12",
        // a sign without digits, seconds without digits (date::parse overflowed or read an unset value on
        // these: the sanitized build aborted)
        "2026-06-03-x", "2026-11-25 13:00-", "2026-11-25+", "2026-11-25 12:00:00+:00",
        "03-6-03-\x8b"
        "8",
        "9999-12-31t23:59:`59.9z",
        // typos date::parse misread: as an offset of 13 hours, a seventh digit of a fraction as 7 hours
        "2026-11-2513:00", "2026-11-25 13:00:05.1234567",
        // a year of fewer than four digits, a leap second, other separators
        "26-11-25", "+2026-11-25", "2026-11-25 13:00:60", "2026-11-25\t13:00", "2026-11-25  13:00",
        " 2026-11-25", "2026-11-25 13:00+0100", "2026-11-25 13:00+01:5"}) {
    INFO(bad);
    auto r = parse_instant(bad, zone("UTC"));
    REQUIRE(!r);
    CHECK(r.error().rfind(std::string("invalid timestamp '") + bad + "'; HINT:", 0) == 0);
  }
}

TEST_CASE("parse_instant: an offset beyond 15:59 either way is refused, naming it")
{
  const Zone utc = zone("UTC");
  CHECK(parse_instant("2026-11-25 12:00:00+15:59", utc));
  CHECK(parse_instant("2026-11-25 12:00:00-15:59", utc));
  CHECK(*parse_instant("2026-11-25 12:00+14:00", utc) == at("2026-11-24 22:00Z"));
  for (const char* bad :
       {"2026-11-25 12:00:00+16:00", "2026-11-25T00:00+25:00", "2026-11-25-16", "2026-11-25 12:00-99:59"}) {
    INFO(bad);
    auto r = parse_instant(bad, utc);
    REQUIRE(!r);
    CHECK(r.error().rfind(std::string("invalid timestamp '") + bad + "': its UTC offset ", 0) == 0);
  }
  CHECK(parse_instant("2026-11-25T00:00+25:00", utc).error() ==
        "invalid timestamp '2026-11-25T00:00+25:00': its UTC offset +25:00 is beyond -15:59 to +15:59; HINT: "
        "write an offset such as +01:00 or -05:00, or Z for UTC");
  CHECK(parse_instant("2026-11-25-16", utc).error().find("its UTC offset -16:00 is beyond") !=
        std::string::npos);
}

TEST_CASE("parse_instant: dates from 0001-01-01 to 9999-12-31 only")
{
  CHECK(parse_instant("0001-01-01", zone("UTC")));
  CHECK(parse_instant("9999-12-31 23:59:59", zone("UTC")));
  CHECK(parse_instant("9999-12-31 23:59:59-05:00", zone("UTC"))); // after 10000-01-01 in UTC
  for (const char* bad : {"0000-12-31", "0000-06-01 12:00+01:00", "-0001-01-01"}) {
    INFO(bad);
    auto r = parse_instant(bad, zone("UTC"));
    REQUIRE(!r);
    CHECK(r.error().rfind(std::string("invalid timestamp '") + bad + "'", 0) == 0);
  }
  CHECK(parse_instant("0000-12-31", zone("UTC")).error() ==
        "invalid timestamp '0000-12-31': partman reads dates from 0001-01-01 to 9999-12-31");
}
