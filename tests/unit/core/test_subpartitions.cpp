// The planner on two levels, in memory: new partitions created partitioned with their own partitions, a
// level-2 policy over partitions partitioned already, its retention guarded as one, and the tree.
#include <catch2/catch.hpp>
#include <memory>

#include "partman/core/planner.hpp"
#include "partman/core/status.hpp"
#include "partman/core/subpartitions.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

// Returns `n` with two digits at least.
std::string two_digits(int n)
{
  return (n < 10 ? "0" : "") + std::to_string(n);
}

// Returns the first `count` daily partitions of `month` ("2026-11") of public.events_pYYYYMM, the last ending
// at `end` ("2026-12-01").
std::vector<Child> days(const std::string& month, int count, const std::string& end)
{
  const std::string outer = "events_p" + month.substr(0, 4) + month.substr(5);
  std::vector<Child> out;
  for (int d = 1; d <= count; ++d)
    out.push_back(make_child("public", outer + "_p" + month.substr(0, 4) + month.substr(5) + two_digits(d),
                             month + "-" + two_digits(d) + " 00:00:00+00",
                             (d == count ? end : month + "-" + two_digits(d + 1)) + " 00:00:00+00"));
  return out;
}

// Returns public.events (RANGE on created_at) planned monthly, whose partitions are partitioned BY RANGE
// on the same key under `sub_interval`.
Policy months_into(const std::string& sub_interval, int sub_premake = 4)
{
  Policy p = make_policy("public", "events", "1 month", 1);
  Policy sub = make_policy("public", "events", sub_interval, sub_premake);
  sub.level = 2;
  sub.partition_key = "created_at";
  p.sub = std::make_shared<const Policy>(sub);
  return p;
}

// Returns the parent of months_into(), knowing its level-2 key's type.
ParentSnapshot events_parent()
{
  ParentSnapshot p = make_parent("public", "events");
  p.sub_key_type_name = p.key_type_name;
  p.sub_key_type = p.key_type;
  return p;
}

// Returns the partitioned partition `name` of events_parent() with its bounds.
Child partitioned_child(const std::string& name, const std::string& from, const std::string& to)
{
  Child c = make_child("public", name, from, to);
  c.partitioned = true;
  return c;
}

// Returns what read_catalog_tree gives for `outer` and its partitioned partitions (each with `children`
// of its own): the policies and snapshots in tree order.
void tree(const ParentSnapshot& outer, const Policy& policy, const std::vector<std::vector<Child>>& children,
          std::vector<ParentSnapshot>& parents, std::vector<Policy>& policies)
{
  parents = {outer};
  policies = {policy};
  const auto subs = sub_parents(parents, policies);
  REQUIRE(subs.size() == children.size());
  for (std::size_t i = 0; i < subs.size(); ++i) {
    const Child& c = outer.children[subs[i].child];
    ParentSnapshot inner = make_parent(c.schema, c.name);
    inner.children = children[i];
    set_outer(inner, outer, c, *policy.sub);
    parents.push_back(inner);
    policies.push_back(subs[i].policy);
  }
}

} // namespace

TEST_CASE("sub-partitioning: a new partition is created partitioned, with its own partitions, then attached")
{
  const ParentPlan pp = plan_parent(events_parent(), months_into("1 day"), at("2026-11-25T10:00:00Z"));
  REQUIRE(pp.error.empty());
  CHECK(actions_of(pp) ==
        Lines{"create public.events_p202611 [2026-11-01 00:00:00+00:00, 2026-12-01 00:00:00+00:00)",
              "create public.events_p202612 [2026-12-01 00:00:00+00:00, 2027-01-01 00:00:00+00:00)"});
  const Action& nov = pp.actions.front();
  REQUIRE(nov.sub_partitions.size() == 30); // every day of November, whatever premake says
  CHECK(nov.sub_partitions.front() == "events_p202611_p20261101");
  CHECK(nov.sub_partitions.back() == "events_p202611_p20261130");
  CHECK(pp.actions.back().sub_partitions.size() == 31);
  const auto& sql = nov.sql;
  REQUIRE(sql.size() == 2 + 2 * 30 + 1);
  CHECK(sql[0] == "LOCK TABLE ONLY \"public\".\"events\" IN SHARE UPDATE EXCLUSIVE MODE");
  CHECK(sql[1] == create_like_sql("\"public\".\"events_p202611\"", "\"public\".\"events\"") +
                      " PARTITION BY RANGE (\"created_at\")");
  // Its partitions are made and attached to it while it is the transaction's own, not yet attached.
  CHECK(sql[2] ==
        create_like_sql("\"public\".\"events_p202611_p20261101\"", "\"public\".\"events_p202611\""));
  CHECK(sql[3] == "ALTER TABLE \"public\".\"events_p202611\" ATTACH PARTITION "
                  "\"public\".\"events_p202611_p20261101\" FOR VALUES FROM ('2026-11-01 00:00:00+00:00') TO "
                  "('2026-11-02 00:00:00+00:00')");
  CHECK(sql.back() == "ALTER TABLE \"public\".\"events\" ATTACH PARTITION \"public\".\"events_p202611\" FOR "
                      "VALUES FROM ('2026-11-01 00:00:00+00:00') TO ('2026-12-01 00:00:00+00:00')");
  CHECK(nov.transactional);
  CHECK(nov.reason == "current: holds now (2026-11-25 10:00:00+00:00); created partitioned BY RANGE "
                      "(\"created_at\") with 30 partition(s) of its own");
}

