#include <catch2/catch.hpp>
#include <set>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

const char* const k_like = " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE"
                           " INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)";

const char* const k_create_locks =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table";
const char* const k_create_locks_default =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition (the attach scans "
    "it) and on the new table";
const char* const k_removal_locks_concurrent = "SHARE UPDATE EXCLUSIVE on the parent (DETACH ... "
                                               "CONCURRENTLY, outside a transaction block), then ACCESS "
                                               "EXCLUSIVE on the detached table";
const char* const k_removal_locks_default =
    "ACCESS EXCLUSIVE on the parent, then on the default partition and the partition (the parent has a "
    "default partition, so DETACH ... CONCURRENTLY is not allowed)";
const char* const k_finalize_locks =
    "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the partition";

// Plans, applies the creates to the snapshot, plans again: the second plan must be empty.
void check_idempotent(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  const ParentPlan first = plan_parent(parent, policy, now);
  REQUIRE(first.error.empty());
  REQUIRE(!first.actions.empty());
  const ParentPlan second = plan_parent(with_creates(parent, first), policy, now);
  CHECK(second.error.empty());
  CHECK(actions_of(second).empty());
  CHECK(notes_of(second).empty());
}

} // namespace

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

TEST_CASE("planner: retention drops partitions whose upper bound is not after now - retention")
{
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  for (int d = 24; d <= 27; ++d)
    parent.children.push_back(make_child("public", "events_p202610" + std::to_string(d),
                                         "2026-10-" + std::to_string(d) + " 00:00:00+00:00",
                                         "2026-10-" + std::to_string(d + 1) + " 00:00:00+00:00"));
  parent.children.push_back(make_default("public", "events_default"));
  parent.children.push_back(make_child("public", "events_future", "2026-12-01 00:00:00+00:00", ""));
  parent.children.push_back(make_child("public", "events_ancient", "", "2026-01-01 00:00:00+00:00"));

  SECTION("cutoff between two bounds")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
    CHECK(pp.summary == "1 day, premake 1, retention 30 days (drop), UTC");
    const Lines all = actions_of(pp);
    const Lines removals(all.begin() + 2, all.end());
    CHECK(created(pp) == Lines{"events_p20261125", "events_p20261126"});
    CHECK(removals == Lines{"drop public.events_ancient", "drop public.events_p20261024",
                            "drop public.events_p20261025"});
    REQUIRE(pp.actions.size() == 5);
    const Action& d = pp.actions[3];
    CHECK(d.kind == ActionKind::drop);
    CHECK(d.sql == Lines{"LOCK TABLE ONLY \"public\".\"events\" IN ACCESS EXCLUSIVE MODE",
                         "LOCK TABLE ONLY \"public\".\"events_default\" IN ACCESS EXCLUSIVE MODE",
                         "ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"events_p20261024\"",
                         "DROP TABLE \"public\".\"events_p20261024\""});
    CHECK(d.from.empty());
    CHECK(d.transactional);
    CHECK(d.locks == k_removal_locks_default);
    CHECK(d.reason == "retention 30 days: upper bound 2026-10-25 00:00:00+00:00 is not after "
                      "2026-10-26 04:20:00+00:00");
  }
  SECTION("an upper bound equal to the cutoff expires")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-26 00:00Z"));
    const Lines all = actions_of(pp);
    CHECK(Lines(all.begin() + 2, all.end()) ==
          Lines{"drop public.events_ancient", "drop public.events_p20261024", "drop public.events_p20261025",
                "drop public.events_p20261026"});
  }
  SECTION("one microsecond earlier it does not")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-26 00:00Z") - 1);
    const Lines all = actions_of(pp);
    CHECK(Lines(all.begin() + 2, all.end()) == Lines{"drop public.events_ancient",
                                                     "drop public.events_p20261024",
                                                     "drop public.events_p20261025"});
  }
  SECTION("no retention, nothing expires")
  {
    policy.retention.reset();
    const ParentPlan pp = plan_parent(parent, policy, at("2030-01-01Z"));
    for (const auto& a : pp.actions)
      CHECK(a.kind == ActionKind::create);
  }
  SECTION("the default partition and MAXVALUE never expire")
  {
    const ParentPlan pp = plan_parent(parent, policy, at("2040-01-01Z"));
    // 5 removals of 6 partitions (events_future covers the window): the guard refuses it (a clock jump).
    CHECK(pp.refused.rfind("would drop or detach 5 of 6 partitions, more than 50%", 0) == 0);
    Lines removals;
    for (const auto& a : pp.actions) {
      if (a.kind != ActionKind::create)
        removals.push_back(a.name);
    }
    CHECK(removals == Lines{"events_ancient", "events_p20261024", "events_p20261025", "events_p20261026",
                            "events_p20261027"});
  }
}

TEST_CASE("planner: retention month arithmetic clamps at month ends")
{
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("1 month");
  policy.retention_action = RetentionAction::drop;
  parent.children.push_back(
      make_child("public", "events_p20260227", "2026-02-27 00:00:00+00:00", "2026-02-28 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20260228", "2026-02-28 00:00:00+00:00", "2026-03-01 00:00:00+00:00"));
  // 2026-03-31 10:00 minus 1 month is 2026-02-28 10:00.
  const ParentPlan pp = plan_parent(parent, policy, at("2026-03-31 10:00Z"));
  REQUIRE(pp.actions.size() == 3);
  CHECK(pp.actions[2].name == "events_p20260227");
  CHECK(pp.actions[2].reason ==
        "retention 1 month: upper bound 2026-02-28 00:00:00+00:00 is not after 2026-02-28 10:00:00+00:00");
}

