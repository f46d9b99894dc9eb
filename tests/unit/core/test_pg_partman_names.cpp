// pg_partman 4.7's partition names, in memory: the datetime_string create_parent picks per interval, the
// suffixes to_char writes with it, the 63-byte cut of long parents, integer ranges, and plans that use them.
#include <catch2/catch.hpp>

#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

Interval iv(const std::string& text)
{
  auto r = parse_partition_interval(text);
  REQUIRE(r);
  return *r;
}

NameFormat format(const std::string& pattern)
{
  auto f = NameFormat::parse(pattern);
  INFO(pattern << ": " << (f ? std::string() : f.error()));
  REQUIRE(f);
  return *f;
}

std::string suffix(const std::string& pattern, const std::string& local)
{
  return format(pattern).suffix(wall(local));
}

// Returns a daily policy of public.events that takes pg_partman's names.
Policy pg_partman_policy(const std::string& table = "events", const std::string& interval = "1 day")
{
  Policy p = make_policy("public", table, interval, 2);
  p.partition_names = PartitionNames::pg_partman;
  return p;
}

} // namespace

TEST_CASE("pg_partman names: create_parent's datetime_string for every interval pg_partman 4.7 takes")
{
  struct Case
  {
    std::string word;     // as create_parent is given it
    std::string interval; // as partman reads it
    std::string expected;
  };
  const std::vector<Case> cases = {
      // The words create_parent knows.
      {"yearly", "1 year", "YYYY"},
      {"quarterly", "3 months", "YYYY\"q\"Q"},
      {"monthly", "1 month", "YYYY_MM"},
      {"weekly", "1 week", "IYYY\"w\"IW"},
      {"daily", "1 day", "YYYY_MM_DD"},
      {"hourly", "1 hour", "YYYY_MM_DD_HH24MI"},
      {"half-hour", "30 minutes", "YYYY_MM_DD_HH24MI"},
      {"quarter-hour", "15 minutes", "YYYY_MM_DD_HH24MI"},
      // Any other interval, by its length (PostgreSQL compares a month as 30 days, a year as 360).
      {"10 years", "10 years", "YYYY"},
      {"2 years", "2 years", "YYYY"},
      {"6 mons", "6 months", "YYYY_MM"},
      {"3 mons", "3 months", "YYYY_MM"},
      {"1 mon", "1 month", "YYYY_MM"},
      {"365 days", "365 days", "YYYY"},
      {"30 days", "30 days", "YYYY_MM"},
      {"29 days", "29 days", "YYYY_MM_DD"},
      {"14 days", "2 weeks", "YYYY_MM_DD"},
      {"7 days", "1 week", "YYYY_MM_DD"},
      {"2 days", "2 days", "YYYY_MM_DD"},
      {"1 day", "1 day", "YYYY_MM_DD"},
      {"12:00:00", "12 hours", "YYYY_MM_DD_HH24MI"},
      {"02:00:00", "2 hours", "YYYY_MM_DD_HH24MI"},
      {"00:45:00", "45 minutes", "YYYY_MM_DD_HH24MI"},
  };
  for (const auto& c : cases) {
    INFO(c.word);
    CHECK(pg_partman_datetime_string(iv(c.interval), c.word) == c.expected);
  }
  // A policy without a format of its own takes the interval's, 1 week and 3 months as the words would.
  Policy p = pg_partman_policy("events", "1 week");
  CHECK(policy_name_format(p) == "IYYY\"w\"IW");
  p.interval = iv("3 months");
  CHECK(policy_name_format(p) == "YYYY\"q\"Q");
  p.interval = iv("2 weeks");
  CHECK(policy_name_format(p) == "YYYY_MM_DD");
  p.name_format = "YYYYMMDD";
  CHECK(policy_name_format(p) == "YYYYMMDD");
}

