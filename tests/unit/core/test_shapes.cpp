// The planner on integer ranges, epoch integers and LIST partitions, in memory.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "partman/core/fingerprint.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "partman/core/status.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

// Returns a RANGE parent on an integer key of `type`.
ParentSnapshot int_parent(const std::string& table, KeyType type = KeyType::bigint)
{
  auto p = make_parent("public", table, type);
  p.key_column = "id";
  return p;
}

// Returns a policy of `shape` for public.`table`.
Policy shaped_policy(const std::string& table, Shape shape)
{
  Policy p;
  p.schema = "public";
  p.table = table;
  p.shape = shape;
  return p;
}

// Returns an integer policy of width `width`.
Policy int_policy(const std::string& table, std::int64_t width, int premake = 3)
{
  Policy p = shaped_policy(table, Shape::integer);
  p.width = width;
  p.premake = premake;
  return p;
}

// Returns a range partition with integer bounds (empty: MINVALUE / MAXVALUE).
Child int_child(const std::string& name, std::optional<std::int64_t> lo, std::optional<std::int64_t> hi)
{
  Child c;
  c.schema = "public";
  c.name = name;
  c.lower = lo;
  c.upper = hi;
  c.estimated_rows = 0;
  return c;
}

// Returns a LIST parent on a key of `type`.
ParentSnapshot list_parent(const std::string& table, KeyType type = KeyType::text)
{
  auto p = make_parent("public", table, type);
  p.strategy = Strategy::list;
  p.key_column = "region";
  return p;
}

// Returns a LIST policy of `values`.
Policy list_policy(const std::string& table, const std::vector<std::string>& values,
                   ListRetention retention = ListRetention::keep)
{
  Policy p = shaped_policy(table, Shape::list);
  p.values = values;
  p.list_retention = retention;
  return p;
}

// Returns a LIST partition of `values`.
Child list_child(const std::string& name, const std::vector<std::string>& values)
{
  Child c;
  c.schema = "public";
  c.name = name;
  c.rare.get_or_make().values = values;
  c.estimated_rows = 0;
  return c;
}

// Returns `parent` with the plan's creates added, as the catalog would show them afterwards (integer
// bounds, or LIST values).
ParentSnapshot after_creates(ParentSnapshot parent, const ParentPlan& pp)
{
  for (const auto& a : pp.actions) {
    if (a.kind != ActionKind::create)
      continue;
    if (!a.values.empty()) {
      parent.children.push_back(list_child(a.name, a.values));
      continue;
    }
    const auto bound = [](const std::string& text) {
      return text == "MINVALUE" || text == "MAXVALUE" ? std::optional<std::int64_t>{} : std::stoll(text);
    };
    parent.children.push_back(int_child(a.name, bound(a.from), bound(a.to)));
  }
  return parent;
}

// Returns the last statement of the action (the ATTACH of a create).
std::string attach_of(const Action& a)
{
  return a.sql.back();
}

} // namespace

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

