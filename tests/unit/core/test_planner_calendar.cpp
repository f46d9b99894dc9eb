// The planner's time slots on the calendar: DST changes, repeated hours, leap days, weeks, quarters, years.
#include <catch2/catch.hpp>

#include "partman/core/planner.hpp"
#include "planner_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("planner: daily partitions across DST in Europe/Berlin")
{
  const auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "daily", 2, "Europe/Berlin");
  SECTION("spring forward: 2026-03-29 has 23 hours")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-03-28 12:00Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p20260328 [2026-03-28 00:00:00+01:00, 2026-03-29 00:00:00+01:00)",
                "create public.events_p20260329 [2026-03-29 00:00:00+01:00, 2026-03-30 00:00:00+02:00)",
                "create public.events_p20260330 [2026-03-30 00:00:00+02:00, 2026-03-31 00:00:00+02:00)"});
    REQUIRE(pp.actions.size() == 3);
    CHECK(key(pp.actions[1].to) - key(pp.actions[1].from) == 23 * 60 * k_micros_per_minute);
    check_idempotent(parent, policy, at("2026-03-28 12:00Z"));
  }
  SECTION("fall back: 2026-10-25 has 25 hours")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-10-24 12:00Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p20261024 [2026-10-24 00:00:00+02:00, 2026-10-25 00:00:00+02:00)",
                "create public.events_p20261025 [2026-10-25 00:00:00+02:00, 2026-10-26 00:00:00+01:00)",
                "create public.events_p20261026 [2026-10-26 00:00:00+01:00, 2026-10-27 00:00:00+01:00)"});
    REQUIRE(pp.actions.size() == 3);
    CHECK(key(pp.actions[1].to) - key(pp.actions[1].from) == 25 * 60 * k_micros_per_minute);
    check_idempotent(parent, policy, at("2026-10-24 12:00Z"));
  }
  SECTION("now is read in the zone: 23:30 UTC is already tomorrow in Berlin")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-24 23:30Z"));
    CHECK(created(pp) == Lines{"events_p20261125", "events_p20261126", "events_p20261127"});
    CHECK(pp.actions[0].reason == "current: holds now (2026-11-25 00:30:00+01:00)");
  }
}

TEST_CASE("planner: daily partitions across DST in America/New_York")
{
  const auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 1, "America/New_York");
  const ParentPlan spring = plan_parent(parent, policy, at("2026-03-08 12:00Z"));
  CHECK(actions_of(spring) ==
        Lines{"create public.events_p20260308 [2026-03-08 00:00:00-05:00, 2026-03-09 00:00:00-04:00)",
              "create public.events_p20260309 [2026-03-09 00:00:00-04:00, 2026-03-10 00:00:00-04:00)"});
  const ParentPlan fall = plan_parent(parent, policy, at("2026-11-01 12:00Z"));
  CHECK(actions_of(fall) ==
        Lines{"create public.events_p20261101 [2026-11-01 00:00:00-04:00, 2026-11-02 00:00:00-05:00)",
              "create public.events_p20261102 [2026-11-02 00:00:00-05:00, 2026-11-03 00:00:00-05:00)"});
  // 02:00 UTC on 2026-03-08 is still the evening of 03-07 in New York.
  CHECK(created(plan_parent(parent, policy, at("2026-03-08 02:00Z"))) ==
        Lines{"events_p20260307", "events_p20260308"});
  check_idempotent(parent, policy, at("2026-03-08 12:00Z"));
  check_idempotent(parent, policy, at("2026-11-01 12:00Z"));
}

