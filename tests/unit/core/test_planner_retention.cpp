// The planner's retention of time ranges: what expires, drop, detach, retention schema, pending detaches.
#include <catch2/catch.hpp>

#include "partman/core/planner.hpp"
#include "planner_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

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
  auto parent = events_with_old_months();
  auto policy = events_year_retention();
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
