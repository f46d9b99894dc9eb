// Default partitions: created last and kept, rows of new ranges moved out of them, and drains of their rows.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "children_fixtures.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("default partition: created last when the policy asks for one, and never dropped")
{
  auto parent = parent_with_today();
  auto policy = make_policy("public", "ev", "1 day", 1);
  policy.retention = period("1 day");
  policy.retention_action = RetentionAction::drop;
  parent.children.push_back(
      make_child("public", "ev_p20261101", "2026-11-01 00:00:00+00:00", "2026-11-02 00:00:00+00:00"));
  policy.default_partition = true;
  PlanOptions force;
  force.force = true;
  const ParentPlan pp = plan_parent(parent, policy, k_now, force);
  REQUIRE(actions_of(pp) == Lines{"create public.ev_p20261126 [2026-11-26 00:00:00+00:00, 2026-11-27 "
                                  "00:00:00+00:00)",
                                  "drop public.ev_p20261101", "create public.ev_default"});
  const Action def = pp.actions.back();
  CHECK(def.sql.back() == "ALTER TABLE \"public\".\"ev\" ATTACH PARTITION \"public\".\"ev_default\" DEFAULT");
  CHECK(def.locks == std::string("SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new "
                                 "(empty) table"));
  CHECK(def.sql.front() == "LOCK TABLE ONLY \"public\".\"ev\" IN SHARE UPDATE EXCLUSIVE MODE");
  CHECK_FALSE(def.move);
  // With it there, nothing more; without the policy asking, an existing one is left alone.
  auto with_default = with_creates(parent, pp);
  with_default.children.back().is_default = true;
  with_default.children.erase(with_default.children.begin() + 1); // the detached partition
  CHECK(actions_of(plan_parent(with_default, policy, k_now)).empty());
  policy.default_partition = false;
  CHECK(actions_of(plan_parent(with_default, policy, k_now)).empty());
}

