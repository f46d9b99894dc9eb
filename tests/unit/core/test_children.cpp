// The planner's default partitions, moves of rows out of them, children that match their parent, and
// retention beside foreign keys, in memory.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "partman/core/children.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

const Micros k_now = at("2026-11-25 04:20Z");

// Returns a daily parent public.ev with one partition for today and a default partition.
ParentSnapshot parent_with_default()
{
  auto p = make_parent("public", "ev");
  p.key_column = "at";
  p.children.push_back(
      make_child("public", "ev_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  p.children.push_back(make_default("public", "ev_default"));
  p.properties.columns = {"id", "at", "note"};
  return p;
}

// Returns the parent's properties as a parent with everything PostgreSQL does not carry would have them.
ParentProperties rich_properties()
{
  ParentProperties p;
  p.owner = "app owner";
  p.session_user = "partman";
  p.grants = {{"reader", "SELECT", false},
              {"writer", "INSERT", true},
              {"writer", "UPDATE", true},
              {"", "SELECT", false},
              {"writer", "DELETE", false}};
  p.tablespace = "fast disk";
  p.replica_identity = 'i';
  p.replica_index = "USING btree (id, at)";
  p.comment = "events, it's here";
  p.template_found = true;
  p.template_indexes = {{"ev_tpl_email_key", "USING btree (email)"},
                        {"by_code", "USING btree (lower(code)) WHERE (code IS NOT NULL)"}};
  return p;
}

// Returns public.ev with today's partition, so that a plan with premake 1 creates tomorrow's only.
ParentSnapshot parent_with_today()
{
  auto p = make_parent("public", "ev");
  p.key_column = "at";
  p.children.push_back(
      make_child("public", "ev_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  return p;
}

// Returns parent public.`table` partitioned on key `column` of `type` (BY LIST for text) with a default
// partition, and a policy of `shape` for it.
std::pair<ParentSnapshot, Policy> shaped_with_default(const std::string& table, KeyType type,
                                                      const std::string& column, Shape shape)
{
  auto parent = make_parent("public", table, type);
  parent.strategy = shape == Shape::list ? Strategy::list : Strategy::range;
  parent.key_column = column;
  parent.children.push_back(make_default("public", table + "_default"));
  Policy policy;
  policy.schema = "public";
  policy.table = table;
  policy.shape = shape;
  return {parent, policy};
}

// Returns LIST parent public.l (with a default partition) with partition l_eu for value 'eu', and a LIST
// policy for it.
std::pair<ParentSnapshot, Policy> list_with_eu()
{
  auto [parent, policy] = shaped_with_default("l", KeyType::text, "region", Shape::list);
  Child eu;
  eu.schema = "public";
  eu.name = "l_eu";
  eu.rare.get_or_make().values = {"eu"};
  parent.children.push_back(eu);
  return {parent, policy};
}

Action only_create(const ParentPlan& pp)
{
  REQUIRE(pp.error.empty());
  REQUIRE(pp.actions.size() == 1);
  REQUIRE(pp.actions[0].kind == ActionKind::create);
  return pp.actions[0];
}

} // namespace

TEST_CASE("children: a new child gets its parent's tablespace, comment, template indexes, replica identity, "
          "grants and owner")
{
  auto parent = parent_with_today();
  parent.properties = rich_properties();
  auto policy = make_policy("public", "ev", "1 day", 1);
  policy.template_schema = "public";
  policy.template_table = "ev_tpl";
  const Action a = only_create(plan_parent(parent, policy, k_now));
  const std::string c = "\"public\".\"ev_p20261126\"";
  CHECK(
      a.sql ==
      Lines{"LOCK TABLE ONLY \"public\".\"ev\" IN SHARE UPDATE EXCLUSIVE MODE",
            "CREATE TABLE " + c +
                " (LIKE \"public\".\"ev\" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED "
                "INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS) TABLESPACE "
                "\"fast disk\"",
            "COMMENT ON TABLE " + c + " IS 'events, it''s here'",
            "CREATE UNIQUE INDEX \"ev_p20261126_email_key\" ON " + c + " USING btree (email)",
            "CREATE UNIQUE INDEX \"ev_p20261126_by_code\" ON " + c +
                " USING btree (lower(code)) WHERE (code IS NOT NULL)",
            "CREATE UNIQUE INDEX \"ev_p20261126_replica_identity\" ON " + c + " USING btree (id, at)",
            "ALTER TABLE " + c + " REPLICA IDENTITY USING INDEX \"ev_p20261126_replica_identity\"",
            "GRANT SELECT ON TABLE " + c + " TO \"reader\"",
            "GRANT INSERT, UPDATE ON TABLE " + c + " TO \"writer\" WITH GRANT OPTION",
            "GRANT SELECT ON TABLE " + c + " TO PUBLIC", "GRANT DELETE ON TABLE " + c + " TO \"writer\"",
            "ALTER TABLE \"public\".\"ev\" ATTACH PARTITION " + c +
                " FOR VALUES FROM ('2026-11-26 00:00:00+00:00') TO ('2026-11-27 00:00:00+00:00')",
            "ALTER TABLE " + c + " OWNER TO \"app owner\""});
}

TEST_CASE("children: what a policy and the catalog leave out is left out")
{
  auto parent = parent_with_today();
  auto policy = make_policy("public", "ev", "1 day", 1);
  SECTION("privileges not inherited: no grants and no owner")
  {
    parent.properties = rich_properties();
    policy.template_schema = "public";
    policy.template_table = "ev_tpl";
    policy.inherit_privileges = false;
    for (const auto& s : only_create(plan_parent(parent, policy, k_now)).sql) {
      CHECK(s.rfind("GRANT", 0) == std::string::npos);
      CHECK(s.find("OWNER TO") == std::string::npos);
    }
  }
  SECTION("partman owns the parent: no owner change")
  {
    parent.properties.owner = "partman";
    parent.properties.session_user = "partman";
    CHECK(only_create(plan_parent(parent, policy, k_now)).sql.size() == 3);
  }
  SECTION("replica identity full and nothing")
  {
    parent.properties.replica_identity = 'f';
    CHECK(only_create(plan_parent(parent, policy, k_now)).sql[2] ==
          "ALTER TABLE \"public\".\"ev_p20261126\" REPLICA IDENTITY FULL");
    parent.properties.replica_identity = 'n';
    CHECK(only_create(plan_parent(parent, policy, k_now)).sql[2] ==
          "ALTER TABLE \"public\".\"ev_p20261126\" REPLICA IDENTITY NOTHING");
  }
  SECTION("a template table that no longer exists makes the parent an error")
  {
    policy.template_schema = "public";
    policy.template_table = "gone";
    const ParentPlan pp = plan_parent(parent, policy, k_now);
    CHECK(pp.actions.empty());
    CHECK(pp.error.find("template table \"public\".\"gone\" does not exist") != std::string::npos);
  }
}

TEST_CASE("children: index names of long children stay within 63 bytes and unique")
{
  const std::string table(60, 'x');
  const std::string a = child_index_name(table, "replica_identity");
  const std::string b = child_index_name(table + "y", "replica_identity");
  CHECK(a.size() <= 63);
  CHECK(b.size() <= 63);
  CHECK(a != b);
  CHECK(a.substr(a.size() - 16) == "replica_identity");
  const std::string long_suffix(70, 's');
  CHECK(child_index_name("ev_p20261125", long_suffix).size() <= 63);
}

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

TEST_CASE("retention: a partition a foreign key references is left in place with a note")
{
  auto parent = make_parent("public", "ev");
  parent.key_column = "at";
  parent.children.push_back(
      make_child("public", "ev_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  for (const char* day : {"01", "02", "03"})
    parent.children.push_back(make_child("public", std::string("ev_p202611") + day,
                                         std::string("2026-11-") + day + " 00:00:00+00:00",
                                         std::string("2026-11-0") + char(day[1] + 1) + " 00:00:00+00:00"));
  parent.children[2].rare.get_or_make().referenced_by = "\"orders_fk\" of \"public\".\"orders\"";
  parent.children.push_back(
      make_child("public", "ev_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  auto policy = make_policy("public", "ev", "1 day", 1);
  policy.retention = period("7 days");
  PlanOptions force;
  force.force = true;
  SECTION("drop: not attempted")
  {
    policy.retention_action = RetentionAction::drop;
    const ParentPlan pp = plan_parent(parent, policy, k_now, force);
    CHECK(actions_of(pp) == Lines{"drop public.ev_p20261101", "drop public.ev_p20261103"});
    CHECK(notes_of(pp) ==
          Lines{"warning: \"public\".\"ev_p20261102\" is due for removal but is referenced by "
                "foreign key \"orders_fk\" of \"public\".\"orders\", so it is left in place (its "
                "DROP TABLE would fail after the detach); HINT: drop or change that constraint, "
                "or use --retention-action detach"});
  }
  SECTION("archive: not attempted either")
  {
    policy.retention_action = RetentionAction::archive;
    policy.archive_to = "file:///tmp/a";
    CHECK(plan_parent(parent, policy, k_now, force).actions.size() == 2);
  }
  SECTION("detach: the foreign key does not stop a detach")
  {
    policy.retention_action = RetentionAction::detach;
    CHECK(plan_parent(parent, policy, k_now, force).actions.size() == 3);
  }
  SECTION("a foreign key on the parent: removals are planned, with what PostgreSQL does said")
  {
    parent.children[2].rare.reset();
    parent.properties.referenced_by = "\"fk\" of \"public\".\"refs\"";
    policy.retention_action = RetentionAction::drop;
    const ParentPlan pp = plan_parent(parent, policy, k_now, force);
    CHECK(pp.actions.size() == 3);
    CHECK(notes_of(pp) ==
          Lines{"info: the parent is referenced by foreign key \"fk\" of \"public\".\"refs\": "
                "PostgreSQL refuses to detach a partition whose rows are still referenced, and "
                "that removal then fails without changing anything"});
  }
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

TEST_CASE("details: a plan without properties and taken names that needs none is the plan with them")
{
  // What apply reads lazily (run::plan_catalog): each case is planned without them first.
  const auto check = [](const ParentSnapshot& parent, const Policy& policy, Micros now, bool needed) {
    ParentSnapshot without = parent;
    without.properties = {};
    without.taken_names.clear();
    for (auto& c : without.children) {
      if (c.rare)
        c.rare->referenced_by.clear();
    }
    const Plan bare = make_plan({without}, {policy}, now);
    const Plan full = make_plan({parent}, {policy}, now);
    CHECK(needs_details(without, bare.parents.at(0)) == needed);
    if (!needed)
      CHECK(render_json(bare) == render_json(full));
  };
  auto parent = parent_with_default();
  parent.properties = rich_properties();
  parent.properties.columns = {"id", "at", "note"};
  parent.properties.referenced_by = "\"fk\" of \"public\".\"refs\"";
  parent.children.push_back(
      make_child("public", "ev_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "ev_p20261101", "2026-11-01 00:00:00+00:00", "2026-11-02 00:00:00+00:00"));
  parent.children.back().rare.get_or_make().referenced_by = "\"orders_fk\" of \"public\".\"orders\"";
  auto policy = make_policy("public", "ev", "1 day", 1);
  SECTION("nothing to do, with every property set: not needed")
  {
    check(parent, policy, k_now, false);
    parent.unfinished_moves = {"ev_p20270101"}; // read with the catalog: its note stays
    parent.taken_names = {"ev_p20270101"};
    check(parent, policy, k_now, false);
  }
  SECTION("creates: needed")
  {
    check(parent, policy, at("2026-11-26 04:20Z"), true);
    parent.taken_names = {"ev_p20261127"}; // the name of the one the plan creates: a warning instead
    check(parent, policy, at("2026-11-26 04:20Z"), true);
  }
  SECTION("an interrupted removal: needed, as it is finished only where its table is still there")
  {
    parent.interrupted = {"ev_p20261020"};
    check(parent, policy, k_now, true);
    parent.taken_names = {"ev_p20261020"};
    check(parent, policy, k_now, true);
  }
  SECTION("a partition due for removal that a foreign key references: needed")
  {
    policy.retention = period("7 days");
    check(parent, policy, k_now, true);
  }
  SECTION("a template table: needed, as whether it exists is one of them")
  {
    policy.template_schema = "public";
    policy.template_table = "ev_tpl";
    check(parent, policy, k_now, true);
    parent.properties.template_found = false;
    check(parent, policy, k_now, true);
  }
  SECTION("a LIST parent with its values: not needed")
  {
    auto [list, list_policy] = list_with_eu();
    list.children.back().rare->referenced_by = "\"fk\" of \"public\".\"refs\"";
    list.properties = rich_properties();
    list_policy.values = {"eu"};
    list_policy.list_retention = ListRetention::drop;
    check(list, list_policy, k_now, false);
    list_policy.values = {"us"};
    check(list, list_policy, k_now, true);
  }
}