TEST_CASE("planner: retention is computed on the zone's calendar, across DST")
{
  // Hourly in Berlin; now 2026-11-20 00:30 CET. 30 days back on the calendar is 2026-10-21 00:30 CEST
  // (2026-10-20 22:30 UTC), one hour later than 30 x 24 hours back.
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 hour", 1, "Europe/Berlin");
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  parent.children.push_back(make_child("public", "events_p20261020_2300", "2026-10-20 23:00:00+02:00",
                                       "2026-10-21 00:00:00+02:00"));
  parent.children.push_back(make_child("public", "events_p20261021_0000", "2026-10-21 00:00:00+02:00",
                                       "2026-10-21 01:00:00+02:00"));
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-19 23:30Z"));
  Lines removals;
  for (const auto& a : pp.actions) {
    if (a.kind != ActionKind::create)
      removals.push_back(a.name + ": " + a.reason);
  }
  CHECK(removals ==
        Lines{"events_p20261020_2300: retention 30 days: upper bound 2026-10-21 00:00:00+02:00 is "
              "not after 2026-10-21 00:30:00+02:00"});
}

TEST_CASE("planner: detach, detach to a retention schema, and drop")
{
  auto parent = make_parent("app", "Events");
  auto policy = make_policy("app", "Events", "1 month", 1, "Europe/Berlin");
  policy.retention = period("1 year");
  parent.children.push_back(
      make_child("app", "Events_p202501", "2025-01-01 00:00:00+01:00", "2025-02-01 00:00:00+01:00"));
  parent.children.push_back(
      make_child("app", "Events_p202511", "2025-11-01 00:00:00+01:00", "2025-12-01 00:00:00+01:00"));
  const Micros now = at("2026-11-25 04:20Z");
  auto removal = [&]() {
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.error.empty());
    REQUIRE(pp.actions.size() == 3);
    CHECK(created(pp) == Lines{"Events_p202611", "Events_p202612"});
    return pp;
  };
  SECTION("detach in place")
  {
    policy.retention_action = RetentionAction::detach;
    const ParentPlan pp = removal();
    CHECK(pp.summary == "1 month, premake 1, retention 1 year (detach), Europe/Berlin");
    const Action& a = pp.actions[2];
    CHECK(a.kind == ActionKind::detach);
    CHECK(a.schema == "app");
    CHECK(a.name == "Events_p202501");
    CHECK(a.sql ==
          Lines{"ALTER TABLE \"app\".\"Events\" DETACH PARTITION \"app\".\"Events_p202501\" CONCURRENTLY"});
    CHECK_FALSE(a.transactional);
    CHECK(a.reason == "retention 1 year: upper bound 2025-02-01 00:00:00+01:00 is not after "
                      "2025-11-25 05:20:00+01:00");
  }
  SECTION("detach to an archive schema")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "Old Data";
    const ParentPlan pp = removal();
    CHECK(pp.summary ==
          "1 month, premake 1, retention 1 year (detach to schema \"Old Data\"), Europe/Berlin");
    CHECK(pp.actions[2].sql ==
          Lines{"ALTER TABLE \"app\".\"Events\" DETACH PARTITION \"app\".\"Events_p202501\" CONCURRENTLY",
                "ALTER TABLE \"app\".\"Events_p202501\" SET SCHEMA \"Old Data\""});
  }
  SECTION("detach to the schema the partition is already in")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "app";
    const ParentPlan pp = removal();
    CHECK(pp.actions[2].sql ==
          Lines{"ALTER TABLE \"app\".\"Events\" DETACH PARTITION \"app\".\"Events_p202501\" CONCURRENTLY"});
  }
  SECTION("drop ignores the retention schema")
  {
    policy.retention_action = RetentionAction::drop;
    policy.retention_schema = "archive";
    const ParentPlan pp = removal();
    CHECK(pp.summary == "1 month, premake 1, retention 1 year (drop), Europe/Berlin");
    CHECK(pp.actions[2].kind == ActionKind::drop);
    CHECK(pp.actions[2].sql ==
          Lines{"ALTER TABLE \"app\".\"Events\" DETACH PARTITION \"app\".\"Events_p202501\" CONCURRENTLY",
                "DROP TABLE \"app\".\"Events_p202501\""});
  }
  SECTION("a partition in another schema is addressed in its own schema")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "archive";
    parent.children[0].schema = "elsewhere";
    const ParentPlan pp = removal();
    CHECK(pp.actions[2].schema == "elsewhere");
    CHECK(
        pp.actions[2].sql ==
        Lines{"ALTER TABLE \"app\".\"Events\" DETACH PARTITION \"elsewhere\".\"Events_p202501\" CONCURRENTLY",
              "ALTER TABLE \"elsewhere\".\"Events_p202501\" SET SCHEMA \"archive\""});
  }
}