TEST_CASE("sub-partitioning: on the same key, partitions that straddle the outer bounds are cut to them")
{
  // ISO weeks inside months: the first and last week of a month are cut at the month's bounds.
  ParentSnapshot outer = events_parent();
  const ParentPlan pp = plan_parent(outer, months_into("1 week"), at("2026-11-25T10:00:00Z"));
  REQUIRE(pp.error.empty());
  const Policy weeks = months_into("1 week");
  const auto inner =
      plan_parent(new_sub_parent(outer, *weeks.sub, "events_p202611", key("2026-11-01 00:00:00+00"),
                                 key("2026-12-01 00:00:00+00")),
                  sub_policy_for(weeks, "public", "events_p202611"), at("2026-11-25T10:00:00Z"));
  CHECK(
      actions_of(inner) ==
      Lines{"create public.events_p202611_p2026w44 [2026-11-01 00:00:00+00:00, 2026-11-02 00:00:00+00:00)",
            "create public.events_p202611_p2026w45 [2026-11-02 00:00:00+00:00, 2026-11-09 00:00:00+00:00)",
            "create public.events_p202611_p2026w46 [2026-11-09 00:00:00+00:00, 2026-11-16 00:00:00+00:00)",
            "create public.events_p202611_p2026w47 [2026-11-16 00:00:00+00:00, 2026-11-23 00:00:00+00:00)",
            "create public.events_p202611_p2026w48 [2026-11-23 00:00:00+00:00, 2026-11-30 00:00:00+00:00)",
            "create public.events_p202611_p2026w49 [2026-11-30 00:00:00+00:00, 2026-12-01 00:00:00+00:00)"});
  CHECK(pp.actions.front().sub_partitions.size() == 6);
}

TEST_CASE("sub-partitioning: another key is planned from now, as premake says, in each new partition")
{
  // LIST by tenant, then monthly ranges on created_at: each tenant gets this month and the next.
  ParentSnapshot outer = make_parent("public", "orders", KeyType::text);
  outer.strategy = Strategy::list;
  outer.key_column = "tenant";
  outer.sub_key_type_name = "timestamp with time zone";
  outer.sub_key_type = KeyType::timestamptz;
  Policy policy;
  policy.schema = "public";
  policy.table = "orders";
  policy.shape = Shape::list;
  policy.values = {"acme"};
  Policy sub = make_policy("public", "orders", "1 month", 1);
  sub.level = 2;
  sub.partition_key = "created_at";
  policy.sub = std::make_shared<const Policy>(sub);
  const ParentPlan pp = plan_parent(outer, policy, at("2026-11-25T10:00:00Z"));
  REQUIRE(pp.error.empty());
  REQUIRE(pp.actions.size() == 1);
  CHECK(pp.actions[0].sub_partitions == Lines{"orders_acme_p202611", "orders_acme_p202612"});
  CHECK(pp.actions[0].sql[1] == create_like_sql("\"public\".\"orders_acme\"", "\"public\".\"orders\"") +
                                    " PARTITION BY RANGE (\"created_at\")");

  // Without the key's type (the column is gone), nothing is created half-way: the parent fails.
  outer.sub_key_type = KeyType::unsupported;
  outer.sub_key_type_name.clear();
  const ParentPlan broken = plan_parent(outer, policy, at("2026-11-25T10:00:00Z"));
  CHECK(broken.actions.empty());
  CHECK_THAT(broken.error, Catch::StartsWith("the partitions of new partition \"public\".\"orders_acme\" "
                                             "cannot be planned: "));
}

