// The planner on integer ranges and epoch integers, in memory: widths, ends of the key type, retention.
#include <catch2/catch.hpp>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "shapes_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

TEST_CASE("integer: premake counts from the largest value present, aligned on the width")
{
  auto parent = int_parent("orders");
  parent.key_max = 1'234'567;
  const auto policy = int_policy("orders", 1'000'000, 2);
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  REQUIRE(pp.error.empty());
  CHECK(pp.summary == "width 1000000, premake 2");
  CHECK(actions_of(pp) == Lines{"create public.orders_p1000000 [1000000, 2000000)",
                                "create public.orders_p2000000 [2000000, 3000000)",
                                "create public.orders_p3000000 [3000000, 4000000)"});
  REQUIRE(pp.actions.size() == 3);
  CHECK(pp.actions[0].reason == "current: holds the largest value (1234567)");
  CHECK(pp.actions[1].reason == "premake: 1 of 2 ahead of the largest value 1234567");
  CHECK(pp.actions[0].sql ==
        Lines{"LOCK TABLE ONLY \"public\".\"orders\" IN SHARE UPDATE EXCLUSIVE MODE",
              "CREATE TABLE \"public\".\"orders_p1000000\" (LIKE \"public\".\"orders\" INCLUDING DEFAULTS "
              "INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING "
              "COMMENTS INCLUDING STATISTICS)",
              "ALTER TABLE \"public\".\"orders\" ATTACH PARTITION \"public\".\"orders_p1000000\" FOR VALUES "
              "FROM (1000000) TO (2000000)"});
  CHECK(pp.actions[0].locks ==
        "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table");

  // Applied, the next plan has nothing to do; the clock does not matter, only the data does.
  const auto after = after_creates(parent, pp);
  CHECK(plan_parent(after, policy, at("2030-01-01Z")).actions.empty());
  auto grown = after;
  grown.key_max = 2'000'000;
  CHECK(actions_of(plan_parent(grown, policy, at("2026-11-25Z"))) ==
        Lines{"create public.orders_p4000000 [4000000, 5000000)"});
}

TEST_CASE("integer: an empty table counts from --start, or from 0")
{
  const auto parent = int_parent("orders");
  auto policy = int_policy("orders", 1000, 1);
  const ParentPlan from_zero = plan_parent(parent, policy, 0);
  CHECK(actions_of(from_zero) ==
        Lines{"create public.orders_p0 [0, 1000)", "create public.orders_p1000 [1000, 2000)"});
  CHECK(from_zero.actions[0].reason == "first: the table holds no rows; counting from 0");
  CHECK(from_zero.actions[1].reason == "premake: 1 of 1 ahead of 0 (the table holds no rows)");

  policy.start_value = 41'500;
  const ParentPlan from_start = plan_parent(parent, policy, 0);
  CHECK(actions_of(from_start) ==
        Lines{"create public.orders_p41000 [41000, 42000)", "create public.orders_p42000 [42000, 43000)"});
  CHECK(from_start.actions[0].reason == "first: the table holds no rows; counting from start 41500");

  // With rows below --start, the window reaches back to it: a backfill.
  auto with_rows = parent;
  with_rows.key_max = 43'100;
  policy.start_value = 41'000;
  const ParentPlan backfill = plan_parent(with_rows, policy, 0);
  CHECK(actions_of(backfill) ==
        Lines{"create public.orders_p41000 [41000, 42000)", "create public.orders_p42000 [42000, 43000)",
              "create public.orders_p43000 [43000, 44000)", "create public.orders_p44000 [44000, 45000)"});
  CHECK(backfill.actions[0].reason == "backfill from start 41000");
}

TEST_CASE("integer: negative bounds have readable names and plain literals")
{
  auto parent = int_parent("ledger", KeyType::integer);
  parent.key_max = -1500;
  const ParentPlan pp = plan_parent(parent, int_policy("ledger", 1000, 2), 0);
  CHECK(actions_of(pp) == Lines{"create public.ledger_pm2000 [-2000, -1000)",
                                "create public.ledger_pm1000 [-1000, 0)",
                                "create public.ledger_p0 [0, 1000)"});
  CHECK(attach_of(pp.actions[0]) == "ALTER TABLE \"public\".\"ledger\" ATTACH PARTITION "
                                    "\"public\".\"ledger_pm2000\" FOR VALUES FROM (-2000) TO (-1000)");
  CHECK(integer_suffix(0) == "p0");
  CHECK(integer_suffix(-1) == "pm1");
  CHECK(integer_suffix(INT64_MIN) == "pm9223372036854775808");
  CHECK(integer_suffix(INT64_MIN).size() == k_integer_suffix_bytes);
}