TEST_CASE("planner: hourly partitions across DST in Europe/Berlin")
{
  const auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "hourly", 3, "Europe/Berlin");
  SECTION("spring forward: the skipped hour gets no partition, no zero-width range")
  {
    const Micros now = at("2026-03-29 00:10Z"); // 01:10 CET
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(actions_of(pp) == Lines{"create public.events_p20260329_0100 [2026-03-29 01:00:00+01:00, "
                                  "2026-03-29 03:00:00+02:00)",
                                  "create public.events_p20260329_0300 [2026-03-29 03:00:00+02:00, "
                                  "2026-03-29 04:00:00+02:00)",
                                  "create public.events_p20260329_0400 [2026-03-29 04:00:00+02:00, "
                                  "2026-03-29 05:00:00+02:00)"});
    REQUIRE(pp.actions.size() == 3);
    CHECK(pp.actions[0].reason == "current: holds now (2026-03-29 01:10:00+01:00)");
    CHECK(pp.actions[1].reason == "premake: 2 of 3 ahead of 2026-03-29 01:10:00+01:00");
    for (const auto& a : pp.actions)
      CHECK(key(a.to) - key(a.from) == 60 * k_micros_per_minute);
    check_idempotent(parent, policy, now);
  }
  SECTION("fall back: the repeated hour takes the later offset, ranges stay contiguous")
  {
    const Micros now = at("2026-10-24 23:10Z"); // 01:10 CEST
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(actions_of(pp) == Lines{"create public.events_p20261025_0100 [2026-10-25 01:00:00+02:00, "
                                  "2026-10-25 02:00:00+01:00)",
                                  "create public.events_p20261025_0200 [2026-10-25 02:00:00+01:00, "
                                  "2026-10-25 03:00:00+01:00)",
                                  "create public.events_p20261025_0300 [2026-10-25 03:00:00+01:00, "
                                  "2026-10-25 04:00:00+01:00)",
                                  "create public.events_p20261025_0400 [2026-10-25 04:00:00+01:00, "
                                  "2026-10-25 05:00:00+01:00)"});
    check_idempotent(parent, policy, now);
  }
  SECTION("now inside the first pass of the repeated hour: the current partition holds now")
  {
    const Micros now = at("2026-10-25 00:30Z"); // 02:30 CEST, before the clocks go back
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(!pp.actions.empty());
    const Action& current = pp.actions[0];
    CHECK(current.name == "events_p20261025_0100");
    CHECK(current.from == "2026-10-25 01:00:00+02:00");
    CHECK(current.to == "2026-10-25 02:00:00+01:00");
    CHECK(key(current.from) <= now);
    CHECK(now < key(current.to));
    CHECK(current.reason == "current: holds now (2026-10-25 02:30:00+02:00)");
    check_idempotent(parent, policy, now);
  }
  SECTION("a start inside the first pass of the repeated hour: the first partition holds it")
  {
    auto backfill = policy;
    backfill.start = at("2026-10-25 00:30Z"); // 02:30 CEST
    const ParentPlan pp = plan_parent(parent, backfill, at("2026-10-25 05:00Z"));
    REQUIRE(!pp.actions.empty());
    CHECK(pp.actions[0].name == "events_p20261025_0100");
    CHECK(pp.actions[0].reason == "backfill from start 2026-10-25 01:00:00+02:00");
    // now is 06:00 CET: backfill 01:00 ... 05:00, current 06:00, premake 07:00 ... 09:00.
    CHECK(created(pp) == Lines{"events_p20261025_0100", "events_p20261025_0200", "events_p20261025_0300",
                               "events_p20261025_0400", "events_p20261025_0500", "events_p20261025_0600",
                               "events_p20261025_0700", "events_p20261025_0800", "events_p20261025_0900"});
    CHECK(pp.actions[5].reason == "current: holds now (2026-10-25 06:00:00+01:00)");
  }
  SECTION("now inside the second pass of the repeated hour")
  {
    const Micros now = at("2026-10-25 01:30Z"); // 02:30 CET
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(!pp.actions.empty());
    CHECK(pp.actions[0].name == "events_p20261025_0200");
    CHECK(pp.actions[0].reason == "current: holds now (2026-10-25 02:30:00+01:00)");
  }
}

TEST_CASE("planner: 15-minute partitions in the repeated hour hold now")
{
  const auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "15 minutes", 2, "Europe/Berlin");
  const Micros now = at("2026-10-25 00:30Z"); // 02:30 CEST
  const ParentPlan pp = plan_parent(parent, policy, now);
  REQUIRE(!pp.actions.empty());
  CHECK(key(pp.actions[0].from) <= now);
  CHECK(now < key(pp.actions[0].to));
  CHECK(pp.actions[0].name == "events_p20261025_0145");
  CHECK(pp.actions[0].to == "2026-10-25 02:00:00+01:00");
  check_idempotent(parent, policy, now);
  // Spring forward: the four quarters of 02:00-03:00 are all skipped.
  const ParentPlan spring = plan_parent(
      parent, make_policy("public", "events", "15 minutes", 5, "Europe/Berlin"), at("2026-03-29 00:50Z"));
  // premake 5 counts the four empty quarters: 01:45 (current), 02:00..02:45 (skipped), 03:00.
  CHECK(created(spring) == Lines{"events_p20260329_0145", "events_p20260329_0300"});
  CHECK(spring.actions[0].to == "2026-03-29 03:00:00+02:00");
}