TEST_CASE("planner: a detach-pending partition gets a non-transactional finalize")
{
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::detach;
  parent.children.push_back(
      make_child("public", "events_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  parent.children[0].detach_pending = true; // expired and pending: finalize only, no second detach
  parent.children[2].detach_pending = true; // not expired: still finalize
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(actions_of(pp) ==
        Lines{"finalize-detach public.events_p20261001", "finalize-detach public.events_p20261126"});
  REQUIRE(pp.actions.size() == 2);
  const Action& a = pp.actions[0];
  CHECK(a.sql == Lines{"ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"events_p20261001\" "
                       "FINALIZE"});
  CHECK_FALSE(a.transactional);
  CHECK(a.locks == k_finalize_locks);
  CHECK(a.reason ==
        "an interrupted DETACH ... CONCURRENTLY left this partition pending; finish it, then keep it "
        "detached");
  CHECK(std::string(to_string(ActionKind::finalize_detach)) == "finalize-detach");
}

TEST_CASE("planner: detach, detach to a retention schema, and drop beside a default partition")
{
  // The same removals as above, but the parent has a default partition: DETACH ... CONCURRENTLY is not
  // allowed, so each removal is one transaction that locks the parent, then the default partition.
  auto parent = make_parent("app", "Events");
  auto policy = make_policy("app", "Events", "1 month", 1, "Europe/Berlin");
  policy.retention = period("1 year");
  parent.children.push_back(
      make_child("app", "Events_p202501", "2025-01-01 00:00:00+01:00", "2025-02-01 00:00:00+01:00"));
  parent.children.push_back(
      make_child("app", "Events_p202511", "2025-11-01 00:00:00+01:00", "2025-12-01 00:00:00+01:00"));
  parent.children.push_back(make_default("app", "Events_default"));
  const Micros now = at("2026-11-25 04:20Z");
  const Lines locked{"LOCK TABLE ONLY \"app\".\"Events\" IN ACCESS EXCLUSIVE MODE",
                     "LOCK TABLE ONLY \"app\".\"Events_default\" IN ACCESS EXCLUSIVE MODE",
                     "ALTER TABLE \"app\".\"Events\" DETACH PARTITION \"app\".\"Events_p202501\""};
  auto removal = [&]() {
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.error.empty());
    CHECK(pp.refused.empty());
    REQUIRE(pp.actions.size() == 3);
    CHECK(created(pp) == Lines{"Events_p202611", "Events_p202612"});
    const Action& a = pp.actions[2];
    CHECK(a.transactional);
    CHECK_FALSE(a.concurrent_detach);
    CHECK(a.locks == k_removal_locks_default);
    CHECK(a.reason == "retention 1 year: upper bound 2025-02-01 00:00:00+01:00 is not after "
                      "2025-11-25 05:20:00+01:00");
    return a;
  };
  SECTION("detach in place")
  {
    policy.retention_action = RetentionAction::detach;
    const Action a = removal();
    CHECK(a.kind == ActionKind::detach);
    CHECK(a.sql == locked);
  }
  SECTION("detach to an archive schema")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "Old Data";
    Lines expected = locked;
    expected.push_back("ALTER TABLE \"app\".\"Events_p202501\" SET SCHEMA \"Old Data\"");
    CHECK(removal().sql == expected);
  }
  SECTION("detach to the schema the partition is already in")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "app";
    CHECK(removal().sql == locked);
  }
  SECTION("drop")
  {
    policy.retention_action = RetentionAction::drop;
    policy.retention_schema = "archive";
    const Action a = removal();
    CHECK(a.kind == ActionKind::drop);
    Lines expected = locked;
    expected.push_back("DROP TABLE \"app\".\"Events_p202501\"");
    CHECK(a.sql == expected);
  }
  SECTION("a default partition in another schema is locked in its own schema")
  {
    policy.retention_action = RetentionAction::drop;
    parent.children.back().schema = "Side";
    const Action a = removal();
    REQUIRE(a.sql.size() == 4);
    CHECK(a.sql[1] == "LOCK TABLE ONLY \"Side\".\"Events_default\" IN ACCESS EXCLUSIVE MODE");
  }
}