TEST_CASE("shapes: a policy must fit its parent's strategy and key type")
{
  const auto error_of = [](const ParentSnapshot& parent, const Policy& policy) {
    return plan_parent(parent, policy, 0).error;
  };
  CHECK(error_of(int_parent("t"), list_policy("t", {"a"})) ==
        "\"public\".\"t\" is not partitioned BY LIST; HINT: its policy is a LIST policy; 'partman manage' it "
        "again");
  CHECK(error_of(list_parent("t"), int_policy("t", 10)) == "\"public\".\"t\" is not partitioned BY RANGE");
  CHECK(error_of(make_parent("public", "t"), int_policy("t", 10))
            .rfind("the policy of \"public\".\"t\" plans integer ranges, but its key is of type timestamp "
                   "with time zone, not smallint, integer or bigint; HINT: give a time interval",
                   0) == 0);
  CHECK(error_of(int_parent("t"), make_policy("public", "t", "1 day"))
            .rfind("the policy of \"public\".\"t\" plans time ranges, but its key is of type bigint, not",
                   0) == 0);
  // RANGE on text or uuid keys: the type is named, and LIST suggested.
  for (const auto type : {KeyType::text, KeyType::uuid}) {
    const auto parent = make_parent("public", "t", type);
    INFO(parent.key_type_name);
    CHECK(
        error_of(parent, make_policy("public", "t", "1 day")) ==
        "the policy of \"public\".\"t\" plans time ranges, but its key is of type " + parent.key_type_name +
            ", not timestamptz, timestamp or date; HINT: partman plans RANGE partitions on time and integer "
            "keys; a " +
            parent.key_type_name + " key can be partitioned BY LIST, one partition per value");
    CHECK(
        error_of(parent, int_policy("t", 10)).find("its key is of type " + parent.key_type_name + ", not") !=
        std::string::npos);
  }
  auto varchar = make_parent("public", "t", KeyType::text);
  varchar.key_type_name = "character varying(20)";
  CHECK(error_of(varchar, make_policy("public", "t", "1 day")).find("of type character varying(20), not") !=
        std::string::npos);
  // Without a column type name at hand, the KeyType names it.
  CHECK(validate_policy(make_policy("public", "t", "1 day"), KeyType::uuid).find("of type uuid, not") !=
        std::string::npos);
  CHECK(validate_policy(make_policy("public", "t", "1 day"), KeyType::unsupported, "numeric")
            .rfind("the partition key of \"public\".\"t\" is of type numeric, which partman does not plan",
                   0) == 0);
  auto small_epoch = make_policy("public", "t", "1 day");
  small_epoch.shape = Shape::epoch;
  CHECK(error_of(int_parent("t", KeyType::smallint), small_epoch)
            .rfind("--epoch needs an integer or bigint", 0) == 0);
  auto short_retention = int_policy("t", 1000);
  short_retention.keep_last = 10;
  CHECK(error_of(int_parent("t"), short_retention) ==
        "retention 10 is smaller than the width 1000; HINT: keep at least one whole partition");
  CHECK(error_of(list_parent("t"), list_policy("t", {}))
            .rfind("the LIST policy of \"public\".\"t\" names no", 0) == 0);
  auto both = list_policy("t", {"a"});
  both.values_query = "SELECT 'a'";
  CHECK(error_of(list_parent("t"), both).rfind("the LIST policy of \"public\".\"t\" has both", 0) == 0);
  CHECK(error_of(list_parent("t", KeyType::timestamptz), list_policy("t", {"a"}))
            .rfind("partman plans LIST keys", 0) == 0);
}

