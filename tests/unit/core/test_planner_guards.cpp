// Plans the planner refuses or cannot make: the removal guard, parents it cannot plan, errors in make_plan.
#include <catch2/catch.hpp>

#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

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