TEST_CASE("sub-partitioning: a default partition stays a plain table, unique indexes go to the leaves")
{
  ParentSnapshot outer = events_parent();
  outer.properties.template_indexes = {{"tpl_email_key", "USING btree (email)"}};
  outer.properties.replica_identity = 'f';
  Policy policy = months_into("1 day");
  policy.default_partition = true;
  policy.template_schema = "public";
  policy.template_table = "tpl";
  outer.properties.template_found = true;
  const ParentPlan pp = plan_parent(outer, policy, at("2026-11-25T10:00:00Z"));
  REQUIRE(pp.error.empty());
  const Action& def = pp.actions.back();
  CHECK(def.name == "events_default");
  CHECK(def.sub_partitions.empty());
  CHECK(def.sql[1].find("PARTITION BY") == std::string::npos);
  const auto& nov = pp.actions.front().sql;
  const auto has = [&nov](const std::string& statement) {
    return std::find(nov.begin(), nov.end(), statement) != nov.end();
  };
  CHECK_FALSE(has("CREATE UNIQUE INDEX \"events_p202611_email_key\" ON \"public\".\"events_p202611\" USING "
                  "btree (email)"));
  CHECK(has("CREATE UNIQUE INDEX \"events_p202611_p20261101_email_key\" ON "
            "\"public\".\"events_p202611_p20261101\" USING btree (email)"));
  CHECK(has("ALTER TABLE \"public\".\"events_p202611\" REPLICA IDENTITY FULL"));
  CHECK(has("ALTER TABLE \"public\".\"events_p202611_p20261101\" REPLICA IDENTITY FULL"));
}

TEST_CASE("sub-partitioning: partitions partitioned already are planned under the level-2 policy")
{
  ParentSnapshot outer = events_parent();
  outer.children = {
      partitioned_child("events_p202611", "2026-11-01 00:00:00+00", "2026-12-01 00:00:00+00"),
      partitioned_child("events_p202610", "2026-10-01 00:00:00+00", "2026-11-01 00:00:00+00"),
      make_child("public", "events_p202609", "2026-09-01 00:00:00+00", "2026-10-01 00:00:00+00")};
  Policy policy = months_into("1 day");
  std::vector<ParentSnapshot> parents;
  std::vector<Policy> policies;
  // October has all its days; November lacks its last one.
  auto oct = days("2026-10", 31, "2026-11-01");
  auto nov = days("2026-11", 29, "2026-11-30");
  tree(outer, policy, {oct, nov}, parents, policies);
  // In name order, each under its parent.
  REQUIRE(policies.size() == 3);
  CHECK(policies[1].table == "events_p202610");
  CHECK(policies[2].table == "events_p202611");
  CHECK(parents[1].within);

  const Plan plan = make_plan(parents, policies, at("2026-11-25T10:00:00Z"));
  REQUIRE(plan.parents.size() == 3);
  CHECK(plan.parents[0].notes.size() == 1);
  CHECK_THAT(plan.parents[0].notes[0].message,
             Catch::StartsWith("1 partition(s), such as \"public\".\"events_p202609\", are not partitioned "
                               "themselves"));
  CHECK(plan.parents[1].partition_of == "\"public\".\"events\"");
  CHECK(actions_of(plan.parents[1]).empty());
  CHECK(
      actions_of(plan.parents[2]) ==
      Lines{"create public.events_p202611_p20261130 [2026-11-30 00:00:00+00:00, 2026-12-01 00:00:00+00:00)"});
  CHECK(plan.parents[2].actions[0].sql[0] ==
        "LOCK TABLE ONLY \"public\".\"events_p202611\" IN SHARE UPDATE EXCLUSIVE MODE");

  // A partition planned under another key than its own is refused with both named.
  parents[2].key_column = "other";
  const Plan wrong = make_plan(parents, policies, at("2026-11-25T10:00:00Z"));
  CHECK_THAT(
      wrong.parents[2].error,
      Catch::StartsWith("\"public\".\"events_p202611\" is partitioned on \"other\", but the level-2 "
                        "policy of \"public\".\"events\" partitions its partitions on \"created_at\""));
}

