// The planner's creates of time ranges: now's slot, premake ahead, gaps, hand-made partitions, backfill.
#include <catch2/catch.hpp>

#include "partman/core/planner.hpp"
#include "planner_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("planner: a fresh daily UTC parent gets the current slot and premake slots ahead")
{
  const auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 4);
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(pp.error.empty());
  CHECK(pp.schema == "public");
  CHECK(pp.table == "events");
  CHECK(pp.summary == "1 day, premake 4, UTC");
  CHECK(actions_of(pp) ==
        Lines{"create public.events_p20261125 [2026-11-25 00:00:00+00:00, 2026-11-26 00:00:00+00:00)",
              "create public.events_p20261126 [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00)",
              "create public.events_p20261127 [2026-11-27 00:00:00+00:00, 2026-11-28 00:00:00+00:00)",
              "create public.events_p20261128 [2026-11-28 00:00:00+00:00, 2026-11-29 00:00:00+00:00)",
              "create public.events_p20261129 [2026-11-29 00:00:00+00:00, 2026-11-30 00:00:00+00:00)"});
  CHECK(notes_of(pp).empty());
  REQUIRE(pp.actions.size() == 5);
  const Action& a = pp.actions[0];
  CHECK(
      a.sql ==
      Lines{"LOCK TABLE ONLY \"public\".\"events\" IN SHARE UPDATE EXCLUSIVE MODE",
            std::string("CREATE TABLE \"public\".\"events_p20261125\" (LIKE \"public\".\"events\"") + k_like,
            "ALTER TABLE \"public\".\"events\" ATTACH PARTITION \"public\".\"events_p20261125\" FOR "
            "VALUES FROM ('2026-11-25 00:00:00+00:00') TO ('2026-11-26 00:00:00+00:00')"});
  CHECK(a.transactional);
  CHECK(a.locks == k_create_locks);
  CHECK(a.reason == "current: holds now (2026-11-25 04:20:00+00:00)");
  CHECK(pp.actions[1].reason == "premake: 1 of 4 ahead of 2026-11-25 04:20:00+00:00");
  CHECK(pp.actions[4].reason == "premake: 4 of 4 ahead of 2026-11-25 04:20:00+00:00");
}

TEST_CASE("planner: premake counts from now, not from the newest partition")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 2);
  const Micros now = at("2026-11-25 04:20Z");
  SECTION("partitions far ahead do not move the window")
  {
    for (int day = 25; day <= 30; ++day) {
      const std::string d = std::to_string(day);
      const std::string next = day == 30 ? "2026-12-01" : "2026-11-" + std::to_string(day + 1);
      parent.children.push_back(make_child("public", "events_p202611" + d, "2026-11-" + d + " 00:00:00+00:00",
                                           next + " 00:00:00+00:00"));
    }
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(actions_of(pp).empty());
    CHECK(notes_of(pp).empty());
  }
  SECTION("only the missing slots of the window are created")
  {
    parent.children.push_back(
        make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(created(pp) == Lines{"events_p20261126", "events_p20261127"});
  }
  SECTION("a later now moves the window")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-27 23:59:59Z"));
    CHECK(created(pp) == Lines{"events_p20261127", "events_p20261128", "events_p20261129"});
  }
}

TEST_CASE("planner: gaps inside the window are filled, exact matches left alone")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 4);
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  // A hand-made partition with exactly a slot's bounds but another name is left alone too.
  parent.children.push_back(
      make_child("public", "handmade_27", "2026-11-27 00:00:00+00:00", "2026-11-28 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261129", "2026-11-29 00:00:00+00:00", "2026-11-30 00:00:00+00:00"));
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(actions_of(pp) ==
        Lines{"create public.events_p20261126 [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00)",
              "create public.events_p20261128 [2026-11-28 00:00:00+00:00, 2026-11-29 00:00:00+00:00)"});
  CHECK(notes_of(pp).empty());
}

TEST_CASE("planner: an overlapping hand-made partition gives a warning and no create")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 3);
  parent.children.push_back(
      make_child("public", "odd_one", "2026-11-26 12:00:00+00:00", "2026-11-27 12:00:00+00:00"));
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(created(pp) == Lines{"events_p20261125", "events_p20261128"});
  CHECK(notes_of(pp) ==
        Lines{"warning: cannot create \"public\".\"events_p20261126\" for [2026-11-26 00:00:00+00:00, "
              "2026-11-27 00:00:00+00:00): it would overlap \"public\".\"odd_one\" "
              "[2026-11-26 12:00:00+00:00, 2026-11-27 12:00:00+00:00); HINT: such partitions are left "
              "as they are",
              "warning: cannot create \"public\".\"events_p20261127\" for [2026-11-27 00:00:00+00:00, "
              "2026-11-28 00:00:00+00:00): it would overlap \"public\".\"odd_one\" "
              "[2026-11-26 12:00:00+00:00, 2026-11-27 12:00:00+00:00); HINT: such partitions are left "
              "as they are"});
}

