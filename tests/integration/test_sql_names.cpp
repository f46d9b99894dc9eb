// partman.manage()'s partition_names against a real server: the formats it refuses are those the planner's
// reader (core::NameFormat) refuses, with the same messages, for every interval; the default partition it
// makes at once has the name pg_partman and the planner give it; a shape change to integer ranges drops a
// name format.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "partman/core/interval.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "refusal.hpp"
#include "util.hpp"

using partman::test::install_with_refusal;
using partman::test::refusal;
using partman::test::run;
using partman::test::TestDb;

namespace {

// Returns what the planner's reader says of `format` (empty: the one create_parent picks) for partitions
// of `interval`: "accepted", or the refusal as refusal() writes it.
std::string planner_says(const std::string& format, const std::string& interval)
{
  partman::core::Policy policy;
  policy.interval = *partman::core::parse_partition_interval(interval);
  policy.name_format = format;
  const auto read = partman::core::NameFormat::parse(partman::core::policy_name_format(policy));
  if (!read)
    return "22023 " + read.error();
  const std::string conflict = read->conflict(policy.interval);
  return conflict.empty() ? "accepted" : "22023 " + conflict;
}

// Returns the names of the partitions `partman plan` would create now, in bound order.
std::vector<std::string> planned_names(TestDb& db)
{
  const auto doc = nlohmann::json::parse(run(db, {"plan", "--format", "json"}).out);
  std::vector<std::string> names;
  for (const auto& parent : doc.at("parents")) {
    for (const auto& a : parent.at("actions"))
      names.push_back(a.at("name").get<std::string>());
  }
  return names;
}

} // namespace

TEST_CASE("SQL API: partition_names refuses the name formats the planner cannot use, with its messages")
{
  TestDb db;
  install_with_refusal(db);
  db.exec("CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  const std::vector<std::string> formats = {
      "", // pg_partman alone: the format create_parent picks for the interval
      "YYYY_MM_DD",
      "YYYY_MM_DD_HH24MI",
      "YYYY_MM_DD_HH24",
      "YYYYMMDD",
      "IYYY\"w\"IW",
      "YYYY\"q\"Q",
      "YYYY_MM",
      "YYYY",
      "MM_DD",
      "IYYY_IW",
      "\"x\"YYYY_MM_DD\"\xC3\xA9\"",
      "YYYY-MM-DD HH24:MI:SS",
      "YYYY_Month",
      "YYYY_DDD",
      "yyyy",
      "YYYY\"q",
      "\"\"",
      "YYYY\\MM",
      "YYYY_\xC3\xA9t\xC3\xA9",
      "YYYY\tMM",
      "YYYY_MM_DD_HH24MISS_YYYY_MM_DD_HH24MISS_YYYY_MM"};
  const std::vector<std::string> intervals = {"15 minutes", "1 hour",   "90 minutes", "36 hours", "1 day",
                                              "2 days",     "1 week",   "2 weeks",    "45 days",  "1 month",
                                              "2 months",   "3 months", "12 months",  "1 year"};
  int accepted = 0;
  for (const auto& format : formats) {
    for (const auto& interval : intervals) {
      const std::string names = format.empty() ? "pg_partman" : "pg_partman:" + format;
      const std::string sql = refusal(db, "SELECT partman.manage('ev', " + db.conn().quote(interval) +
                                              ", partition_names => " + db.conn().quote(names) + ")");
      INFO(names << " of " << interval);
      CHECK(sql == planner_says(format, interval));
      accepted += sql == "accepted";
    }
  }
  CHECK(accepted > 50); // the grid holds both answers
  CHECK(accepted < static_cast<int>(formats.size() * intervals.size()) - 50);
}

TEST_CASE("SQL API: pg_partman's names for new partitions and for the default partition made at once")
{
  TestDb db;
  install_with_refusal(db);
  const std::string table(60, 'l'); // partman's own names of it are cut and hashed, pg_partman's only cut
  db.exec("CREATE TABLE " + table +
          " (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at); SELECT "
          "partman.manage('" +
          table +
          "', '1 day', premake => 1, default_partition => true, "
          "partition_names => 'pg_partman')");
  const std::string def = partman::core::pg_partman_default_name(table);
  CHECK(def == std::string(55, 'l') + "_default");
  CHECK(db.scalar("SELECT partdefid::regclass::text FROM pg_partitioned_table WHERE partrelid = '" + table +
                  "'::regclass") == def);
  CHECK(
      db.scalar("SELECT format('%s %s', partition_names, coalesce(name_format, '-')) FROM partman.policy") ==
      "pg_partman -");
  // The plan makes today's and tomorrow's partitions with pg_partman's names, and no other default.
  const auto day = [&db](int d) {
    return db.scalar("SELECT to_char((now() AT TIME ZONE 'UTC')::date + " + std::to_string(d) +
                     ", 'YYYY_MM_DD')");
  };
  CHECK(planned_names(db) == std::vector<std::string>{partman::core::pg_partman_child_name(table, day(0)),
                                                      partman::core::pg_partman_child_name(table, day(1))});

  // The cut of a multibyte name, in bytes: SQL and the planner agree.
  const auto repeat = [](const std::string& text, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out += text;
    return out;
  };
  for (const std::string& name :
       {repeat("x", 62), repeat("x", 55), repeat("x", 54), std::string("events"),
        "\xC3\xA9" + repeat("y", 60), repeat("\xC3\xA9", 31), repeat("\xC3\xA9", 27)}) {
    INFO(name);
    CHECK(db.scalar("SELECT partman.pg_partman_default_name(" + db.conn().quote(name) + ")") ==
          partman::core::pg_partman_default_name(name));
  }

  // A format, then partman's names again from the command line.
  db.exec("SELECT partman.manage('" + table + "', partition_names => 'pg_partman:YYYYMMDD')");
  CHECK(db.scalar("SELECT name_format FROM partman.policy") == "YYYYMMDD");
  run(db, {"manage", table, "--partition-names", "partman"});
  CHECK(
      db.scalar("SELECT format('%s %s', partition_names, coalesce(name_format, '-')) FROM partman.policy") ==
      "partman -");
}

TEST_CASE("SQL API: a policy that becomes integer ranges drops its name format, and keeps pg_partman's names")
{
  TestDb db;
  install_with_refusal(db);
  db.exec("CREATE TABLE ep (t bigint NOT NULL) PARTITION BY RANGE (t); SELECT partman.manage('ep', '1 day', "
          "epoch => 'seconds', partition_names => 'pg_partman:YYYYMMDD')");
  CHECK(db.scalar("SELECT format('%s %s %s', shape, partition_names, name_format) FROM partman.policy") ==
        "epoch pg_partman YYYYMMDD");
  CHECK(refusal(db, "SELECT partman.manage('ep', '1000', epoch => 'none')") == "accepted");
  CHECK(db.scalar("SELECT format('%s %s %s', shape, partition_names, coalesce(name_format, '-')) FROM "
                  "partman.policy") == "integer pg_partman -");
  // A format given with the change is refused, naming why.
  CHECK(
      refusal(db,
              "SELECT partman.manage('ep', '1 day', epoch => 's', partition_names => 'pg_partman:YYYY')") ==
      "22023 name format 'YYYY' tells apart years, so partitions of '1 day' would share names; HINT: give a "
      "format that writes the partitions' start to the day (YYYY_MM_DD), or 'pg_partman' alone for the one "
      "pg_partman picks for the interval");
}