TEST_CASE("planner: lock order of a create, without and with a default partition")
{
  auto parent = make_parent("app", "Events");
  const auto policy = make_policy("app", "Events", "1 day", 1);
  const Micros now = at("2026-11-25 04:20Z");
  const std::string create =
      std::string("CREATE TABLE \"app\".\"Events_p20261125\" (LIKE \"app\".\"Events\"") + k_like;
  const std::string attach =
      "ALTER TABLE \"app\".\"Events\" ATTACH PARTITION \"app\".\"Events_p20261125\" FOR "
      "VALUES FROM ('2026-11-25 00:00:00+00:00') TO ('2026-11-26 00:00:00+00:00')";
  SECTION("without a default partition: the parent, then the new table")
  {
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.actions.size() == 2);
    for (const auto& a : pp.actions) {
      CHECK(a.kind == ActionKind::create);
      CHECK(a.transactional);
      CHECK_FALSE(a.concurrent_detach);
      CHECK(a.locks == k_create_locks);
      REQUIRE(a.sql.size() == 3);
      CHECK(a.sql[0] == "LOCK TABLE ONLY \"app\".\"Events\" IN SHARE UPDATE EXCLUSIVE MODE");
    }
    CHECK(pp.actions[0].sql ==
          Lines{"LOCK TABLE ONLY \"app\".\"Events\" IN SHARE UPDATE EXCLUSIVE MODE", create, attach});
  }
  SECTION("with a default partition: the parent, then the default partition, then the new table")
  {
    parent.children.push_back(make_default("Side Schema", "Events \"default\""));
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.actions.size() == 2);
    for (const auto& a : pp.actions) {
      CHECK(a.transactional);
      CHECK(a.locks == k_create_locks_default);
      REQUIRE(a.sql.size() == 5);
      CHECK(a.sql[1] ==
            "LOCK TABLE ONLY \"Side Schema\".\"Events \"\"default\"\"\" IN ACCESS EXCLUSIVE MODE");
    }
    // The rows of the new range move out of the default partition under those locks, then the attach.
    CHECK(
        pp.actions[0].sql ==
        Lines{
            "LOCK TABLE ONLY \"app\".\"Events\" IN SHARE UPDATE EXCLUSIVE MODE",
            "LOCK TABLE ONLY \"Side Schema\".\"Events \"\"default\"\"\" IN ACCESS EXCLUSIVE MODE", create,
            "WITH moved AS (DELETE FROM ONLY \"Side Schema\".\"Events \"\"default\"\"\" WHERE \"created_at\" "
            ">= '2026-11-25 00:00:00+00:00' AND \"created_at\" < '2026-11-26 00:00:00+00:00' RETURNING *) "
            "INSERT INTO \"app\".\"Events_p20261125\" SELECT * FROM moved",
            attach});
  }
  SECTION("the parent is locked before the default partition in every action of a plan")
  {
    auto pol = policy;
    pol.retention = period("30 days");
    pol.retention_action = RetentionAction::drop;
    parent.children.push_back(make_default("app", "Events_default"));
    parent.children.push_back(
        make_child("app", "Events_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
    const ParentPlan pp = plan_parent(parent, pol, now);
    REQUIRE(pp.actions.size() == 3);
    for (const auto& a : pp.actions) {
      INFO(to_string(a.kind) << " " << a.name);
      REQUIRE(a.sql.size() >= 3);
      CHECK(a.sql[0].rfind("LOCK TABLE ONLY \"app\".\"Events\" IN ", 0) == 0);
      CHECK(a.sql[1] == "LOCK TABLE ONLY \"app\".\"Events_default\" IN ACCESS EXCLUSIVE MODE");
      CHECK(a.sql[2].rfind("LOCK TABLE", 0) == std::string::npos);
    }
  }
}

TEST_CASE("planner: without a default partition, retention detaches concurrently")
{
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("30 days");
  parent.children.push_back(
      make_child("public", "events_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  const Micros now = at("2026-11-25 04:20Z");
  const std::string detach =
      "ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"events_p20261001\" CONCURRENTLY";
  auto removal = [&]() {
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.error.empty());
    CHECK(pp.refused.empty());
    CHECK(created(pp) == Lines{"events_p20261126"});
    REQUIRE(pp.actions.size() == 2);
    const Action& a = pp.actions[1];
    CHECK(a.name == "events_p20261001");
    CHECK_FALSE(a.transactional);
    CHECK(a.concurrent_detach);
    CHECK(a.locks == k_removal_locks_concurrent);
    REQUIRE(!a.sql.empty());
    CHECK(a.sql[0] == detach);
    return a;
  };
  SECTION("then drop")
  {
    policy.retention_action = RetentionAction::drop;
    const Action a = removal();
    CHECK(a.kind == ActionKind::drop);
    CHECK(a.sql == Lines{detach, "DROP TABLE \"public\".\"events_p20261001\""});
  }
  SECTION("then set schema")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "archive";
    const Action a = removal();
    CHECK(a.kind == ActionKind::detach);
    CHECK(a.sql == Lines{detach, "ALTER TABLE \"public\".\"events_p20261001\" SET SCHEMA \"archive\""});
  }
  SECTION("plain detach")
  {
    policy.retention_action = RetentionAction::detach;
    const Action a = removal();
    CHECK(a.kind == ActionKind::detach);
    CHECK(a.sql == Lines{detach});
  }
  SECTION("creates in the same plan stay transactional")
  {
    policy.retention_action = RetentionAction::drop;
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.actions.size() == 2);
    CHECK(pp.actions[0].transactional);
    CHECK_FALSE(pp.actions[0].concurrent_detach);
  }
}

