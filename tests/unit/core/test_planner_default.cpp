// The planner beside a default partition: lock order of creates and removals, rows moved out of it.
#include <catch2/catch.hpp>

#include "partman/core/planner.hpp"
#include "planner_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("planner: detach, detach to a retention schema, and drop beside a default partition")
{
  // The same removals as above, but the parent has a default partition: DETACH ... CONCURRENTLY is not
  // allowed, so each removal is one transaction that locks the parent, then the default partition.
  auto parent = events_with_old_months();
  auto policy = events_year_retention();
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