TEST_CASE("integer: slots past the key type's range end in MAXVALUE, before it start at MINVALUE")
{
  auto parent = int_parent("small", KeyType::smallint);
  parent.key_max = 25'000;
  const ParentPlan up = plan_parent(parent, int_policy("small", 10'000, 5), 0);
  CHECK(actions_of(up) ==
        Lines{"create public.small_p20000 [20000, 30000)", "create public.small_p30000 [30000, MAXVALUE)"});
  CHECK(attach_of(up.actions[1]) == "ALTER TABLE \"public\".\"small\" ATTACH PARTITION "
                                    "\"public\".\"small_p30000\" FOR VALUES FROM (30000) TO "
                                    "(MAXVALUE)");
  CHECK(plan_parent(after_creates(parent, up), int_policy("small", 10'000, 5), 0).actions.empty());

  auto low = int_parent("small", KeyType::smallint);
  low.key_max = -32'768;
  const ParentPlan down = plan_parent(low, int_policy("small", 10'000, 1), 0);
  CHECK(actions_of(down) == Lines{"create public.small_pm40000 [MINVALUE, -30000)",
                                  "create public.small_pm30000 [-30000, -20000)"});

  auto big = int_parent("big");
  big.key_max = INT64_MAX - 5;
  const ParentPlan top = plan_parent(big, int_policy("big", 1'000'000'000'000'000'000, 3), 0);
  CHECK(actions_of(top) == Lines{"create public.big_p9000000000000000000 [9000000000000000000, MAXVALUE)"});
}

TEST_CASE("integer: retention keeps partitions whose upper bound is above max - R")
{
  auto parent = int_parent("orders");
  for (int lo = 5000; lo <= 11000; lo += 1000)
    parent.children.push_back(int_child("orders_p" + std::to_string(lo), lo, lo + 1000));
  parent.key_max = 10'500;
  auto policy = int_policy("orders", 1000, 1);
  policy.keep_last = 3000;
  policy.retention_action = RetentionAction::drop;
  const ParentPlan pp = plan_parent(parent, policy, 0, PlanOptions{100, false});
  CHECK(actions_of(pp) == Lines{"drop public.orders_p5000", "drop public.orders_p6000"});
  CHECK(pp.actions[0].reason ==
        "retention 3000: upper bound 6000 is not above 7500 (the largest value 10500 minus 3000)");
  CHECK(pp.actions[0].sql ==
        Lines{"ALTER TABLE \"public\".\"orders\" DETACH PARTITION \"public\".\"orders_p5000\" CONCURRENTLY",
              "DROP TABLE \"public\".\"orders_p5000\""});
  CHECK(pp.summary == "width 1000, premake 1, retention 3000 (drop)");

  // Archive keeps the integer bounds for a restore; an empty table expires nothing.
  policy.retention_action = RetentionAction::archive;
  policy.archive_to = "file:///backup";
  const ParentPlan archived = plan_parent(parent, policy, 0, PlanOptions{100, false});
  REQUIRE(archived.actions.size() == 2);
  CHECK(archived.actions[0].archive_to == "file:///backup");
  CHECK(archived.actions[0].from == "5000");
  CHECK(archived.actions[0].to == "6000");
  auto empty = parent;
  empty.key_max.reset();
  for (const auto& a : plan_parent(empty, policy, 0).actions)
    CHECK(a.kind == ActionKind::create); // premake from 0; nothing can expire without rows

  // The guard counts integer removals as any other.
  policy.keep_last = 1000;
  const ParentPlan cut = plan_parent(parent, policy, 0);
  CHECK(!cut.refused.empty());
}

TEST_CASE("integer: a hand-made partition that overlaps a slot is respected")
{
  auto parent = int_parent("orders");
  parent.children.push_back(int_child("orders_old", std::nullopt, 1500));
  parent.key_max = 1200;
  const ParentPlan pp = plan_parent(parent, int_policy("orders", 1000, 1), 0);
  CHECK(actions_of(pp) == Lines{"create public.orders_p2000 [2000, 3000)"});
  CHECK(notes_of(pp) == Lines{"warning: cannot create \"public\".\"orders_p1000\" for [1000, 2000): it would "
                              "overlap \"public\".\"orders_old\" [MINVALUE, 1500); HINT: such partitions are "
                              "left as they are"});
}

TEST_CASE("epoch: seconds and milliseconds get time slots, zones and names, with integer bounds")
{
  auto parent = int_parent("clicks");
  Policy policy = make_policy("public", "clicks", "1 day", 2, "Europe/Berlin");
  policy.shape = Shape::epoch;
  const Micros now = at("2026-03-28 12:00Z"); // Berlin springs forward in the night to the 29th
  const auto secs = [](const std::string& instant) { return std::to_string(at(instant) / 1'000'000); };
  const ParentPlan pp = plan_parent(parent, policy, now);
  REQUIRE(pp.error.empty());
  CHECK(pp.summary == "1 day on epoch seconds, premake 2, Europe/Berlin");
  const std::string d28 = secs("2026-03-28 00:00+01:00"), d29 = secs("2026-03-29 00:00+01:00"),
                    d30 = secs("2026-03-30 00:00+02:00"), d31 = secs("2026-03-31 00:00+02:00");
  CHECK(actions_of(pp) == Lines{"create public.clicks_p20260328 [" + d28 + ", " + d29 + ")",
                                "create public.clicks_p20260329 [" + d29 + ", " + d30 + ")",
                                "create public.clicks_p20260330 [" + d30 + ", " + d31 + ")"});
  CHECK(std::stoll(d30) - std::stoll(d29) == 23 * 3600); // the short day
  CHECK(attach_of(pp.actions[1]) == "ALTER TABLE \"public\".\"clicks\" ATTACH PARTITION "
                                    "\"public\".\"clicks_p20260329\" FOR VALUES FROM (" +
                                        d29 + ") TO (" + d30 + ")");
  CHECK(pp.actions[0].reason == "current: holds now (2026-03-28 13:00:00+01:00)");
  CHECK(plan_parent(after_creates(parent, pp), policy, now).actions.empty());

  policy.epoch_unit = EpochUnit::milliseconds;
  const ParentPlan ms = plan_parent(parent, policy, now);
  REQUIRE(ms.actions.size() == 3);
  CHECK(ms.actions[1].from == d29 + "000");
  CHECK(ms.actions[1].to == d30 + "000");
  CHECK(plan_parent(after_creates(parent, ms), policy, now).actions.empty());

  // Autumn: the long day has 25 hours.
  const ParentPlan autumn = plan_parent(parent, policy, at("2026-10-25 06:00Z"));
  REQUIRE(!autumn.actions.empty());
  CHECK(std::stoll(autumn.actions[0].to) - std::stoll(autumn.actions[0].from) == 25LL * 3600 * 1000);
}

TEST_CASE("epoch: retention judges the instants the integer bounds hold, int4 seconds end in 2038")
{
  auto parent = int_parent("clicks");
  Policy policy = make_policy("public", "clicks", "1 day", 1);
  policy.shape = Shape::epoch;
  policy.retention = period("2 days");
  policy.retention_action = RetentionAction::detach;
  const auto secs = [](const std::string& instant) { return at(instant) / 1'000'000; };
  for (int d = 20; d <= 25; ++d) {
    const std::string day = "2026-11-" + std::to_string(d);
    parent.children.push_back(
        int_child("clicks_p202611" + std::to_string(d), secs(day + "Z"), secs(day + "Z") + 86400));
  }
  const ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 06:00Z"), PlanOptions{100, false});
  CHECK(actions_of(pp) == Lines{"create public.clicks_p20261126 [" + std::to_string(secs("2026-11-26Z")) +
                                    ", " + std::to_string(secs("2026-11-27Z")) + ")",
                                "detach public.clicks_p20261120", "detach public.clicks_p20261121",
                                "detach public.clicks_p20261122"});
  CHECK(pp.actions[1].reason == "retention 2 days: upper bound 2026-11-21 00:00:00+00:00 is not after "
                                "2026-11-23 06:00:00+00:00");

  auto int4 = int_parent("old", KeyType::integer);
  Policy daily = make_policy("public", "old", "1 day", 3);
  daily.shape = Shape::epoch;
  const ParentPlan end = plan_parent(int4, daily, at("2038-01-18 12:00Z"));
  CHECK(actions_of(end) == Lines{"create public.old_p20380118 [2147385600, 2147472000)",
                                 "create public.old_p20380119 [2147472000, MAXVALUE)"});
  daily.epoch_unit = EpochUnit::milliseconds;
  CHECK(plan_parent(int4, daily, 0).error ==
        "--epoch milliseconds needs a bigint key, but the key of "
        "\"public\".\"old\" is an integer; HINT: use --epoch seconds, or "
        "make the column bigint");
}