TEST_CASE("planner: a detach-pending partition that is also expired is finalized, then retention follows")
{
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("30 days");
  parent.children.push_back(
      make_child("public", "events_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  parent.children[0].detach_pending = true; // expired
  parent.children[2].detach_pending = true; // not expired
  const Micros now = at("2026-11-25 04:20Z");
  const std::string finalize =
      "ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"events_p20261001\" FINALIZE";
  const std::string pending = "an interrupted DETACH ... CONCURRENTLY left this partition pending; finish it";
  auto plan = [&]() {
    const ParentPlan pp = plan_parent(parent, policy, now);
    REQUIRE(pp.error.empty());
    CHECK(pp.refused.empty());
    // One action per pending partition: no second detach, no separate drop.
    CHECK(actions_of(pp) ==
          Lines{"finalize-detach public.events_p20261001", "finalize-detach public.events_p20261126"});
    REQUIRE(pp.actions.size() == 2);
    for (const auto& a : pp.actions) {
      CHECK(a.kind == ActionKind::finalize_detach);
      CHECK_FALSE(a.transactional);
      CHECK_FALSE(a.concurrent_detach);
      CHECK(a.locks == k_finalize_locks);
    }
    // The partition that is not expired is only finalized.
    CHECK(pp.actions[1].sql == Lines{"ALTER TABLE \"public\".\"events\" DETACH PARTITION "
                                     "\"public\".\"events_p20261126\" FINALIZE"});
    CHECK(pp.actions[1].reason == pending);
    return pp.actions[0];
  };
  SECTION("then drop it")
  {
    policy.retention_action = RetentionAction::drop;
    const Action a = plan();
    CHECK(a.sql == Lines{finalize, "DROP TABLE \"public\".\"events_p20261001\""});
    CHECK(a.reason == pending + ", then drop it (expired)");
  }
  SECTION("then move it to the retention schema")
  {
    policy.retention_action = RetentionAction::detach;
    policy.retention_schema = "archive";
    const Action a = plan();
    CHECK(a.sql == Lines{finalize, "ALTER TABLE \"public\".\"events_p20261001\" SET SCHEMA \"archive\""});
    CHECK(a.reason == pending + ", then keep it detached");
  }
  SECTION("then leave it where it is")
  {
    policy.retention_action = RetentionAction::detach;
    const Action a = plan();
    CHECK(a.sql == Lines{finalize});
    CHECK(a.reason == pending + ", then keep it detached");
  }
  SECTION("without retention nothing is expired")
  {
    policy.retention.reset();
    const Action a = plan();
    CHECK(a.sql == Lines{finalize});
    CHECK(a.reason == pending);
  }
}

TEST_CASE("planner: a plan that would remove too many partitions is refused")
{
  // Three expired daily partitions, one catch-all from now on (no creates), and a default partition, which
  // the guard does not count: 3 removals of 4 partitions.
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  for (int d = 1; d <= 3; ++d)
    parent.children.push_back(make_child("public", "events_p2026100" + std::to_string(d),
                                         "2026-10-0" + std::to_string(d) + " 00:00:00+00:00",
                                         "2026-10-0" + std::to_string(d + 1) + " 00:00:00+00:00"));
  parent.children.push_back(make_child("public", "events_rest", "2026-11-25 00:00:00+00:00", ""));
  parent.children.push_back(make_default("public", "events_default"));
  const Micros now = at("2026-11-25 04:20Z");
  const Lines drops{"drop public.events_p20261001", "drop public.events_p20261002",
                    "drop public.events_p20261003"};
  const std::string hint =
      "; HINT: check the retention and the clock, then rerun with --force (or raise --max-removal)";

  SECTION("refused at 3 of 4, the actions kept for display")
  {
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(pp.error.empty());
    CHECK(pp.refused ==
          "would drop or detach 3 of 4 partitions, more than 50%, so only its creates are applied" + hint);
    CHECK(actions_of(pp) == drops);
    // make_plan passes the default options on.
    CHECK(make_plan({parent}, {policy}, now).parents.at(0).refused == pp.refused);
  }
  SECTION("detaches count as removals too")
  {
    policy.retention_action = RetentionAction::detach;
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(pp.refused ==
          "would drop or detach 3 of 4 partitions, more than 50%, so only its creates are applied" + hint);
  }
  SECTION("allowed with force")
  {
    PlanOptions options;
    options.force = true;
    const ParentPlan pp = plan_parent(parent, policy, now, options);
    CHECK(pp.refused.empty());
    CHECK(actions_of(pp) == drops);
    const Plan plan = make_plan({parent}, {policy}, now, options);
    CHECK(plan.parents.at(0).refused.empty());
  }
  SECTION("allowed with max_removal_percent 100")
  {
    PlanOptions options;
    options.max_removal_percent = 100;
    const ParentPlan pp = plan_parent(parent, policy, now, options);
    CHECK(pp.refused.empty());
    CHECK(actions_of(pp) == drops);
  }
  SECTION("the limit is inclusive: 75% is allowed at 75, refused at 74")
  {
    PlanOptions options;
    options.max_removal_percent = 75;
    CHECK(plan_parent(parent, policy, now, options).refused.empty());
    options.max_removal_percent = 74;
    CHECK(plan_parent(parent, policy, now, options).refused ==
          "would drop or detach 3 of 4 partitions, more than 74%, so only its creates are applied" + hint);
  }
  SECTION("a single removal is never refused")
  {
    parent.children.erase(parent.children.begin(), parent.children.begin() + 2);
    PlanOptions options;
    options.max_removal_percent = 1;
    const ParentPlan pp = plan_parent(parent, policy, now, options);
    CHECK(actions_of(pp) == Lines{"drop public.events_p20261003"});
    CHECK(pp.refused.empty());
  }
  SECTION("the partitions the plan creates count in the denominator")
  {
    // Without the catch-all and with premake 3 the plan creates 4 partitions: 3 of 3 + 4 = 7, about 43%.
    parent.children.erase(parent.children.begin() + 3);
    policy.premake = 3;
    const ParentPlan pp = plan_parent(parent, policy, now);
    CHECK(created(pp).size() == 4);
    CHECK(pp.refused.empty());
    PlanOptions options;
    options.max_removal_percent = 40;
    CHECK(plan_parent(parent, policy, now, options).refused ==
          "would drop or detach 3 of 7 partitions, more than 40%, so only its creates are applied" + hint);
  }
  SECTION("a parent without removals is never refused")
  {
    policy.retention.reset();
    PlanOptions options;
    options.max_removal_percent = 1;
    CHECK(plan_parent(parent, policy, now, options).refused.empty());
  }
}

TEST_CASE("planner: a default partition whose rows cannot move gives a warning when partitions are created")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 1);
  parent.children.push_back(make_default("public", "events_default"));
  parent.children.back().estimated_rows = 1234.0;
  parent.children.back().rare.get_or_make().referenced_by = "\"fk\" of \"public\".\"refs\"";
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(created(pp) == Lines{"events_p20261125", "events_p20261126"});
  for (const auto& a : pp.actions)
    CHECK_FALSE(a.move);
  CHECK(notes_of(pp) ==
        Lines{"warning: rows cannot be moved out of default partition \"public\".\"events_default\": it is "
              "referenced by foreign key \"fk\" of \"public\".\"refs\" (a DELETE would cascade or fail); it "
              "holds about 1234 rows, and an attach fails if any of them belong to a new partition"});
  // Nothing to create: no warning.
  const ParentPlan again = plan_parent(with_creates(parent, pp), policy, at("2026-11-25 04:20Z"));
  CHECK(actions_of(again).empty());
  CHECK(notes_of(again).empty());
}

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

