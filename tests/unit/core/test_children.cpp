// Children that match their parent, partitions foreign keys reference, and when a plan needs those details.
#include <catch2/catch.hpp>

#include "children_fixtures.hpp"
#include "partman/core/children.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

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
