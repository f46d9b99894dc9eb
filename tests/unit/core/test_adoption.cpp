// Which existing partitions a policy adopts, leaves behind now, or is blocked by ahead, in memory.
#include <catch2/catch.hpp>

#include "partman/core/adoption.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

TEST_CASE("adoption: partitions on the policy's slots are adopted, others behind now stay, ahead block")
{
  auto parent = make_parent("app", "ev");
  parent.children = {make_child("app", "ev_old", "2026-01-03 12:00+00", "2026-01-04 12:00+00"),
                     make_child("app", "ev_p2026_01_09", "2026-01-09 00:00+00", "2026-01-10 00:00+00"),
                     make_child("app", "ev_p2026_01_10", "2026-01-10 00:00+00", "2026-01-11 00:00+00"),
                     make_default("app", "ev_default")};
  const auto policy = make_policy("app", "ev", "1 day");
  const Micros now = at("2026-01-10 12:00");
  auto a = check_adoption(parent, policy, now);
  CHECK(a.partitions == 3);
  CHECK(a.aligned == 2);
  CHECK(a.has_default);
  REQUIRE(a.behind.size() == 1);
  CHECK(a.behind.front().name == "ev_old");
  CHECK(a.ahead.empty());

  // The same midnights seen from Berlin are off by an hour: every partition is off the slots.
  a = check_adoption(parent, make_policy("app", "ev", "1 day", 4, "Europe/Berlin"), now);
  CHECK(a.aligned == 0);
  CHECK(a.ahead.size() == 1); // the one that holds now
  CHECK(a.behind.size() == 2);

  // Weeks that start on Friday are not partman's ISO weeks, but they are 7-day slots counted from 1970
  // (a Thursday) only when they start on Thursday.
  parent.children = {make_child("app", "ev_w", "2026-01-09 00:00+00", "2026-01-16 00:00+00")};
  CHECK(check_adoption(parent, make_policy("app", "ev", "1 week"), now).ahead.size() == 1);
  CHECK(check_adoption(parent, make_policy("app", "ev", "7 days"), now).ahead.size() == 1);
  parent.children = {make_child("app", "ev_w", "2026-01-05 00:00+00", "2026-01-12 00:00+00")};
  CHECK(check_adoption(parent, make_policy("app", "ev", "1 week"), now).aligned == 1);
  parent.children = {make_child("app", "ev_w", "2026-01-08 00:00+00", "2026-01-15 00:00+00")};
  CHECK(check_adoption(parent, make_policy("app", "ev", "7 days"), now).aligned == 1);

  // A partition without an upper bound holds every later time.
  parent.children = {make_child("app", "ev_rest", "2026-01-09 00:00+00", "")};
  CHECK(check_adoption(parent, policy, now).ahead.size() == 1);
}

TEST_CASE("adoption: integer ranges are on multiples of the width, the largest value present is now")
{
  auto parent = make_parent("app", "ids", KeyType::bigint);
  const auto child = [](const char* name, Micros lo, Micros hi) {
    Child c;
    c.schema = "app";
    c.name = name;
    c.lower = lo;
    c.upper = hi;
    return c;
  };
  parent.children = {child("ids_old", 500, 1500), child("ids_p2", 2000, 3000), child("ids_p3", 3000, 4000),
                     child("ids_p4", 4500, 5500)};
  parent.key_max = 3500;
  Policy policy = make_policy("app", "ids", "1 day");
  policy.shape = Shape::integer;
  policy.width = 1000;
  auto a = check_adoption(parent, policy, 0);
  CHECK(a.partitions == 4);
  CHECK(a.aligned == 2);
  REQUIRE(a.behind.size() == 1);
  CHECK(a.behind.front().name == "ids_old");
  REQUIRE(a.ahead.size() == 1);
  CHECK(a.ahead.front().name == "ids_p4");

  parent.key_max.reset(); // no rows: every partition off the multiples is ahead
  a = check_adoption(parent, policy, 0);
  CHECK(a.ahead.size() == 2);
}

TEST_CASE("adoption: epoch keys are compared as the instants they hold")
{
  auto parent = make_parent("app", "ep", KeyType::bigint);
  const Micros day = 86400;
  Child c;
  c.schema = "app";
  c.name = "ep_today";
  c.lower = 20463 * day; // 2026-01-10 00:00 UTC in seconds
  c.upper = 20464 * day;
  parent.children = {c};
  Policy policy = make_policy("app", "ep", "1 day");
  policy.shape = Shape::epoch;
  policy.epoch_unit = EpochUnit::seconds;
  const Micros now = at("2026-01-10 12:00");
  CHECK(check_adoption(parent, policy, now).aligned == 1);
  policy.timezone = NamedZone("Europe/Berlin");
  CHECK(check_adoption(parent, policy, now).ahead.size() == 1);
  policy.timezone = NamedZone("UTC");
  policy.epoch_unit = EpochUnit::milliseconds; // the same numbers read as milliseconds: 1970
  CHECK(check_adoption(parent, policy, now).behind.size() == 1);
}

TEST_CASE("adoption: a partition planned over its whole range has only what retention removes behind")
{
  // A year of months on the same key (a level-2 policy): partman plans all of the year, whatever now is.
  auto year = make_parent("app", "ev_p2026");
  year.within = true;
  year.within_lower = key("2026-01-01 00:00+00");
  year.within_upper = key("2027-01-01 00:00+00");
  year.children = {make_child("app", "ev_odd", "2026-01-01 00:00+00", "2026-01-15 00:00+00"),
                   make_child("app", "ev_p2026_02", "2026-02-01 00:00+00", "2026-03-01 00:00+00")};
  auto policy = make_policy("app", "ev_p2026", "1 month");
  const Micros now = at("2026-11-25 10:00");
  auto a = check_adoption(year, policy, now);
  CHECK(a.aligned == 1);
  CHECK(a.behind.empty());
  REQUIRE(a.ahead.size() == 1);
  CHECK(a.ahead.front().name == "ev_odd");

  // What retention removes is not planned again.
  policy.retention = period("6 months");
  a = check_adoption(year, policy, now);
  CHECK(a.ahead.empty());
  REQUIRE(a.behind.size() == 1);
  CHECK(a.behind.front().name == "ev_odd");

  // Without `within` (another key) the partition is behind now, as at level 1.
  year.within = false;
  policy.retention.reset();
  CHECK(check_adoption(year, policy, now).behind.size() == 1);
}