TEST_CASE("planner: timestamp and date keys get wall-clock literals without offset")
{
  SECTION("timestamp without time zone, daily in Berlin")
  {
    const auto parent = make_parent("public", "events", KeyType::timestamp);
    const auto policy = make_policy("public", "events", "1 day", 1, "Europe/Berlin");
    const ParentPlan pp = plan_parent(parent, policy, at("2026-03-28 23:30Z")); // 03-29 00:30 in Berlin
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p20260329 [2026-03-29 00:00:00, 2026-03-30 00:00:00)",
                "create public.events_p20260330 [2026-03-30 00:00:00, 2026-03-31 00:00:00)"});
    REQUIRE(pp.actions.size() == 2);
    CHECK(pp.actions[0].sql[2] ==
          "ALTER TABLE \"public\".\"events\" ATTACH PARTITION \"public\".\"events_p20260329\" "
          "FOR VALUES FROM ('2026-03-29 00:00:00') TO ('2026-03-30 00:00:00')");
    CHECK(pp.actions[0].reason == "current: holds now (2026-03-29 00:30:00)");
    check_idempotent(parent, policy, at("2026-03-28 23:30Z"));
  }
  SECTION("timestamp without time zone, hourly: the wall clock has no gap")
  {
    const auto parent = make_parent("public", "events", KeyType::timestamp);
    const auto policy = make_policy("public", "events", "1 hour", 2, "Europe/Berlin");
    const ParentPlan pp = plan_parent(parent, policy, at("2026-03-29 00:10Z"));
    CHECK(actions_of(pp) ==
          Lines{"create public.events_p20260329_0100 [2026-03-29 01:00:00, 2026-03-29 02:00:00)",
                "create public.events_p20260329_0200 [2026-03-29 02:00:00, 2026-03-29 03:00:00)",
                "create public.events_p20260329_0300 [2026-03-29 03:00:00, 2026-03-29 04:00:00)"});
  }
  SECTION("timestamp key with retention")
  {
    auto parent = make_parent("public", "events", KeyType::timestamp);
    auto policy = make_policy("public", "events", "1 day", 1, "America/New_York");
    policy.retention = period("7 days");
    policy.retention_action = RetentionAction::drop;
    parent.children.push_back(
        make_child("public", "events_p20261117", "2026-11-17 00:00:00", "2026-11-18 00:00:00"));
    parent.children.push_back(
        make_child("public", "events_p20261118", "2026-11-18 00:00:00", "2026-11-19 00:00:00"));
    // now: 2026-11-25 03:00 UTC = 2026-11-24 22:00 in New York; cutoff 2026-11-17 22:00: nothing expires.
    CHECK(created(plan_parent(parent, policy, at("2026-11-25 03:00Z"))) ==
          Lines{"events_p20261124", "events_p20261125"});
    CHECK(actions_of(plan_parent(parent, policy, at("2026-11-25 03:00Z"))).size() == 2);
    // now: 2026-11-25 06:00 UTC = 2026-11-25 01:00 in New York; cutoff 2026-11-18 01:00.
    const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 06:00Z"));
    CHECK(actions_of(pp) == Lines{"create public.events_p20261125 [2026-11-25 00:00:00, 2026-11-26 00:00:00)",
                                  "create public.events_p20261126 [2026-11-26 00:00:00, 2026-11-27 00:00:00)",
                                  "drop public.events_p20261117"});
    REQUIRE(pp.actions.size() == 3);
    CHECK(pp.actions[2].reason ==
          "retention 7 days: upper bound 2026-11-18 00:00:00 is not after 2026-11-18 01:00:00");
  }
  SECTION("date key, monthly")
  {
    const auto parent = make_parent("public", "events", KeyType::date);
    const auto policy = make_policy("public", "events", "1 month", 1, "Europe/Berlin");
    const ParentPlan pp = plan_parent(parent, policy, at("2028-01-31 23:30Z")); // 02-01 in Berlin
    CHECK(actions_of(pp) == Lines{"create public.events_p202802 [2028-02-01, 2028-03-01)",
                                  "create public.events_p202803 [2028-03-01, 2028-04-01)"});
    CHECK(pp.actions[0].sql[2] ==
          "ALTER TABLE \"public\".\"events\" ATTACH PARTITION \"public\".\"events_p202802\" "
          "FOR VALUES FROM ('2028-02-01') TO ('2028-03-01')");
    CHECK(pp.actions[0].reason == "current: holds now (2028-02-01)");
    check_idempotent(parent, policy, at("2028-01-31 23:30Z"));
  }
  SECTION("date key, daily and weekly")
  {
    const auto parent = make_parent("public", "events", KeyType::date);
    CHECK(actions_of(
              plan_parent(parent, make_policy("public", "events", "1 day", 1), at("2028-02-29 12:00Z"))) ==
          Lines{"create public.events_p20280229 [2028-02-29, 2028-03-01)",
                "create public.events_p20280301 [2028-03-01, 2028-03-02)"});
    CHECK(actions_of(
              plan_parent(parent, make_policy("public", "events", "1 week", 0 + 1), at("2027-01-01Z"))) ==
          Lines{"create public.events_p2026w53 [2026-12-28, 2027-01-04)",
                "create public.events_p2027w01 [2027-01-04, 2027-01-11)"});
  }
}