TEST_CASE(
    "sub-partitioning: retention per level, guarded as one, and nothing planned inside a removed partition")
{
  ParentSnapshot outer = events_parent();
  outer.children = {partitioned_child("events_p202610", "2026-10-01 00:00:00+00", "2026-11-01 00:00:00+00"),
                    partitioned_child("events_p202611", "2026-11-01 00:00:00+00", "2026-12-01 00:00:00+00")};
  Policy policy = months_into("1 day");
  Policy sub = *policy.sub;
  sub.retention = period("7 days");
  sub.retention_action = RetentionAction::drop;
  policy.sub = std::make_shared<const Policy>(sub);
  policy.retention = period("1 month");
  policy.retention_action = RetentionAction::drop;
  std::vector<ParentSnapshot> parents;
  std::vector<Policy> policies;
  tree(outer, policy, {days("2026-10", 31, "2026-11-01"), days("2026-11", 30, "2026-12-01")}, parents,
       policies);

  // On Dec 3rd: October expires as a whole at level 1, so nothing is planned inside it; November loses
  // its days before the 26th at level 2: 25 of the 61 day partitions, under the 50% guard.
  const Plan plan = make_plan(parents, policies, at("2026-12-03T10:00:00Z"));
  const auto outer_actions = actions_of(plan.parents[0]);
  CHECK(std::count(outer_actions.begin(), outer_actions.end(), "drop public.events_p202610") == 1);
  CHECK(plan.parents[1].actions.empty());
  CHECK(notes_of(plan.parents[1]) ==
        Lines{"info: its parent \"public\".\"events\" removes it in this run, with its partitions"});
  CHECK(plan.parents[2].actions.size() == 25);
  CHECK(plan.parents[2].refused.empty());

  // Without level-1 retention, a clock jump to January would drop every day of both months at once:
  // refused for the whole level.
  policy.retention.reset();
  policies[0] = policy;
  const Plan jump = make_plan(parents, policies, at("2027-01-05T10:00:00Z"));
  CHECK(jump.parents[1].refused ==
        "would drop or detach 61 of 61 partitions of the partitions of \"public\".\"events\", more than 50%, "
        "so only its creates are applied; HINT: check the retention and the clock, then rerun with --force "
        "(or raise --max-removal)");
  CHECK(jump.parents[2].refused == jump.parents[1].refused);
  PlanOptions force;
  force.force = true;
  CHECK(make_plan(parents, policies, at("2027-01-05T10:00:00Z"), force).parents[2].refused.empty());
}

TEST_CASE("sub-partitioning: status shows the tree")
{
  ParentSnapshot outer = events_parent();
  outer.children = {partitioned_child("events_p202611", "2026-11-01 00:00:00+00", "2026-12-01 00:00:00+00")};
  std::vector<ParentSnapshot> parents;
  std::vector<Policy> policies;
  tree(outer, months_into("1 day"),
       {{make_child("public", "events_p202611_p20261125", "2026-11-25 00:00:00+00",
                    "2026-11-26 00:00:00+00")}},
       parents, policies);
  std::vector<ParentStatus> statuses;
  for (std::size_t i = 0; i < parents.size(); ++i)
    statuses.push_back(make_status(parents[i], policies[i], at("2026-11-25T10:00:00Z")));
  const std::string text = render_status_text(statuses);
  CHECK_THAT(text, Catch::Contains(
                       "\"public\".\"events\": 1 month, premake 1, time zone UTC\n"
                       "  partitions sub-partitioned BY RANGE (\"created_at\"): 1 day, premake 4, UTC\n"));
  CHECK_THAT(text,
             Catch::Contains("\n    \"public\".\"events_p202611\" (a partition of \"public\".\"events\", "
                             "under its level-2 policy): 1 day, premake 4, time zone UTC\n"
                             "      partition "));
  CHECK_THAT(text,
             Catch::Contains("\n      \"public\".\"events_p202611_p20261125\"  2026-11-25 00:00:00+00:00"));
  const std::string json = render_status_json(statuses, at("2026-11-25T10:00:00Z"));
  CHECK_THAT(json, Catch::Contains("\"partition_of\": \"\\\"public\\\".\\\"events\\\"\""));
  CHECK_THAT(json, Catch::Contains("\"sub_partitioned_by\": \"RANGE (\\\"created_at\\\")\""));
}

TEST_CASE("sub-partitioning: a partition partitioned otherwise says how, naming HASH too")
{
  ParentSnapshot ps;
  ps.key_column = "ts";
  ps.strategy = Strategy::range;
  CHECK(partitioned_otherwise(ps, "ts", Strategy::range).empty());
  CHECK(partitioned_otherwise(ps, "ts", Strategy::list) == "partitioned BY RANGE (\"ts\")");
  CHECK(partitioned_otherwise(ps, "region", Strategy::range) == "partitioned BY RANGE (\"ts\")");
  ps.strategy = Strategy::hash;
  ps.key_column = "Tenant";
  CHECK(partitioned_otherwise(ps, "Tenant", Strategy::range) == "partitioned BY HASH (\"Tenant\")");
}
