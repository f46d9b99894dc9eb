// The planner on LIST partitions, in memory: a partition per value, its name, and unlisted values.
#include <catch2/catch.hpp>
#include <set>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "shapes_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("list: each listed value gets its partition, with literals quoted for the key type")
{
  const auto parent = list_parent("sales");
  const auto policy = list_policy("sales", {"eu", "US", "O'Brien", "", "a b, c", "Zürich", "back\\slash"});
  const ParentPlan pp = plan_parent(parent, policy, 0);
  REQUIRE(pp.error.empty());
  CHECK(pp.summary == "list of 7 value(s), unlisted values: keep");
  REQUIRE(pp.actions.size() == 7);
  std::set<std::string> names;
  for (const auto& a : pp.actions) {
    CHECK(a.kind == ActionKind::create);
    CHECK(a.name.size() <= k_max_identifier_bytes);
    CHECK(a.name.rfind("sales_", 0) == 0);
    names.insert(a.name);
    CHECK(a.sql.size() == 3);
    CHECK(a.sql[0] == "LOCK TABLE ONLY \"public\".\"sales\" IN SHARE UPDATE EXCLUSIVE MODE");
  }
  CHECK(names.size() == 7);
  CHECK(pp.actions[0].name == "sales_eu");
  CHECK(attach_of(pp.actions[0]) ==
        "ALTER TABLE \"public\".\"sales\" ATTACH PARTITION \"public\".\"sales_eu\" FOR VALUES IN ('eu')");
  CHECK(pp.actions[0].reason == "listed value 'eu'");
  CHECK(pp.actions[0].values == Lines{"eu"});
  CHECK(pp.actions[1].name == "sales_us_" + value_suffix(KeyType::text, "US").substr(3));
  CHECK(attach_of(pp.actions[2]) == "ALTER TABLE \"public\".\"sales\" ATTACH PARTITION \"public\".\"" +
                                        pp.actions[2].name + "\" FOR VALUES IN ('O''Brien')");
  CHECK(pp.actions[2].name.rfind("sales_o_brien_", 0) == 0);
  CHECK(attach_of(pp.actions[3]).find("FOR VALUES IN ('')") != std::string::npos);
  CHECK(attach_of(pp.actions[4]).find("FOR VALUES IN ('a b, c')") != std::string::npos);
  CHECK(pp.actions[5].name.rfind("sales_zürich_", 0) == 0);
  CHECK(attach_of(pp.actions[6]).find("FOR VALUES IN ('back\\slash')") != std::string::npos);
  CHECK(plan_parent(after_creates(parent, pp), policy, 0).actions.empty());
  CHECK(render_text(make_plan({parent}, {policy}, 0)).find("+ create \"public\".\"sales_eu\" IN ('eu')") !=
        std::string::npos);
}

TEST_CASE("list: integer, uuid and date keys")
{
  const ParentPlan ints = plan_parent(list_parent("t", KeyType::integer), list_policy("t", {"-5", "7"}), 0);
  CHECK(actions_of(ints) == Lines{"create public.t_m5", "create public.t_7"});
  CHECK(attach_of(ints.actions[0]).find("FOR VALUES IN (-5)") != std::string::npos);
  // People read the values as the SQL writes them: integers plain, text quoted.
  Plan shown;
  shown.parents = {ints, plan_parent(list_parent("s"), list_policy("s", {"5"}), 0)};
  const std::string text = render_text(shown);
  INFO(text);
  CHECK(text.find("\"public\".\"t_m5\" IN (-5)\n      listed value -5\n") != std::string::npos);
  CHECK(text.find("\"public\".\"s_5\" IN ('5')\n      listed value '5'\n") != std::string::npos);
  const ParentPlan uuids = plan_parent(list_parent("t", KeyType::uuid),
                                       list_policy("t", {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}), 0);
  CHECK(actions_of(uuids) == Lines{"create public.t_a0eebc999c0b4ef8bb6d6bb9bd380a11"});
  CHECK(attach_of(uuids.actions[0]).find("FOR VALUES IN ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')") !=
        std::string::npos);
  const ParentPlan dates = plan_parent(list_parent("t", KeyType::date), list_policy("t", {"2026-01-05"}), 0);
  CHECK(actions_of(dates) == Lines{"create public.t_20260105"});
  CHECK(attach_of(dates.actions[0]).find("FOR VALUES IN ('2026-01-05')") != std::string::npos);
  // A value of an integer policy row that is not a number is quoted, never spliced.
  const ParentPlan odd =
      plan_parent(list_parent("t", KeyType::integer), list_policy("t", {"1); DROP TABLE x"}), 0);
  CHECK(attach_of(odd.actions[0]).find("FOR VALUES IN ('1); DROP TABLE x')") != std::string::npos);
}