TEST_CASE("pg_partman names: suffixes as to_char writes them, ISO weeks across the year's end included")
{
  CHECK(suffix("YYYY", "2026-12-13 04:15") == "2026");
  CHECK(suffix("YYYY\"q\"Q", "2026-12-13 04:15") == "2026q4");
  CHECK(suffix("YYYY\"q\"Q", "2026-03-31 23:59") == "2026q1");
  CHECK(suffix("YYYY\"q\"Q", "2026-04-01 00:00") == "2026q2");
  CHECK(suffix("YYYY_MM", "2026-12-13 04:15") == "2026_12");
  CHECK(suffix("IYYY\"w\"IW", "2026-12-13 04:15") == "2026w50");
  CHECK(suffix("IYYY\"w\"IW", "2026-12-28 00:00") == "2026w53");
  CHECK(suffix("IYYY\"w\"IW", "2027-01-01 00:00") == "2026w53"); // ISO year 2026
  CHECK(suffix("IYYY\"w\"IW", "2024-12-30 00:00") == "2025w01"); // ISO year 2025
  CHECK(suffix("IYYY\"w\"IW", "2021-01-03 00:00") == "2020w53");
  CHECK(suffix("YYYY_MM_DD", "2026-12-13 04:15") == "2026_12_13");
  CHECK(suffix("YYYY_MM_DD_HH24MI", "2026-12-13 04:15") == "2026_12_13_0415");
  CHECK(suffix("YYYY_MM_DD_HH24MI", "2026-12-13 23:45") == "2026_12_13_2345");
  CHECK(suffix("YYYY_MM_DD_HH24MISS", "2026-12-13 04:15") == "2026_12_13_041500");
  CHECK(suffix("YYYYMMDD", "2026-01-02 00:00") == "20260102"); // pg_partman 5's form
  CHECK(suffix("YYYYMMDD_HH24MISS", "2026-01-02 07:30") == "20260102_073000");
  CHECK(suffix("YYYY", "0005-06-01 00:00") == "0005");
  CHECK(format("YYYY_MM_DD").width() == 10);
  CHECK(format("IYYY\"w\"IW").width() == 7);
  CHECK(format("YYYY_MM_DD_HH24MISS").width() == 17);
}

TEST_CASE("pg_partman names: a pattern partman cannot write is refused, naming the part")
{
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"YYYY_Month", "'M' is not a pattern partman writes"},
      {"YYYY_DDD", "'DDD' is not a pattern partman writes"},
      {"yyyy_mm", "'y' is not a pattern partman writes"},
      {"YYYY\"q", "a double quote is not closed"},
      {"", "it writes nothing"},
      {"\"\"", "it writes nothing"},
      {"YYYY\\MM", "'\\' is not a pattern partman writes"},
      {"YYYY_\xC3\xA9t\xC3\xA9", "'\xC3\xA9' is not a pattern partman writes"}, // the whole character
      {"YYYY\tMM", "it holds a control character"},
      {"YYYY_MM_DD_HH24MISS_YYYY_MM_DD_HH24MISS_YYYY_MM", "its names take 43 bytes"},
  };
  for (const auto& [pattern, why] : cases) {
    INFO(pattern);
    const auto f = NameFormat::parse(pattern);
    REQUIRE(!f);
    CHECK(f.error().find("name format '" + pattern + "': " + why) == 0);
    CHECK(f.error().find("HINT: partman writes YYYY, IYYY, Q, MM, IW, DD, HH24, MI and SS") !=
          std::string::npos);
  }
}