TEST_CASE("planner: bound_text per key type")
{
  const Zone berlin = zone("Europe/Berlin");
  CHECK(bound_text(KeyType::timestamptz, berlin, at("2026-11-24 23:00Z")) == "2026-11-25 00:00:00+01:00");
  CHECK(bound_text(KeyType::timestamp, berlin, wall("2026-11-25 00:00")) == "2026-11-25 00:00:00");
  CHECK(bound_text(KeyType::date, berlin, wall("2026-11-25")) == "2026-11-25");
  CHECK(bound_text(KeyType::unsupported, berlin, 0) == "?");
}

TEST_CASE("planner: identifiers with quotes, spaces and mixed case are quoted")
{
  const auto parent = make_parent("My Schema", "Ev\"ents log");
  const auto policy = make_policy("My Schema", "Ev\"ents log", "1 day", 0 + 1);
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  REQUIRE(pp.actions.size() == 2);
  CHECK(pp.actions[0].name == "Ev\"ents log_p20261125");
  CHECK(
      pp.actions[0].sql ==
      Lines{
          "LOCK TABLE ONLY \"My Schema\".\"Ev\"\"ents log\" IN SHARE UPDATE EXCLUSIVE MODE",
          std::string(
              "CREATE TABLE \"My Schema\".\"Ev\"\"ents log_p20261125\" (LIKE \"My Schema\".\"Ev\"\"ents "
              "log\"") +
              k_like,
          "ALTER TABLE \"My Schema\".\"Ev\"\"ents log\" ATTACH PARTITION \"My Schema\".\"Ev\"\"ents "
          "log_p20261125\" FOR VALUES FROM ('2026-11-25 00:00:00+00:00') TO ('2026-11-26 00:00:00+00:00')"});
  CHECK(policy.parent_sql() == "\"My Schema\".\"Ev\"\"ents log\"");
}

TEST_CASE("planner: long parent names give unique child names of at most 63 bytes")
{
  const std::string base = "sensor_readings_from_the_offshore_wind_farm_north_sea_platform_"; // 63 bytes
  REQUIRE(base.size() == 63);
  const std::string a = base + "alpha", b = base + "beta";
  const Micros now = at("2026-11-25 04:20Z");
  for (const char* interval : {"15 minutes", "1 hour", "1 day", "1 week", "1 month", "1 year"}) {
    INFO(interval);
    const ParentPlan pa = plan_parent(make_parent("public", a), make_policy("public", a, interval, 3), now);
    const ParentPlan pb = plan_parent(make_parent("public", b), make_policy("public", b, interval, 3), now);
    REQUIRE(pa.actions.size() == 4);
    REQUIRE(pb.actions.size() == 4);
    std::set<std::string> names;
    for (const auto* pp : {&pa, &pb}) {
      for (const auto& act : pp->actions) {
        CHECK(act.name.size() <= k_max_identifier_bytes);
        names.insert(act.name);
      }
    }
    CHECK(names.size() == 8);
    CHECK(pa.actions[0].name.rfind(policy_child_prefix(make_policy("public", a, interval)), 0) == 0);
    CHECK(pb.actions[0].name.rfind(policy_child_prefix(make_policy("public", b, interval)), 0) == 0);
    CHECK(policy_child_prefix(make_policy("public", a, interval)) !=
          policy_child_prefix(make_policy("public", b, interval)));
  }
  // Multibyte: 30 x "ü" (60 bytes).
  std::string umlauts;
  for (int i = 0; i < 30; ++i)
    umlauts += "ü";
  const ParentPlan pu =
      plan_parent(make_parent("public", umlauts), make_policy("public", umlauts, "1 day", 1), now);
  REQUIRE(pu.actions.size() == 2);
  for (const auto& act : pu.actions) {
    CHECK(act.name.size() <= k_max_identifier_bytes);
    CHECK(act.name.rfind("üüü", 0) == 0);
    // the cut keeps whole characters: the byte before the '_' that starts the hash is a complete 'ü'
    const std::size_t hash_at = act.name.size() - std::string("_xxxxxxxx_p20261125").size();
    CHECK(act.name.substr(hash_at - 2, 2) == "ü");
  }
  CHECK(pu.actions[0].name != pu.actions[1].name);
  // Idempotent with long names too.
  check_idempotent(make_parent("public", a), make_policy("public", a, "1 day", 3), now);
}