TEST_CASE("planner: a partition that covers whole slots gives info notes")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 2);
  parent.children.push_back(
      make_child("public", "november", "2026-11-01 00:00:00+00:00", "2026-12-01 00:00:00+00:00"));
  SECTION("inside the covering partition")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
    CHECK(actions_of(pp).empty());
    CHECK(notes_of(pp) ==
          Lines{"info: range [2026-11-25 00:00:00+00:00, 2026-11-26 00:00:00+00:00) is already covered by "
                "\"public\".\"november\" [2026-11-01 00:00:00+00:00, 2026-12-01 00:00:00+00:00)",
                "info: range [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00) is already covered by "
                "\"public\".\"november\" [2026-11-01 00:00:00+00:00, 2026-12-01 00:00:00+00:00)",
                "info: range [2026-11-27 00:00:00+00:00, 2026-11-28 00:00:00+00:00) is already covered by "
                "\"public\".\"november\" [2026-11-01 00:00:00+00:00, 2026-12-01 00:00:00+00:00)"});
  }
  SECTION("at its end, the slots after it are created")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-30 04:20Z"));
    CHECK(created(pp) == Lines{"events_p20261201", "events_p20261202"});
    CHECK(notes_of(pp).size() == 1);
    CHECK(pp.notes[0].level == NoteLevel::info);
  }
  SECTION("a MINVALUE..MAXVALUE catch-all covers everything")
  {
    parent.children.clear();
    parent.children.push_back(make_child("public", "everything", "", ""));
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
    CHECK(actions_of(pp).empty());
    REQUIRE(pp.notes.size() == 3);
    CHECK(pp.notes[0].message == "range [2026-11-25 00:00:00+00:00, 2026-11-26 00:00:00+00:00) is already "
                                 "covered by \"public\".\"everything\" [MINVALUE, MAXVALUE)");
  }
}

TEST_CASE("planner: a table holding the target name gives a warning")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 2);
  parent.taken_names = {"events_p20261126", "events_unrelated"};
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(created(pp) == Lines{"events_p20261125", "events_p20261127"});
  CHECK(
      notes_of(pp) ==
      Lines{"warning: cannot create \"public\".\"events_p20261126\" for [2026-11-26 00:00:00+00:00, "
            "2026-11-27 00:00:00+00:00): a table of that name exists and is not this partition; HINT: rename "
            "or drop it, or attach it yourself"});
  // A partition that carries the name but other bounds blocks the name as well.
  auto parent2 = make_parent("public", "events");
  parent2.children.push_back(
      make_child("public", "events_p20261127", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  const ParentPlan pp2 = plan_parent(parent2, policy, at("2026-11-25 04:20Z"));
  CHECK(created(pp2) == Lines{"events_p20261125", "events_p20261126"});
  REQUIRE(pp2.notes.size() == 1);
  CHECK(pp2.notes[0].level == NoteLevel::warning);
  CHECK(pp2.notes[0].message.find("\"events_p20261127\" for [2026-11-27") != std::string::npos);
}

TEST_CASE("planner: start backfills from the slot holding it")
{
  const auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.start = at("2026-11-21 15:00Z");
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(created(pp) == Lines{"events_p20261121", "events_p20261122", "events_p20261123", "events_p20261124",
                             "events_p20261125", "events_p20261126"});
  REQUIRE(pp.actions.size() == 6);
  CHECK(pp.actions[0].reason == "backfill from start 2026-11-21 00:00:00+00:00");
  CHECK(pp.actions[3].reason == "backfill from start 2026-11-21 00:00:00+00:00");
  CHECK(pp.actions[4].reason == "current: holds now (2026-11-25 04:20:00+00:00)");
  SECTION("a start in the future changes nothing")
  {
    policy.start = at("2027-01-01Z");
    CHECK(created(plan_parent(parent, policy, at("2026-11-25 04:20Z"))) ==
          Lines{"events_p20261125", "events_p20261126"});
  }
  SECTION("start is read in the policy's zone")
  {
    policy.timezone = NamedZone("Europe/Berlin");
    policy.start = at("2026-11-23 23:30Z"); // 2026-11-24 00:30 in Berlin
    const ParentPlan berlin = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
    CHECK(created(berlin) == Lines{"events_p20261124", "events_p20261125", "events_p20261126"});
    CHECK(berlin.actions[0].reason == "backfill from start 2026-11-24 00:00:00+01:00");
  }
  SECTION("a window too large is an error")
  {
    auto quarter = make_policy("public", "events", "15 minutes", 1);
    quarter.start = at("2025-01-01Z");
    const ParentPlan err = plan_parent(parent, quarter, at("2026-11-25 04:20Z"));
    CHECK(err.actions.empty());
    CHECK(err.error.rfind("the window from --start to premake holds ", 0) == 0);
    CHECK(err.error.find("more than 50000") != std::string::npos);
  }
}

TEST_CASE("planner: backfill skips slots that retention would already expire")
{
  const auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.start = at("2026-10-01Z");
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  // cutoff: 2026-10-26 04:20; the slot of 10-25 ends before it, the slot of 10-26 ends after it.
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  const Lines names = created(pp);
  REQUIRE(!names.empty());
  CHECK(names.front() == "events_p20261026");
  CHECK(names.back() == "events_p20261126");
  CHECK(names.size() == 32);
  check_idempotent(parent, policy, at("2026-11-25 04:20Z"));
}
