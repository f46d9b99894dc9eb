#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "partman/core/status.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

using Lines = std::vector<std::string>;

namespace {

// Returns "name state [from, to)" per partition, in the status's order.
Lines states_of(const ParentStatus& st)
{
  Lines out;
  for (const auto& p : st.partitions)
    out.push_back(p.child->name + " " + to_string(p.state) + " [" + p.from + ", " + p.to + ")");
  return out;
}

ParentSnapshot daily_parent()
{
  auto parent = make_parent("public", "events");
  // Deliberately out of key order: the status sorts them.
  parent.children.push_back(make_default("public", "events_default"));
  parent.children.push_back(
      make_child("public", "events_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261124", "2026-11-24 00:00:00+00:00", "2026-11-25 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261020", "2026-10-20 00:00:00+00:00", "2026-10-21 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261019", "2026-10-19 00:00:00+00:00", "2026-10-20 00:00:00+00:00"));
  parent.children.back().detach_pending = true;
  parent.children.push_back(make_child("public", "events_old", "", "2026-10-19 00:00:00+00:00"));
  parent.children.push_back(make_child("public", "events_rest", "2026-11-27 00:00:00+00:00", ""));
  return parent;
}

} // namespace

TEST_CASE("status: to_string of every state")
{
  CHECK(std::string(to_string(PartitionState::past)) == "past");
  CHECK(std::string(to_string(PartitionState::current)) == "current");
  CHECK(std::string(to_string(PartitionState::future)) == "future");
  CHECK(std::string(to_string(PartitionState::expired)) == "expired");
  CHECK(std::string(to_string(PartitionState::default_partition)) == "default");
  CHECK(std::string(to_string(PartitionState::detach_pending)) == "detach-pending");
}

TEST_CASE("status: classification past/current/future/expired/default/detach-pending")
{
  const auto parent = daily_parent();
  auto policy = make_policy("public", "events", "1 day", 2);
  SECTION("without retention nothing is expired")
  {
    const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
    CHECK(st.error.empty());
    CHECK(st.policy == &policy);
    CHECK(st.parent == &parent);
    CHECK(states_of(st) ==
          Lines{"events_old past [MINVALUE, 2026-10-19 00:00:00+00:00)",
                "events_p20261019 detach-pending [2026-10-19 00:00:00+00:00, 2026-10-20 00:00:00+00:00)",
                "events_p20261020 past [2026-10-20 00:00:00+00:00, 2026-10-21 00:00:00+00:00)",
                "events_p20261124 past [2026-11-24 00:00:00+00:00, 2026-11-25 00:00:00+00:00)",
                "events_p20261125 current [2026-11-25 00:00:00+00:00, 2026-11-26 00:00:00+00:00)",
                "events_p20261126 future [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00)",
                "events_rest future [2026-11-27 00:00:00+00:00, MAXVALUE)",
                "events_default default [MINVALUE, MAXVALUE)"});
  }
  SECTION("with retention, partitions ending at or before now - retention are expired")
  {
    policy.retention = period("36 days"); // cutoff 2026-10-20 04:20
    const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
    CHECK(states_of(st) ==
          Lines{"events_old expired [MINVALUE, 2026-10-19 00:00:00+00:00)",
                "events_p20261019 detach-pending [2026-10-19 00:00:00+00:00, 2026-10-20 00:00:00+00:00)",
                "events_p20261020 past [2026-10-20 00:00:00+00:00, 2026-10-21 00:00:00+00:00)",
                "events_p20261124 past [2026-11-24 00:00:00+00:00, 2026-11-25 00:00:00+00:00)",
                "events_p20261125 current [2026-11-25 00:00:00+00:00, 2026-11-26 00:00:00+00:00)",
                "events_p20261126 future [2026-11-26 00:00:00+00:00, 2026-11-27 00:00:00+00:00)",
                "events_rest future [2026-11-27 00:00:00+00:00, MAXVALUE)",
                "events_default default [MINVALUE, MAXVALUE)"});
    // An upper bound equal to the cutoff is expired; the default and MAXVALUE never are.
    const ParentStatus later =
        make_status(parent, policy, at("2026-11-26 00:00Z")); // cutoff 2026-10-21 00:00
    CHECK(later.partitions[2].child->name == "events_p20261020");
    CHECK(later.partitions[2].state == PartitionState::expired);
    const ParentStatus far = make_status(parent, policy, at("2040-01-01Z"));
    CHECK(far.partitions[6].child->name == "events_rest");
    CHECK(far.partitions[6].state == PartitionState::current);
    CHECK(far.partitions[7].state == PartitionState::default_partition);
    CHECK(far.partitions[1].state == PartitionState::detach_pending);
  }
  SECTION("bounds: lower == now is current, upper == now is past")
  {
    const ParentStatus st = make_status(parent, policy, at("2026-11-25 00:00Z"));
    CHECK(st.partitions[3].child->name == "events_p20261124");
    CHECK(st.partitions[3].state == PartitionState::past);
    CHECK(st.partitions[4].state == PartitionState::current);
    const ParentStatus before = make_status(parent, policy, at("2026-11-25 00:00Z") - 1);
    CHECK(before.partitions[3].state == PartitionState::current);
    CHECK(before.partitions[4].state == PartitionState::future);
  }
}