TEST_CASE("planner: parents that cannot be planned give an error and no actions")
{
  const auto policy = make_policy("public", "events", "1 day", 2);
  const Micros now = at("2026-11-25 04:20Z");
  auto plan_error = [&](const ParentSnapshot& parent, const Policy& pol) {
    const ParentPlan pp = plan_parent(parent, pol, now);
    CHECK(pp.actions.empty());
    CHECK(pp.notes.empty());
    CHECK(pp.summary.rfind(pol.interval.text() + ", premake " + std::to_string(pol.premake), 0) == 0);
    return pp.error;
  };
  auto parent = make_parent("public", "events");
  SECTION("missing")
  {
    parent.exists = false;
    CHECK(plan_error(parent, policy) ==
          "parent \"public\".\"events\" does not exist; HINT: it was dropped or "
          "renamed; 'partman unmanage' removes its policy");
  }
  SECTION("not partitioned")
  {
    parent.partitioned = false;
    CHECK(plan_error(parent, policy) == "\"public\".\"events\" is not a partitioned table");
  }
  SECTION("LIST")
  {
    parent.strategy = Strategy::list;
    CHECK(plan_error(parent, policy) == "\"public\".\"events\" is not partitioned BY RANGE");
  }
  SECTION("HASH")
  {
    parent.strategy = Strategy::hash;
    CHECK(plan_error(parent, policy) == "\"public\".\"events\" is not partitioned BY RANGE");
  }
  SECTION("two key columns")
  {
    parent.key_count = 2;
    CHECK(plan_error(parent, policy) ==
          "\"public\".\"events\" must be partitioned on exactly one column (not an expression)");
  }
  SECTION("an expression key")
  {
    parent.key_column.clear();
    CHECK(plan_error(parent, policy) ==
          "\"public\".\"events\" must be partitioned on exactly one column (not an expression)");
  }
  SECTION("unsupported key type")
  {
    parent = make_parent("public", "events", KeyType::unsupported);
    CHECK(
        plan_error(parent, policy) ==
        "the partition key \"created_at\" of \"public\".\"events\" has type numeric; HINT: partman plans "
        "timestamptz, timestamp, date, smallint, integer and bigint RANGE keys, and text, varchar, smallint, "
        "integer, bigint, uuid and date LIST keys");
  }
  SECTION("date key with a sub-day interval")
  {
    parent = make_parent("public", "events", KeyType::date);
    CHECK(
        plan_error(parent, make_policy("public", "events", "1 hour")) ==
        "interval '1 hour' is shorter than a day, but the key of \"public\".\"events\" is a date; HINT: use "
        "'1 day' or longer");
  }
  SECTION("premake out of range")
  {
    CHECK(plan_error(parent, make_policy("public", "events", "1 day", 0)) ==
          "invalid premake 0: it must be between 1 and 10000");
    CHECK(plan_error(parent, make_policy("public", "events", "1 day", 10001)) ==
          "invalid premake 10001: it must be between 1 and 10000");
  }
  SECTION("retention shorter than the interval")
  {
    auto pol = make_policy("public", "events", "1 month");
    pol.retention = period("2 weeks");
    CHECK(plan_error(parent, pol) == "retention '2 weeks' is shorter than one interval ('1 month'); HINT: "
                                     "keep at least one whole partition");
  }
  SECTION("unknown time zone")
  {
    CHECK(plan_error(parent, make_policy("public", "events", "1 day", 2, "Europe/Atlantis")) ==
          "unknown time zone 'Europe/Atlantis'; HINT: use an IANA name such as 'UTC', 'Europe/Berlin' or "
          "'America/New_York'");
  }
}

TEST_CASE("planner: make_plan plans every parent, errors included")
{
  std::vector<ParentSnapshot> parents{make_parent("public", "a"), make_parent("public", "b"),
                                      make_parent("public", "c")};
  parents[1].strategy = Strategy::list;
  std::vector<Policy> policies{make_policy("public", "a", "1 day", 1), make_policy("public", "b", "1 day", 1),
                               make_policy("public", "c", "1 month", 2)};
  const Micros now = at("2026-11-25 04:20Z");
  const Plan plan = make_plan(parents, policies, now);
  CHECK(plan.at == now);
  REQUIRE(plan.parents.size() == 3);
  CHECK(plan.parents[0].table == "a");
  CHECK(plan.parents[0].actions.size() == 2);
  CHECK(plan.parents[1].table == "b");
  CHECK(plan.parents[1].error == "\"public\".\"b\" is not partitioned BY RANGE");
  CHECK(plan.parents[1].actions.empty());
  CHECK(plan.parents[2].actions.size() == 3);
  CHECK(plan.action_count() == 5);
  CHECK(make_plan({}, {}, now).action_count() == 0);
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

TEST_CASE("policy: retention action and key type parsing")
{
  REQUIRE(parse_retention_action("drop"));
  CHECK(*parse_retention_action("drop") == RetentionAction::drop);
  CHECK(*parse_retention_action("detach") == RetentionAction::detach);
  auto bad = parse_retention_action("DROP");
  REQUIRE(!bad);
  CHECK(bad.error() == "invalid retention action 'DROP'; HINT: use 'drop', 'detach' or 'archive'");
  CHECK(std::string(to_string(RetentionAction::drop)) == "drop");
  CHECK(std::string(to_string(RetentionAction::detach)) == "detach");
  CHECK(key_type_from_sql("timestamp with time zone") == KeyType::timestamptz);
  CHECK(key_type_from_sql("timestamp without time zone") == KeyType::timestamp);
  CHECK(key_type_from_sql("date") == KeyType::date);
  CHECK(key_type_from_sql("timestamp(3) with time zone") == KeyType::unsupported);
  CHECK(key_type_from_sql("bigint") == KeyType::bigint);
  CHECK(key_type_from_sql("smallint") == KeyType::smallint);
  CHECK(key_type_from_sql("integer") == KeyType::integer);
  CHECK(key_type_from_sql("text") == KeyType::text);
  CHECK(key_type_from_sql("character varying") == KeyType::text);
  CHECK(key_type_from_sql("character varying(12)") == KeyType::text);
  CHECK(key_type_from_sql("uuid") == KeyType::uuid);
  CHECK(key_type_from_sql("numeric") == KeyType::unsupported);
  CHECK(key_type_from_sql("character(3)") == KeyType::unsupported);
  auto ok = make_policy("public", "events", "1 month", 3, "Europe/Berlin");
  ok.retention = period("1 month");
  CHECK(validate_policy(ok, KeyType::timestamptz).empty());
  CHECK(validate_policy(ok, KeyType::date).empty());
  CHECK(validate_policy(make_policy("public", "events", "15 minutes"), KeyType::timestamp).empty());
  CHECK(validate_policy(make_policy("public", "events", "1 day", k_max_premake), KeyType::date).empty());
}