TEST_CASE("shapes: status classifies integer, epoch and LIST partitions")
{
  auto ints = int_parent("orders");
  ints.children = {int_child("orders_p0", 0, 1000), int_child("orders_p1000", 1000, 2000),
                   int_child("orders_p2000", 2000, 3000), int_child("orders_p3000", 3000, 4000)};
  ints.key_max = 2500;
  auto int_pol = int_policy("orders", 1000, 1);
  int_pol.keep_last = 1500;
  const ParentStatus st = make_status(ints, int_pol, 0);
  REQUIRE(st.error.empty());
  Lines states;
  for (const auto& p : st.partitions)
    states.push_back(p.child->name + " " + to_string(p.state) + " [" + p.from + ", " + p.to + ")");
  CHECK(states == Lines{"orders_p0 expired [0, 1000)", "orders_p1000 past [1000, 2000)",
                        "orders_p2000 current [2000, 3000)", "orders_p3000 future [3000, 4000)"});
  const std::string text = render_status_text({st});
  CHECK(text.find("\"public\".\"orders\": width 1000, premake 1, retention 1500 (detach)\n") == 0);
  CHECK(text.find("4 partition(s): 1 past, 1 current, 1 future, 1 expired\n  largest value 2500\n") !=
        std::string::npos);
  const auto doc = nlohmann::json::parse(render_status_json({st}, 0));
  CHECK(doc["parents"][0]["largest_value"] == 2500);
  CHECK(doc["parents"][0]["policy"]["shape"] == "integer");
  CHECK(doc["parents"][0]["policy"]["interval"] == 1000);
  CHECK(doc["parents"][0]["policy"]["retention"] == 1500);

  auto list = list_parent("sales");
  list.children = {list_child("sales_eu", {"eu"}), list_child("sales_old", {"old"}),
                   make_default("public", "sales_default")};
  list.children[2].rare.get_or_make().counted_rows = 4;
  const auto list_pol = list_policy("sales", {"eu"});
  const ParentStatus lst = make_status(list, list_pol, 0);
  const std::string list_text = render_status_text({lst});
  CHECK(list_text.find("IN ('eu')") != std::string::npos);
  CHECK(list_text.find("3 partition(s): 1 listed, 1 unlisted\n") != std::string::npos);
  CHECK(list_text.find("default partition \"public\".\"sales_default\" holds 4 row(s)") != std::string::npos);
  const auto list_doc = nlohmann::json::parse(render_status_json({lst}, 0));
  CHECK(list_doc["parents"][0]["partitions"][0]["values"] == nlohmann::json::array({"eu"}));
  CHECK(list_doc["parents"][0]["partitions"][1]["state"] == "unlisted");
  CHECK(list_doc["parents"][0]["policy"]["values"] == nlohmann::json::array({"eu"}));

  auto epoch = int_parent("clicks");
  epoch.children = {
      int_child("clicks_p20261125", at("2026-11-25Z") / 1'000'000, at("2026-11-26Z") / 1'000'000)};
  Policy epoch_pol = make_policy("public", "clicks", "1 day", 1);
  epoch_pol.shape = Shape::epoch;
  const ParentStatus est = make_status(epoch, epoch_pol, at("2026-11-25 12:00Z"));
  REQUIRE(est.partitions.size() == 1);
  CHECK(est.partitions[0].state == PartitionState::current);
  CHECK(est.partitions[0].from == std::to_string(at("2026-11-25Z") / 1'000'000));
  CHECK(est.partitions[0].from_time == "2026-11-25 00:00:00+00:00");
  CHECK(render_status_text({est}).find("2026-11-25 00:00:00+00:00") != std::string::npos);
}

TEST_CASE("shapes: the fingerprint covers the new policy fields and LIST values")
{
  const auto parent = list_parent("sales");
  const auto base = list_policy("sales", {"a", "b"});
  const std::string fp = fingerprint({parent}, {base});
  auto changed = base;
  changed.values = {"a", "c"};
  CHECK(fingerprint({parent}, {changed}) != fp);
  changed = base;
  changed.list_retention = ListRetention::drop;
  CHECK(fingerprint({parent}, {changed}) != fp);
  changed = base;
  changed.values.clear();
  changed.values_query = "SELECT 'a'";
  CHECK(fingerprint({parent}, {changed}) != fp);
  auto with_child = parent;
  with_child.children.push_back(list_child("sales_a", {"a"}));
  const std::string child_fp = fingerprint({with_child}, {base});
  with_child.children[0].rare->values = {"a", "b"};
  CHECK(fingerprint({with_child}, {base}) != child_fp);

  const auto ints = int_parent("orders");
  auto ip = int_policy("orders", 1000);
  const std::string int_fp = fingerprint({ints}, {ip});
  ip.width = 2000;
  CHECK(fingerprint({ints}, {ip}) != int_fp);
  ip.width = 1000;
  ip.keep_last = 5000;
  CHECK(fingerprint({ints}, {ip}) != int_fp);
  ip.keep_last.reset();
  ip.start_value = 7;
  CHECK(fingerprint({ints}, {ip}) != int_fp);
  Policy ep = make_policy("public", "orders", "1 day");
  ep.shape = Shape::epoch;
  const std::string epoch_fp = fingerprint({ints}, {ep});
  ep.epoch_unit = EpochUnit::milliseconds;
  CHECK(fingerprint({ints}, {ep}) != epoch_fp);
}