TEST_CASE("status: bounds shown in the policy's zone, wall clock for timestamp keys")
{
  auto parent = make_parent("public", "events");
  parent.children.push_back(
      make_child("public", "events_p20261025", "2026-10-25 00:00:00+02:00", "2026-10-26 00:00:00+01:00"));
  const auto policy = make_policy("public", "events", "1 day", 2, "Europe/Berlin");
  const ParentStatus st = make_status(parent, policy, at("2026-10-25 22:30Z")); // 23:30 CET
  CHECK(states_of(st) ==
        Lines{"events_p20261025 current [2026-10-25 00:00:00+02:00, 2026-10-26 00:00:00+01:00)"});
  CHECK(make_status(parent, policy, at("2026-10-25 23:00Z")).partitions[0].state == PartitionState::past);

  auto wall_parent = make_parent("public", "events", KeyType::timestamp);
  wall_parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00", "2026-11-26 00:00:00"));
  auto ny = make_policy("public", "events", "1 day", 2, "America/New_York");
  // 2026-11-25 03:00 UTC is still 2026-11-24 in New York: the wall-clock partition of the 25th is future.
  CHECK(states_of(make_status(wall_parent, ny, at("2026-11-25 03:00Z"))) ==
        Lines{"events_p20261125 future [2026-11-25 00:00:00, 2026-11-26 00:00:00)"});
  CHECK(make_status(wall_parent, ny, at("2026-11-25 05:00Z")).partitions[0].state == PartitionState::current);
  ny.retention = period("1 day");
  // now 2026-11-27 00:00 in New York; cutoff 2026-11-26 00:00 (wall clock): the partition is expired.
  CHECK(make_status(wall_parent, ny, at("2026-11-27 05:00Z")).partitions[0].state == PartitionState::expired);
  CHECK(make_status(wall_parent, ny, at("2026-11-27 04:59Z")).partitions[0].state == PartitionState::past);

  auto date_parent = make_parent("public", "visits", KeyType::date);
  date_parent.children.push_back(make_child("public", "visits_p202602", "2026-02-01", "2026-03-01"));
  CHECK(states_of(
            make_status(date_parent, make_policy("public", "visits", "1 month"), at("2026-02-28 23:59Z"))) ==
        Lines{"visits_p202602 current [2026-02-01, 2026-03-01)"});
}

TEST_CASE("status: parents that cannot be read give an error")
{
  auto parent = make_parent("public", "events");
  parent.strategy = Strategy::list;
  const auto policy = make_policy("public", "events", "1 day");
  const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
  CHECK(st.error == "\"public\".\"events\" is not partitioned BY RANGE");
  CHECK(st.partitions.empty());
  const ParentStatus zone_error =
      make_status(make_parent("public", "events"),
                  make_policy("public", "events", "1 day", 1, "Nowhere/Land"), at("2026-11-25 04:20Z"));
  CHECK(zone_error.error.rfind("unknown time zone 'Nowhere/Land'", 0) == 0);
  const std::string text = render_status_text({st});
  CHECK(text ==
        "\"public\".\"events\": 1 day, premake 4, time zone UTC\n  ! error: \"public\".\"events\" is not "
        "partitioned BY RANGE\n");
}

TEST_CASE("status: text rendering")
{
  auto parent = make_parent("public", "events");
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.back().estimated_rows = 1500;
  parent.children.back().bytes = 3 * 1024 * 1024 / 2;
  parent.children.push_back(
      make_child("public", "events_p20261124", "2026-11-24 00:00:00+00:00", "2026-11-25 00:00:00+00:00"));
  parent.children.back().estimated_rows = -1;
  parent.children.back().bytes = 0;
  parent.children.push_back(make_default("public", "events_default"));
  parent.children.back().rare.get_or_make().counted_rows = 7;
  parent.children.back().bytes = 16384;
  auto policy = make_policy("public", "events", "1 day", 2);
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
  // Columns: the name padded to the longest name, bounds to 29, state to 14, rows to 10.
  const std::string expected =
      "\"public\".\"events\": 1 day, premake 2, retention 30 days (drop), time zone UTC\n"
      "  partition                    from                           to                             state    "
      "       rows        size\n"
      "  \"public\".\"events_p20261124\"  2026-11-24 00:00:00+00:00      2026-11-25 00:00:00+00:00      past "
      "           ?           0 B\n"
      "  \"public\".\"events_p20261125\"  2026-11-25 00:00:00+00:00      2026-11-26 00:00:00+00:00      "
      "current         ~1500       1.5 MB\n"
      "  \"public\".\"events_default\"    DEFAULT                                                       "
      "default         7           16.0 kB\n"
      "  3 partition(s): 1 past, 1 current, 0 future, 0 expired\n"
      "  default partition \"public\".\"events_default\" holds 7 row(s)\n";
  CHECK(render_status_text({st}) == expected);
  CHECK(render_status_text({}) ==
        "no managed parents; HINT: register one with 'partman manage PARENT --interval ...'\n");
}