TEST_CASE("list: names stay unique when values sanitise alike, collide with tables, or hash alike")
{
  auto parent = list_parent("sales");
  // "a b" and "a-b" read alike but hash apart; "a_b" is itself.
  const ParentPlan alike = plan_parent(parent, list_policy("sales", {"a b", "a-b", "a_b", "EU", "eu"}), 0);
  std::set<std::string> names;
  for (const auto& a : alike.actions)
    names.insert(a.name);
  CHECK(names.size() == 5);
  CHECK(alike.actions[2].name == "sales_a_b");
  CHECK(alike.actions[4].name == "sales_eu");

  // A table already named like the value's partition: the hashed form instead.
  parent.taken_names.push_back("sales_eu");
  const ParentPlan taken = plan_parent(parent, list_policy("sales", {"eu"}), 0);
  REQUIRE(taken.actions.size() == 1);
  CHECK(taken.actions[0].name == "sales_" + value_suffix(KeyType::text, "eu", 8));
  CHECK(taken.actions[0].name != "sales_eu");

  // Two values whose 32-bit hashes are equal and whose readable forms are the same: a wider hash.
  const std::string v1 = "COLliSiOnValUeSAB", v2 = "cOlLiSIoNvaLuEsAb";
  REQUIRE(value_suffix(KeyType::text, v1) == value_suffix(KeyType::text, v2));
  const ParentPlan hashed = plan_parent(list_parent("sales"), list_policy("sales", {v1, v2}), 0);
  REQUIRE(hashed.actions.size() == 2);
  CHECK(hashed.actions[0].name == "sales_" + value_suffix(KeyType::text, v1));
  CHECK(hashed.actions[1].name == "sales_" + value_suffix(KeyType::text, v2, 16));
  CHECK(hashed.actions[0].name != hashed.actions[1].name);

  // A value spelled like a hash never takes a hashed name; long values are cut and hashed; a long
  // parent name keeps every suffix.
  CHECK(value_suffix(KeyType::text, "x_0bafd53a") != "x_0bafd53a");
  const std::string long_value(200, 'q');
  CHECK(value_suffix(KeyType::text, long_value).size() == k_value_suffix_bytes);
  CHECK(value_suffix(KeyType::text, long_value) != value_suffix(KeyType::text, long_value + "q"));
  const std::string long_table(60, 't');
  const ParentPlan long_parent =
      plan_parent(list_parent(long_table), list_policy(long_table, {"eu", long_value}), 0);
  for (const auto& a : long_parent.actions)
    CHECK(a.name.size() <= k_max_identifier_bytes);
  CHECK(long_parent.actions[0].name.rfind(policy_child_prefix(list_policy(long_table, {})), 0) == 0);
}