TEST_CASE("planner: February 29, ISO weeks, quarters and years")
{
  const auto parent = make_parent("public", "events");
  SECTION("monthly over a leap February")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "monthly", 1), at("2028-02-10Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p202802 [2028-02-01 00:00:00+00:00, 2028-03-01 00:00:00+00:00)",
                "create public.events_p202803 [2028-03-01 00:00:00+00:00, 2028-04-01 00:00:00+00:00)"});
  }
  SECTION("daily over a leap day")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "daily", 2), at("2028-02-28 23:00Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p20280228 [2028-02-28 00:00:00+00:00, 2028-02-29 00:00:00+00:00)",
                "create public.events_p20280229 [2028-02-29 00:00:00+00:00, 2028-03-01 00:00:00+00:00)",
                "create public.events_p20280301 [2028-03-01 00:00:00+00:00, 2028-03-02 00:00:00+00:00)"});
  }
  SECTION("weekly over the turn of the year: 2027-01-01 is in ISO week 2026w53")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "weekly", 1), at("2027-01-01 10:00Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p2026w53 [2026-12-28 00:00:00+00:00, 2027-01-04 00:00:00+00:00)",
                "create public.events_p2027w01 [2027-01-04 00:00:00+00:00, 2027-01-11 00:00:00+00:00)"});
    CHECK(created(plan_parent(parent, make_policy("public", "events", "weekly", 0 + 1), at("2026-12-28Z"))) ==
          Lines{"events_p2026w53", "events_p2027w01"});
  }
  SECTION("weekly in Berlin starts on Monday midnight local time")
  {
    const ParentPlan pp = plan_parent(parent, make_policy("public", "events", "1 week", 1, "Europe/Berlin"),
                                      at("2026-11-22 23:30Z")); // Monday 00:30 in Berlin
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p2026w48 [2026-11-23 00:00:00+01:00, 2026-11-30 00:00:00+01:00)",
                "create public.events_p2026w49 [2026-11-30 00:00:00+01:00, 2026-12-07 00:00:00+01:00)"});
  }
  SECTION("quarterly in Berlin")
  {
    const ParentPlan pp = plan_parent(
        parent, make_policy("public", "events", "quarterly", 2, "Europe/Berlin"), at("2026-05-20Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p202604 [2026-04-01 00:00:00+02:00, 2026-07-01 00:00:00+02:00)",
                "create public.events_p202607 [2026-07-01 00:00:00+02:00, 2026-10-01 00:00:00+02:00)",
                "create public.events_p202610 [2026-10-01 00:00:00+02:00, 2027-01-01 00:00:00+01:00)"});
  }
  SECTION("yearly")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "yearly", 1), at("2026-06-01Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p2026 [2026-01-01 00:00:00+00:00, 2027-01-01 00:00:00+00:00)",
                "create public.events_p2027 [2027-01-01 00:00:00+00:00, 2028-01-01 00:00:00+00:00)"});
  }
  SECTION("yearly in New York on New Year's Eve UTC")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "1 year", 1, "America/New_York"),
                    at("2027-01-01 03:00Z")); // still 2026 in New York
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p2026 [2026-01-01 00:00:00-05:00, 2027-01-01 00:00:00-05:00)",
                "create public.events_p2027 [2027-01-01 00:00:00-05:00, 2028-01-01 00:00:00-05:00)"});
  }
}

TEST_CASE("planner: idempotency over many scenarios")
{
  // Lord Howe shifts by 30 minutes; Santiago changes its clocks at midnight (2026-04-05, 2026-09-06).
  const char* zones[] = {"UTC",          "Europe/Berlin",       "America/New_York",
                         "Asia/Kolkata", "Australia/Lord_Howe", "America/Santiago"};
  const char* intervals[] = {"15 minutes", "1 hour",  "2 hours",  "1 day",
                             "1 week",     "1 month", "3 months", "1 year"};
  const char* nows[] = {"2026-03-29 00:55Z", "2026-10-25 00:30Z", "2026-10-25 01:30Z", "2026-03-08 07:30Z",
                        "2026-11-01 05:30Z", "2026-04-04 15:20Z", "2028-02-29 12:00Z", "2026-12-31 23:59:59Z",
                        "2026-04-05 03:30Z", "2026-09-06 04:30Z"};
  for (const char* z : zones) {
    for (const char* i : intervals) {
      for (const char* n : nows) {
        for (KeyType type : {KeyType::timestamptz, KeyType::timestamp}) {
          INFO(z << " " << i << " " << n << " " << static_cast<int>(type));
          auto policy = make_policy("public", "events", i, 3, z);
          policy.start = at(n) - 3 * policy.interval.approx_micros();
          const auto parent = make_parent("public", "events", type);
          const Micros now = at(n);
          const ParentPlan first = plan_parent(parent, policy, now);
          REQUIRE(first.error.empty());
          REQUIRE(first.actions.size() >= 4);
          // The creates are contiguous and ascending, and one of them holds now.
          bool holds_now = false;
          const Micros now_key = type == KeyType::timestamptz ? now : to_local(zone(z), now);
          for (std::size_t k = 0; k < first.actions.size(); ++k) {
            const Action& a = first.actions[k];
            CHECK(key(a.from) < key(a.to));
            if (k > 0)
              CHECK(a.from == first.actions[k - 1].to);
            if (key(a.from) <= now_key && now_key < key(a.to)) {
              holds_now = true;
              CHECK(a.reason.rfind("current: holds now", 0) == 0);
            }
          }
          CHECK(holds_now);
          const ParentPlan second = plan_parent(with_creates(parent, first), policy, now);
          CHECK(second.actions.empty());
          CHECK(second.notes.empty());
        }
      }
    }
  }
}