TEST_CASE("status: json rendering")
{
  auto parent = daily_parent();
  parent.children[0].rare.get_or_make().counted_rows = 3;
  auto policy = make_policy("public", "events", "1 day", 2);
  policy.retention = period("36 days");
  policy.retention_schema = "archive";
  const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
  const auto doc = nlohmann::json::parse(render_status_json({st}, at("2026-11-25 04:20Z")));
  CHECK(doc["format"] == "partman-status");
  CHECK(doc["version"] == 1);
  CHECK(doc["at"] == "2026-11-25T04:20:00Z");
  REQUIRE(doc["parents"].size() == 1);
  const auto& p = doc["parents"][0];
  CHECK(p["parent"] == "\"public\".\"events\"");
  CHECK(p["error"].is_null());
  CHECK(p["policy"] == nlohmann::json{{"shape", "time"},
                                      {"interval", "1 day"},
                                      {"premake", 2},
                                      {"epoch", nullptr},
                                      {"start", nullptr},
                                      {"values", nullptr},
                                      {"values_query", nullptr},
                                      {"list_retention", nullptr},
                                      {"retention", "36 days"},
                                      {"retention_action", "detach"},
                                      {"archive_to", nullptr},
                                      {"retention_schema", "archive"},
                                      {"timezone", "UTC"},
                                      {"partition_names", "partman"},
                                      {"name_format", nullptr}});
  CHECK(p["default_rows"] == 3);
  REQUIRE(p["partitions"].size() == 8);
  CHECK(p["partitions"][0] == nlohmann::json{{"partition", "\"public\".\"events_old\""},
                                             {"default", false},
                                             {"from", "MINVALUE"},
                                             {"to", "2026-10-19T00:00:00+00:00"},
                                             {"from_time", nullptr},
                                             {"to_time", nullptr},
                                             {"values", nullptr},
                                             {"state", "expired"},
                                             {"estimated_rows", 0},
                                             {"bytes", 8192}});
  CHECK(p["partitions"][7]["default"] == true);
  CHECK(p["partitions"][7]["from"].is_null());
  CHECK(p["partitions"][7]["estimated_rows"].is_null());
  CHECK(p["partitions"][7]["state"] == "default");
  CHECK(p["partitions"][1]["state"] == "detach-pending");
}

TEST_CASE("status: json has the parent keys of the plan, counts by state, oldest and newest bound")
{
  auto parent = daily_parent();
  parent.children[0].rare.get_or_make().counted_rows = 3;
  auto policy = make_policy("public", "events", "1 day", 2);
  policy.retention = period("36 days");
  const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
  const auto doc = nlohmann::json::parse(render_status_json({st}, at("2026-11-25 04:20Z")));
  const auto& p = doc.at("parents").at(0);
  CHECK(p.at("schema") == "public");
  CHECK(p.at("table") == "events");
  CHECK(p.at("level") == 1);
  CHECK(p.at("partition_of").is_null());
  CHECK(p.at("summary") == policy_summary(policy));
  CHECK(p.at("status") == "ok");
  CHECK(p.at("counts") == nlohmann::json{{"past", 2},
                                         {"current", 1},
                                         {"future", 2},
                                         {"expired", 1},
                                         {"default", 1},
                                         {"detach-pending", 1},
                                         {"listed", 0},
                                         {"unlisted", 0}});
  CHECK(p.at("oldest_bound") == "MINVALUE");
  CHECK(p.at("newest_bound") == "MAXVALUE");
  CHECK(p.at("oldest_time").is_null());
  CHECK(p.at("partitions").size() == 8);
  CHECK(doc.at("view") == nlohmann::json{{"summary", false}, {"states", nullptr}});
}