TEST_CASE("default partition: a table holding its name gives a warning")
{
  auto parent = parent_with_today();
  parent.taken_names = {"ev_default"};
  auto policy = make_policy("public", "ev", "1 day", 1);
  policy.default_partition = true;
  parent.children.push_back(
      make_child("public", "ev_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  const ParentPlan pp = plan_parent(parent, policy, k_now);
  CHECK(pp.actions.empty());
  CHECK(notes_of(pp) ==
        Lines{"warning: cannot create default partition \"public\".\"ev_default\": a table of "
              "that name exists and is not this partition; HINT: rename or drop it, or attach "
              "it yourself"});
}

TEST_CASE("moves: a create beside a default partition moves its range's rows, in batches when rows are "
          "expected")
{
  auto parent = parent_with_default();
  auto policy = make_policy("public", "ev", "1 day", 1);
  PlanOptions options;
  options.batch_size = 500;
  Plan plan = make_plan({parent}, {policy}, k_now, options);
  const Action a = only_create(plan.parents[0]);
  REQUIRE(a.move);
  const DefaultMove& m = *a.move;
  CHECK(m.schema == "public");
  CHECK(m.name == "ev_default");
  CHECK(m.condition == "\"at\" >= '2026-11-26 00:00:00+00:00' AND \"at\" < '2026-11-27 00:00:00+00:00'");
  CHECK(m.batch_size == 500);
  CHECK(m.batch_sql ==
        "WITH moved AS (DELETE FROM ONLY \"public\".\"ev_default\" WHERE ctid = ANY (ARRAY(SELECT "
        "ctid FROM ONLY \"public\".\"ev_default\" WHERE " +
            m.condition +
            " LIMIT 500)) RETURNING \"id\", \"at\", \"note\") INSERT INTO "
            "\"public\".\"ev_p20261126\" (\"id\", \"at\", \"note\") SELECT \"id\", \"at\", \"note\" "
            "FROM moved");
  // The table's creation is the setup a batched move runs first; the last rows move before the attach.
  CHECK(m.setup_from == 2);
  CHECK(m.setup_count == 1);
  CHECK(a.sql[2].rfind("CREATE TABLE \"public\".\"ev_p20261126\"", 0) == 0);
  CHECK(a.sql[3] ==
        "WITH moved AS (DELETE FROM ONLY \"public\".\"ev_default\" WHERE " + m.condition +
            " RETURNING \"id\", \"at\", \"note\") INSERT INTO \"public\".\"ev_p20261126\" (\"id\", "
            "\"at\", \"note\") SELECT \"id\", \"at\", \"note\" FROM moved");
  CHECK(a.sql[4].rfind("ALTER TABLE \"public\".\"ev\" ATTACH PARTITION", 0) == 0);
  CHECK_FALSE(m.batched);
  CHECK(m.estimated_rows == -1);

  SECTION("one row or none expected: only within the attach's transaction")
  {
    set_move_estimates(plan, {1});
    CHECK(plan.parents[0].actions[0].move->estimated_rows == 1);
    CHECK_FALSE(plan.parents[0].actions[0].move->batched);
    CHECK(render_text(plan).find("moves: the rows of its range (none or few expected) from "
                                 "\"public\".\"ev_default\" into the new table inside the attach's "
                                 "transaction") != std::string::npos);
  }
  SECTION("rows expected: in batches first, and the plan says how many")
  {
    set_move_estimates(plan, {12345});
    CHECK(plan.parents[0].actions[0].move->batched);
    CHECK(render_text(plan).find(
              "moves: about 12345 rows of its range (estimated) from \"public\".\"ev_default\" "
              "into the new, not yet attached table, in batches of 500 rows") != std::string::npos);
    const auto doc = nlohmann::json::parse(render_json(plan));
    const auto& move = doc["parents"][0]["actions"][0]["move"];
    CHECK(move["estimated_rows"] == 12345);
    CHECK(move["batched"] == true);
    CHECK(move["from"] == "\"public\".\"ev_default\"");
    CHECK(move["batch_sql"] == m.batch_sql);
  }
}

TEST_CASE("moves: integer ranges and LIST values move by their own conditions")
{
  SECTION("integer")
  {
    auto [parent, policy] = shaped_with_default("n", KeyType::bigint, "id", Shape::integer);
    policy.width = 1000;
    policy.premake = 1;
    parent.key_max = 1500;
    parent.children.push_back(make_child("public", "n_p1000", "", ""));
    parent.children.back().lower = 1000;
    parent.children.back().upper = 2000;
    const Action a = only_create(plan_parent(parent, policy, k_now));
    REQUIRE(a.move);
    CHECK(a.move->condition == "\"id\" >= 2000 AND \"id\" < 3000");
  }
  SECTION("list")
  {
    auto [parent, policy] = shaped_with_default("l", KeyType::text, "region", Shape::list);
    policy.values = {"o'neil"};
    const Action a = only_create(plan_parent(parent, policy, k_now));
    REQUIRE(a.move);
    CHECK(a.move->condition == "\"region\" IN ('o''neil')");
  }
}

TEST_CASE("moves: a table an interrupted move left is adopted, not created again")
{
  auto parent = parent_with_default();
  parent.taken_names = {"ev_p20261126"};
  auto policy = make_policy("public", "ev", "1 day", 1);
  SECTION("listed as an unfinished move: finished")
  {
    parent.unfinished_moves = {"ev_p20261126"};
    const ParentPlan pp = plan_parent(parent, policy, k_now);
    const Action a = only_create(pp);
    REQUIRE(a.move);
    CHECK(a.move->resume);
    CHECK(a.move->batched);
    CHECK(a.move->setup_count == 0);
    for (const auto& s : a.sql)
      CHECK(s.rfind("CREATE TABLE", 0) == std::string::npos);
    CHECK(a.reason.find("an interrupted run created this table") != std::string::npos);
    CHECK(notes_of(pp).empty());
  }
  SECTION("one whose range this plan does not want: a warning")
  {
    parent.unfinished_moves = {"ev_p20270101"};
    parent.taken_names = {"ev_p20270101"};
    const ParentPlan pp = plan_parent(parent, policy, k_now);
    CHECK(only_create(pp).name == "ev_p20261126");
    REQUIRE(notes_of(pp).size() == 1);
    CHECK(
        notes_of(pp)[0] ==
        "warning: \"public\".\"ev_p20270101\" holds rows an interrupted run moved out of the default "
        "partition, and this plan does not attach it; HINT: attach it to \"public\".\"ev\" yourself, or put "
        "its rows back with INSERT INTO \"public\".\"ev\" SELECT * FROM \"public\".\"ev_p20270101\"");
  }
  SECTION("any other table of that name: a warning, as before")
  {
    const ParentPlan pp = plan_parent(parent, policy, k_now);
    CHECK(pp.actions.empty());
    REQUIRE(notes_of(pp).size() == 1);
    CHECK(notes_of(pp)[0].find("a table of that name exists") != std::string::npos);
  }
}

TEST_CASE("moves: a default partition a foreign key references keeps its rows")
{
  auto parent = parent_with_default();
  parent.properties.referenced_by = "\"fk\" of \"public\".\"refs\"";
  auto policy = make_policy("public", "ev", "1 day", 1);
  const ParentPlan pp = plan_parent(parent, policy, k_now);
  const Action a = only_create(pp);
  CHECK_FALSE(a.move);
  CHECK(a.sql.size() == 4);
  REQUIRE(notes_of(pp).size() == 1);
  CHECK(notes_of(pp)[0].find("the parent is referenced by foreign key \"fk\" of \"public\".\"refs\"") !=
        std::string::npos);
}

TEST_CASE("drain: the slot of a key, created with its rows moved in batches, or why its rows stay")
{
  auto parent = parent_with_default();
  auto policy = make_policy("public", "ev", "1 day", 1);
  policy.retention = period("30 days");
  SECTION("a future day")
  {
    const DrainStep s = plan_drain_range(parent, policy, k_now, key("2027-01-05 13:00:00+00:00"));
    CHECK(s.stays.empty());
    CHECK(s.range == "[2027-01-05 00:00:00+00:00, 2027-01-06 00:00:00+00:00)");
    CHECK(s.next == key("2027-01-06 00:00:00+00:00"));
    const Action a = only_create(s.plan);
    CHECK(a.name == "ev_p20270105");
    REQUIRE(a.move);
    CHECK(a.move->batched);
  }
  SECTION("expired under retention")
  {
    const DrainStep s = plan_drain_range(parent, policy, k_now, key("2026-01-05 13:00:00+00:00"));
    CHECK(s.plan.actions.empty());
    CHECK(s.stays == "it has expired under the policy's retention");
    CHECK(s.next == key("2026-01-06 00:00:00+00:00"));
  }
  SECTION("a hand-made partition overlaps the slot")
  {
    parent.children.push_back(
        make_child("public", "handmade", "2027-01-05 00:00:00+00:00", "2027-01-05 12:00:00+00:00"));
    const DrainStep s = plan_drain_range(parent, policy, k_now, key("2027-01-05 13:00:00+00:00"));
    CHECK(s.plan.actions.empty());
    CHECK(s.stays.find("it would overlap \"public\".\"handmade\"") != std::string::npos);
  }
  SECTION("a monthly slot in a zone, across a DST change")
  {
    auto berlin = make_policy("public", "ev", "1 month", 1, "Europe/Berlin");
    const DrainStep s = plan_drain_range(parent, berlin, k_now, key("2027-03-31 22:30:00+00:00"));
    CHECK(s.range == "[2027-04-01 00:00:00+02:00, 2027-05-01 00:00:00+02:00)");
    CHECK(only_create(s.plan).name == "ev_p202704");
  }
  SECTION("integer slots")
  {
    auto [ints, p] = shaped_with_default("n", KeyType::bigint, "id", Shape::integer);
    p.width = 100;
    const DrainStep s = plan_drain_range(ints, p, k_now, -150);
    CHECK(s.range == "[-200, -100)");
    CHECK(only_create(s.plan).name == "n_pm200");
    CHECK(key_sql(ints, p, -150) == "-150");
  }
}

TEST_CASE("drain: LIST values are created when listed, and stay otherwise")
{
  auto [parent, policy] = list_with_eu();
  policy.values = {"eu", "us"};
  const DrainStep us = plan_drain_value(parent, policy, 0, "us");
  CHECK(us.stays.empty());
  CHECK(us.range == "'us'");
  const Action a = only_create(us.plan);
  CHECK(a.name == "l_us");
  REQUIRE(a.move);
  CHECK(a.move->batched);
  CHECK(us.plan.notes.empty());
  CHECK(plan_drain_value(parent, policy, 0, "apac").stays == "the policy does not list it");
  CHECK(plan_drain_value(parent, policy, 0, "eu").stays == "partition \"public\".\"l_eu\" already holds it");
}
