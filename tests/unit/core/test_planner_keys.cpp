// Key types and names in plans: wall-clock literals, bound texts, quoting, 63-byte names, parsed key types.
#include <catch2/catch.hpp>
#include <set>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "planner_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

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