TEST_CASE("list: a value no longer listed is removed only as the list retention says")
{
  auto parent = list_parent("sales");
  parent.children = {list_child("sales_eu", {"eu"}), list_child("sales_us", {"us"}),
                     list_child("sales_old", {"old", "older"}), list_child("sales_mixed", {"gone", "eu2"})};
  const std::vector<std::string> values{"eu", "us", "eu2"};
  const ParentPlan keep = plan_parent(parent, list_policy("sales", values), 0);
  CHECK(keep.actions.empty());
  CHECK(notes_of(keep) ==
        Lines{"info: \"public\".\"sales_old\" holds values no longer listed ('old', 'older'); "
              "it stays (list retention keep)"});

  const ParentPlan detach = plan_parent(parent, list_policy("sales", values, ListRetention::detach), 0);
  CHECK(actions_of(detach) == Lines{"detach public.sales_old"});
  CHECK(detach.actions[0].reason == "no longer listed: 'old', 'older' (list retention detach)");
  CHECK(detach.actions[0].sql ==
        Lines{"ALTER TABLE \"public\".\"sales\" DETACH PARTITION \"public\".\"sales_old\" CONCURRENTLY"});
  CHECK(detach.actions[0].values == Lines{"old", "older"});

  const ParentPlan drop = plan_parent(parent, list_policy("sales", values, ListRetention::drop), 0);
  CHECK(actions_of(drop) == Lines{"drop public.sales_old"});
  CHECK(drop.actions[0].sql.back() == "DROP TABLE \"public\".\"sales_old\"");
  CHECK(drop.summary == "list of 3 value(s), unlisted values: drop");

  auto archive_policy = list_policy("sales", values, ListRetention::archive);
  archive_policy.archive_to = "file:///backup";
  const ParentPlan archive = plan_parent(parent, archive_policy, 0);
  CHECK(actions_of(archive) == Lines{"archive public.sales_old"});
  CHECK(archive.actions[0].archive_to == "file:///backup");
  CHECK(archive.actions[0].from.empty()); // no range to record; restore --attach refuses it

  // With a default partition: one short transaction, locks in order; a pending detach is finished.
  auto with_default = parent;
  with_default.children.push_back(make_default("public", "sales_default"));
  const ParentPlan locked = plan_parent(with_default, list_policy("sales", values, ListRetention::drop), 0);
  REQUIRE(locked.actions.size() == 1);
  CHECK(locked.actions[0].sql ==
        Lines{"LOCK TABLE ONLY \"public\".\"sales\" IN ACCESS EXCLUSIVE MODE",
              "LOCK TABLE ONLY \"public\".\"sales_default\" IN ACCESS EXCLUSIVE MODE",
              "ALTER TABLE \"public\".\"sales\" DETACH PARTITION \"public\".\"sales_old\"",
              "DROP TABLE \"public\".\"sales_old\""});
  const ParentPlan created = plan_parent(with_default, list_policy("sales", {"eu", "new"}), 0);
  CHECK(created.actions.back().sql[1] ==
        "LOCK TABLE ONLY \"public\".\"sales_default\" IN ACCESS EXCLUSIVE MODE");
  auto pending = parent;
  pending.children[2].detach_pending = true;
  const ParentPlan finish = plan_parent(pending, list_policy("sales", values, ListRetention::drop), 0);
  CHECK(actions_of(finish) == Lines{"finalize-detach public.sales_old"});
  CHECK(finish.actions[0].sql.back() == "DROP TABLE \"public\".\"sales_old\"");
}

TEST_CASE("list: the removal guard holds back an emptied list, a values query feeds the plan")
{
  auto parent = list_parent("sales");
  parent.children = {list_child("sales_a", {"a"}), list_child("sales_b", {"b"}),
                     list_child("sales_c", {"c"})};
  auto policy = list_policy("sales", {}, ListRetention::drop);
  policy.values_query = "SELECT code FROM regions";
  parent.queried_values = {};
  const ParentPlan emptied = plan_parent(parent, policy, 0);
  CHECK(actions_of(emptied).size() == 3);
  CHECK(!emptied.refused.empty());

  parent.queried_values = {"a", "b", "c", "d"};
  CHECK(actions_of(plan_parent(parent, policy, 0)) == Lines{"create public.sales_d"});
  CHECK(plan_parent(parent, policy, 0).summary == "list from a query, unlisted values: drop");

  parent.values_error =
      "the values query of \"public\".\"sales\" returned NULL; HINT: add WHERE code IS NOT NULL";
  const ParentPlan failed = plan_parent(parent, policy, 0);
  CHECK(failed.error == parent.values_error);
  CHECK(failed.actions.empty());
}