TEST_CASE("pg_partman names: a format that would give two partitions one name is refused")
{
  const std::vector<std::pair<std::string, std::vector<std::string>>> fine = {
      {"YYYY", {"1 year", "2 years"}},
      {"YYYY\"q\"Q", {"3 months", "6 months", "1 year"}},
      {"YYYY_MM", {"1 month", "3 months", "1 year"}},
      {"IYYY\"w\"IW", {"1 week", "2 weeks", "7 days", "1 month"}},
      {"YYYY_MM_DD", {"1 day", "2 days", "1 week", "1 month", "24 hours"}},
      {"YYYY_MM_DD_HH24", {"1 hour", "2 hours", "1 day", "60 minutes"}},
      {"YYYY_MM_DD_HH24MI", {"15 minutes", "1 hour", "1 day"}},
  };
  for (const auto& [pattern, intervals] : fine) {
    for (const auto& i : intervals) {
      INFO(pattern << " " << i);
      CHECK(format(pattern).conflict(iv(i)).empty());
    }
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>> clash = {
      {"YYYY", {"1 month", "365 days"}},
      {"YYYY\"q\"Q", {"1 month", "2 months"}},
      {"YYYY_MM", {"1 day", "1 week", "30 days"}},
      {"IYYY\"w\"IW", {"1 day", "6 days"}},
      {"YYYY\"w\"IW", {"1 week"}}, // the calendar year with the ISO week: 2024-01-01 and 2024-12-30 meet
      {"YYYY_MM_DD", {"1 hour", "12 hours"}},
      {"YYYY_MM_DD_HH24", {"30 minutes"}},
      {"MM_DD", {"1 day"}},
  };
  for (const auto& [pattern, intervals] : clash) {
    for (const auto& i : intervals) {
      INFO(pattern << " " << i);
      const std::string why = format(pattern).conflict(iv(i));
      CHECK(why.find("name format '" + pattern + "' tells apart ") == 0);
      CHECK(why.find("so partitions of '" + iv(i).text() + "' would share names; HINT:") !=
            std::string::npos);
    }
  }
  // The policy says so too; a LIST policy takes no pg_partman names, an integer one no format.
  Policy p = pg_partman_policy();
  p.name_format = "YYYY_MM";
  CHECK(validate_policy(p, KeyType::timestamptz).find("name format 'YYYY_MM' tells apart months") == 0);
  p.name_format = "YYYY_Mon";
  CHECK(validate_policy(p, KeyType::timestamptz).find("name format 'YYYY_Mon': 'M' is not") == 0);
  p.name_format.clear();
  CHECK(validate_policy(p, KeyType::timestamptz).empty());
  p.shape = Shape::integer;
  p.width = 1000;
  CHECK(validate_policy(p, KeyType::bigint).empty());
  p.name_format = "YYYY";
  CHECK(validate_policy(p, KeyType::bigint).find("pg_partman names integer ranges by their lower bound") ==
        0);
  p.shape = Shape::list;
  p.values = {"a"};
  p.name_format.clear();
  CHECK(validate_policy(p, KeyType::text).find("pg_partman's partition names are for RANGE parents") == 0);
}

TEST_CASE("pg_partman names: parent_p<suffix> and parent_default, a long parent cut to keep the suffix")
{
  CHECK(pg_partman_child_name("events", "2026_12_13") == "events_p2026_12_13");
  CHECK(pg_partman_child_name("ids", "5000") == "ids_p5000");
  CHECK(pg_partman_child_name("ids", "-1000") == "ids_p-1000");
  CHECK(pg_partman_child_name("ids", "0") == "ids_p0");
  CHECK(pg_partman_default_name("events") == "events_default");

  // pg_partman cuts where the parent and the suffix make 61 characters or more: the name is then 63 long.
  const std::string p50(50, 'a'), p51(51, 'b'), p60(60, 'c'), p63(63, 'd');
  CHECK(pg_partman_child_name(p50, "2026_12_13") == p50 + "_p2026_12_13"); // 62: as it is
  CHECK(pg_partman_child_name(p51, "2026_12_13") == p51 + "_p2026_12_13"); // 63: as it is
  CHECK(pg_partman_child_name(p60, "2026_12_13") == p60.substr(0, 51) + "_p2026_12_13");
  CHECK(pg_partman_child_name(p63, "2026").size() == 63);
  CHECK(pg_partman_child_name(p63, "2026") == p63.substr(0, 57) + "_p2026");
  CHECK(pg_partman_child_name(p60, "1000000") == p60.substr(0, 54) + "_p1000000");
  CHECK(pg_partman_child_name(p60, "-9223372036854775808") == p60.substr(0, 41) + "_p-9223372036854775808");
  CHECK(pg_partman_default_name(std::string(55, 'e')) == std::string(55, 'e') + "_default");
  CHECK(pg_partman_default_name(p60) == p60.substr(0, 55) + "_default");

  // pg_partman counts characters; where they are multibyte partman cuts further, at a character boundary,
  // so the name fits 63 bytes with its whole suffix (PostgreSQL would cut the suffix off pg_partman's).
  std::string umlauts;
  for (int i = 0; i < 40; ++i)
    umlauts += "\xc3\xa4"; // ä: 40 characters, 80 bytes
  const std::string cut = pg_partman_child_name(umlauts, "2026_12_13");
  CHECK(cut == umlauts.substr(0, 50) + "_p2026_12_13");
  CHECK(cut.size() == 62);
  CHECK(pg_partman_default_name(umlauts) == umlauts.substr(0, 54) + "_default");
  CHECK(pg_partman_child_name("größe", "2026") == "größe_p2026");

  // What every name of a parent starts with, the default partition's included.
  CHECK(pg_partman_name_prefix("events", 10) == "events_");
  CHECK(pg_partman_name_prefix(p50, 10) == p50 + "_");
  CHECK(pg_partman_name_prefix(p51, 10) == p51 + "_");
  CHECK(pg_partman_name_prefix(p60, 10) == p60.substr(0, 51));
  CHECK(pg_partman_name_prefix(p60, 4) == p60.substr(0, 55)); // the default partition's cut is shorter
  CHECK(pg_partman_name_prefix(umlauts, 10) == umlauts.substr(0, 50));
}

TEST_CASE("pg_partman names: a plan names new partitions and the default as pg_partman does, by bound")
{
  auto parent = make_parent("public", "events");
  // pg_partman's partitions, one made by hand under another name: all known by their bounds.
  parent.children = {
      make_child("public", "events_p2026_11_24", "2026-11-24 00:00:00+00", "2026-11-25 00:00:00+00"),
      make_child("public", "by_hand", "2026-11-25 00:00:00+00", "2026-11-26 00:00:00+00")};
  Policy policy = pg_partman_policy();
  policy.default_partition = true;
  ParentPlan pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  REQUIRE(pp.error.empty());
  CHECK(pp.summary == "1 day, premake 2, UTC, default partition, pg_partman's names (YYYY_MM_DD)");
  CHECK(actions_of(pp) ==
        Lines{"create public.events_p2026_11_26 [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00)",
              "create public.events_p2026_11_27 [2026-11-27 00:00:00+00:00, 2026-11-28 00:00:00+00:00)",
              "create public.events_default"});
  // With pg_partman's default partition there, none is made beside it; planned again, nothing is left.
  parent = with_creates(parent, pp);
  parent.children.pop_back();
  parent.children.push_back(make_default("public", "events_default"));
  pp = plan_parent(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(actions_of(pp).empty());
  CHECK(notes_of(pp).empty());

  // A table that holds a planned name is not overwritten: the plan says so and goes on.
  parent.taken_names = {"events_p2026_11_28"};
  pp = plan_parent(parent, policy, at("2026-11-26 04:20Z"));
  CHECK(actions_of(pp).empty());
  REQUIRE(notes_of(pp).size() == 1);
  CHECK(notes_of(pp)[0].find("warning: cannot create \"public\".\"events_p2026_11_28\"") == 0);

  // Another interval, or the format pg_partman's part_config held.
  policy = pg_partman_policy("events", "1 month");
  CHECK(created(plan_parent(make_parent("public", "events"), policy, at("2026-11-25 04:20Z"))) ==
        Lines{"events_p2026_11", "events_p2026_12", "events_p2027_01"});
  policy = pg_partman_policy("events", "3 months");
  CHECK(created(plan_parent(make_parent("public", "events"), policy, at("2026-11-25 04:20Z"))) ==
        Lines{"events_p2026q4", "events_p2027q1", "events_p2027q2"});
  policy.name_format = "YYYY_MM";
  CHECK(created(plan_parent(make_parent("public", "events"), policy, at("2026-11-25 04:20Z"))) ==
        Lines{"events_p2026_10", "events_p2027_01", "events_p2027_04"});
  policy = pg_partman_policy("events", "15 minutes");
  CHECK(created(plan_parent(make_parent("public", "events"), policy, at("2026-11-25 23:50Z"))) ==
        Lines{"events_p2026_11_25_2345", "events_p2026_11_26_0000", "events_p2026_11_26_0015"});

  // A long parent: the names and the default partition cut as pg_partman cuts them, not partman's hash.
  const std::string long_name(60, 'x');
  policy = pg_partman_policy(long_name);
  policy.default_partition = true;
  CHECK(created(plan_parent(make_parent("public", long_name), policy, at("2026-11-25 04:20Z"))) ==
        Lines{long_name.substr(0, 51) + "_p2026_11_25", long_name.substr(0, 51) + "_p2026_11_26",
              long_name.substr(0, 51) + "_p2026_11_27", long_name.substr(0, 55) + "_default"});
  CHECK(policy_child_prefix(policy) == long_name.substr(0, 51));
  CHECK(policy_child_prefix(pg_partman_policy()) == "events_");
}

TEST_CASE("pg_partman names: integer ranges are named by their lower bound")
{
  auto parent = make_parent("public", "ids", KeyType::bigint);
  parent.key_max = 2500;
  Policy policy = pg_partman_policy("ids");
  policy.shape = Shape::integer;
  policy.width = 1000;
  CHECK(created(plan_parent(parent, policy, 0)) == Lines{"ids_p2000", "ids_p3000", "ids_p4000"});
  CHECK(plan_parent(parent, policy, 0).summary == "width 1000, premake 2, pg_partman's names");
  parent.key_max = -1500;
  CHECK(created(plan_parent(parent, policy, 0)) == Lines{"ids_p-2000", "ids_p-1000", "ids_p0"});
  CHECK(policy_child_prefix(policy) == "ids_");
  policy.table = std::string(60, 'i');
  CHECK(policy_child_prefix(policy) == std::string(41, 'i'));
}
