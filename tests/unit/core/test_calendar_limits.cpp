// The planner never writes a plan it cannot keep: bounds outside 0001-01-01 to 9999-12-31 (the dates
// partman plans partitions for), names that collide, or a retention cutoff wrapped into the future.
#include <catch2/catch.hpp>
#include <set>

#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

const Micros k_now = at("2026-11-25 04:20Z");

// Returns true when no two creates of `pp` share a name.
bool unique_names(const ParentPlan& pp)
{
  std::set<std::string> names;
  for (const auto& a : pp.actions) {
    if (a.kind == ActionKind::create && !names.insert(a.name).second)
      return false;
  }
  return true;
}

bool has(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("limits: an interval whose premake reaches past year 9999 is an error, not repeated names")
{
  const auto parent = make_parent("public", "events");
  // Slots of 5000 years from 1970: 1970, 6970, 11970 (whose name, cut to four digits, was p1970 again), ...
  const ParentPlan pp = plan_parent(parent, make_policy("public", "events", "5000 years", 4), k_now);
  INFO(pp.error);
  CHECK(pp.actions.empty());
  CHECK(unique_names(pp));
  CHECK(has(pp.error, "premake 4 of interval '5000 years' ahead of now (2026-11-25 04:20:00+00:00) reaches "
                      "past 9999-12-31"));
  CHECK(has(pp.error, "HINT: choose a shorter interval or a smaller premake"));
}

TEST_CASE("limits: an interval whose current partition leaves the plannable dates is an error")
{
  const auto parent = make_parent("public", "events");
  // One slot of 9000 years from 1970 ends in 10970, past 9999-12-31 (30000 years wrapped to negative,
  // overlapping bounds; intervals now stop at 10000 years).
  const ParentPlan pp = plan_parent(parent, make_policy("public", "events", "9000 years", 1), k_now);
  CHECK(pp.actions.empty());
  CHECK(has(pp.error, "now (2026-11-25 04:20:00+00:00) has no partition of interval '9000 years' within "
                      "0001-01-01 to 9999-12-31"));
  SECTION("epoch keys alike")
  {
    auto epoch = make_policy("public", "events", "9000 years", 1);
    epoch.shape = Shape::epoch;
    const ParentPlan e = plan_parent(make_parent("public", "events", KeyType::bigint), epoch, k_now);
    CHECK(e.actions.empty());
    CHECK(has(e.error, "has no partition of interval '9000 years'"));
  }
}

TEST_CASE("limits: partitions up to 9999-12-31 are planned, with four-digit years and unique names")
{
  const auto parent = make_parent("public", "events");
  SECTION("daily, the last one ending on 10000-01-01")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "daily", 5), at("9999-12-26 12:00Z"));
    INFO(pp.error);
    REQUIRE(pp.error.empty());
    CHECK(created(pp) == Lines{"events_p99991226", "events_p99991227", "events_p99991228", "events_p99991229",
                               "events_p99991230", "events_p99991231"});
    CHECK(pp.actions.back().to == "10000-01-01 00:00:00+00:00");
    const ParentPlan beyond =
        plan_parent(parent, make_policy("public", "events", "daily", 6), at("9999-12-26 12:00Z"));
    CHECK(beyond.actions.empty());
    CHECK(has(beyond.error, "premake 6 of interval '1 day'"));
  }
  SECTION("yearly, in a zone east of UTC")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "yearly", 4, "Europe/Berlin"), at("9995-06-01Z"));
    INFO(pp.error);
    REQUIRE(pp.error.empty());
    CHECK(created(pp) ==
          Lines{"events_p9995", "events_p9996", "events_p9997", "events_p9998", "events_p9999"});
    CHECK(pp.actions.back().to == "10000-01-01 00:00:00+01:00");
    CHECK(unique_names(pp));
  }
  SECTION("ISO weeks")
  {
    const ParentPlan pp =
        plan_parent(parent, make_policy("public", "events", "weekly", 1), at("9999-12-15Z"));
    INFO(pp.error);
    REQUIRE(pp.error.empty());
    CHECK(created(pp) == Lines{"events_p9999w50", "events_p9999w51"});
    CHECK(has(plan_parent(parent, make_policy("public", "events", "weekly", 2), at("9999-12-15Z")).error,
              "reaches past 9999-12-31"));
  }
}

TEST_CASE("limits: a start whose partition would begin before 0001-01-01 is an error")
{
  const auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1000 years", 1);
  policy.start = at("0500-01-01Z"); // in the slot [-30, 970)
  const ParentPlan pp = plan_parent(parent, policy, k_now);
  CHECK(pp.actions.empty());
  CHECK(has(pp.error, "start 0500-01-01 00:00:00+00:00 has no partition of interval '1000 years'"));
  policy.start = at("0970-01-01Z"); // the first slot that fits
  const ParentPlan ok = plan_parent(parent, policy, k_now);
  INFO(ok.error);
  CHECK(created(ok) == Lines{"events_p0970", "events_p1970", "events_p2970"});
}

TEST_CASE("limits: a retention longer than the calendar expires nothing")
{
  auto parent = make_parent("public", "events");
  parent.children.push_back(
      make_child("public", "events_p20261124", "2026-11-24 00:00:00+00:00", "2026-11-25 00:00:00+00:00"));
  auto policy = make_policy("public", "events", "daily", 1);
  policy.retention_action = RetentionAction::drop;
  // 40000 years back from 2026 wrapped, in 16-bit years, to 27562: every partition looked expired.
  for (const char* retention : {"10000 years", "9000 years", "100000 months"}) {
    policy.retention = period(retention);
    const ParentPlan pp = plan_parent(parent, policy, k_now);
    INFO(retention << ": " << pp.error);
    CHECK(pp.error.empty());
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p20261125 [2026-11-25 00:00:00+00:00, 2026-11-26 00:00:00+00:00)",
                "create public.events_p20261126 [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00)"});
  }
}

TEST_CASE("limits: drain-default leaves rows beyond 9999-12-31 where they are")
{
  auto parent = make_parent("public", "events");
  parent.children.push_back(make_default("public", "events_default"));
  const auto policy = make_policy("public", "events", "daily", 1);
  SECTION("the last day is drained")
  {
    const DrainStep s = plan_drain_range(parent, policy, k_now, key("9999-12-31 13:00:00+00:00"));
    CHECK(s.stays.empty());
    CHECK(created(s.plan) == Lines{"events_p99991231"});
  }
  SECTION("a row in year 10000 stays, and the drain ends")
  {
    const DrainStep s = plan_drain_range(parent, policy, k_now, wall("9999-12-31 13:00") + k_micros_per_day);
    CHECK(s.plan.actions.empty());
    CHECK(s.range == "[10000-01-01 00:00:00+00:00, MAXVALUE)");
    CHECK(has(s.stays, "would lie outside 0001-01-01 to 9999-12-31"));
    CHECK(!s.next);
  }
  SECTION("a row before year 1 stays, and the drain goes on from 0001-01-01")
  {
    const DrainStep s = plan_drain_range(parent, policy, k_now, wall("0001-01-01") - 1);
    CHECK(s.plan.actions.empty());
    CHECK(s.range == "[MINVALUE, 0001-01-01 00:00:00+00:00)");
    REQUIRE(s.next);
    CHECK(*s.next == wall("0001-01-01"));
  }
}