TEST_CASE("status: --summary is a line per parent, in text and json")
{
  auto parent = make_parent("public", "events");
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261124", "2026-11-24 00:00:00+00:00", "2026-11-25 00:00:00+00:00"));
  parent.children.push_back(make_default("public", "events_default"));
  parent.children.back().rare.get_or_make().counted_rows = 7;
  auto policy = make_policy("public", "events", "1 day", 2);
  auto other = make_parent("public", "logs");
  other.children.push_back(
      make_child("public", "logs_p20261126", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  auto other_policy = make_policy("public", "logs", "1 day", 2);
  const auto now = at("2026-11-25 04:20Z");
  const std::vector<ParentStatus> statuses{make_status(parent, policy, now),
                                           make_status(other, other_policy, now)};
  StatusView view;
  view.summary = true;
  CHECK(render_status_text(statuses, view) ==
        "\"public\".\"events\": 3 partition(s): 1 past, 1 current, 0 future, 0 expired; from 2026-11-24 "
        "00:00:00+00:00 to 2026-11-26 00:00:00+00:00; default partition holds 7 row(s)\n"
        "\"public\".\"logs\": 1 partition(s): 0 past, 0 current, 1 future, 0 expired; from 2026-11-26 "
        "00:00:00+00:00 to 2026-11-27 00:00:00+00:00\n");
  const auto doc = nlohmann::json::parse(render_status_json(statuses, now, view));
  REQUIRE(doc.at("parents").size() == 2);
  const auto& p = doc.at("parents").at(0);
  CHECK_FALSE(p.contains("partitions"));
  CHECK(p.at("oldest_bound") == "2026-11-24T00:00:00+00:00");
  CHECK(p.at("newest_bound") == "2026-11-26T00:00:00+00:00");
  CHECK(p.at("default_rows") == 7);
  CHECK(p.at("counts").at("past") == 1);
  CHECK(doc.at("parents").at(1).at("default_rows").is_null());

  SECTION("with a state filter, only parents with a partition in those states")
  {
    view.states = {PartitionState::future};
    CHECK(render_status_text(statuses, view) ==
          "\"public\".\"logs\": 1 partition(s): 0 past, 0 current, 1 future, 0 expired; from 2026-11-26 "
          "00:00:00+00:00 to 2026-11-27 00:00:00+00:00\n");
    view.states = {PartitionState::expired};
    CHECK(render_status_text(statuses, view) == "no managed parent has a partition in state expired\n");
    CHECK(nlohmann::json::parse(render_status_json(statuses, now, view)).at("parents").empty());
  }
  SECTION("a state filter without --summary lists only those partitions")
  {
    view.summary = false;
    view.states = {PartitionState::past, PartitionState::default_partition};
    const std::string text = render_status_text(statuses, view);
    CHECK(text.find("events_p20261124") != std::string::npos);
    CHECK(text.find("events_p20261125") == std::string::npos);
    CHECK(text.find("\"events_default\"    DEFAULT") != std::string::npos);
    CHECK(text.find("logs") == std::string::npos);
    const auto filtered = nlohmann::json::parse(render_status_json(statuses, now, view));
    REQUIRE(filtered.at("parents").size() == 1);
    const auto& parts = filtered.at("parents").at(0).at("partitions");
    REQUIRE(parts.size() == 2);
    CHECK(parts.at(0).at("state") == "past");
    CHECK(parts.at(1).at("state") == "default");
    CHECK(filtered.at("parents").at(0).at("counts").at("current") == 1); // counts stay over all
    CHECK(filtered.at("view").at("states") == nlohmann::json::array({"past", "default"}));
  }
}

TEST_CASE("status: parse_states reads a comma-separated list and names an unknown state")
{
  const auto ok = parse_states("future,expired,detach-pending");
  REQUIRE(ok);
  CHECK(*ok == std::vector<PartitionState>{PartitionState::future, PartitionState::expired,
                                           PartitionState::detach_pending});
  const auto bad = parse_states("future,old");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().rfind("unknown state 'old'; HINT: a comma-separated list of past, current,", 0) == 0);
  CHECK_FALSE(parse_states(""));
  CHECK_FALSE(parse_states("future,"));
}

TEST_CASE("status: row estimates above 2^24 read to the seven digits a real holds")
{
  CHECK(estimate_count(-1) == -1);
  CHECK(estimate_count(0) == 0);
  CHECK(estimate_count(1500) == 1500);
  CHECK(estimate_count(16777216.0f) == 16777216);
  CHECK(estimate_count(1234567890.0f) == 1234568000); // the real holds 1234567936
  CHECK(estimate_count(98765432.0f) == 98765430);
  CHECK(estimate_count(3.0e12f) == 3000000000000);
  Child c;
  c.estimated_rows = 1234567890.0f;
  CHECK(c.estimated_count() == 1234568000);
}
