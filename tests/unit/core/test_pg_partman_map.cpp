// pg_partman's part_config rows of time-range parents mapped onto partman policies, in memory.
#include <catch2/catch.hpp>
#include <vector>

#include "partman/core/pg_partman_map.hpp"
#include "pg_partman_fixtures.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

TEST_CASE("pg_partman map: a daily parent with retention maps interval, premake, retention and its action")
{
  auto row = daily_row();
  row.values["premake"] = "7";
  row.values["retention_keep_table"] = "false";
  set_retention(row, "30 days", PgInterval{0, 30, 0});
  const auto m = map_pg_partman(row, NamedZone("Europe/Berlin"));
  INFO(settings(m.mapped) << settings(m.not_mapped));
  CHECK(m.problem.empty());
  CHECK(m.policy.schema == "public");
  CHECK(m.policy.table == "ev");
  CHECK(m.policy.interval.text() == "1 day");
  CHECK(m.policy.premake == 7);
  REQUIRE(m.policy.retention);
  CHECK(m.policy.retention->text() == "30 days");
  CHECK(m.policy.retention_action == RetentionAction::drop);
  CHECK(m.policy.timezone.name() == "Europe/Berlin");
  CHECK(!m.policy.start);
  const auto mapped = settings(m.mapped);
  CHECK(contains(mapped, "partition_interval '1 day' => --interval '1 day'"));
  CHECK(contains(mapped, "premake 7 => --premake 7"));
  CHECK(contains(mapped, "retention '30 days', retention_keep_table false => --retention '30 days' "
                         "--retention-action drop"));
  CHECK(contains(mapped, "epoch none"));
  CHECK(contains(mapped, "time zone (the session's TimeZone) => --timezone Europe/Berlin"));
  CHECK(contains(mapped, "start (no such setting) => none"));
  // pg_partman's names are kept, with its datetime_string; --partman-names gives partman's own.
  CHECK(contains(mapped, "datetime_string 'YYYY_MM_DD' (partition names) => --partition-names "
                         "pg_partman:YYYY_MM_DD (new partitions named as pg_partman names them, such as "
                         "ev_p2026_12_13)"));
  CHECK(m.policy.partition_names == PartitionNames::pg_partman);
  CHECK(m.policy.name_format == "YYYY_MM_DD");
  const auto not_mapped = settings(m.not_mapped);
  CHECK(!contains(not_mapped, "datetime_string"));
  CHECK(contains(not_mapped, "infinite_time_partitions false"));
  CHECK(!contains(not_mapped, "template_table"));
  CHECK(!contains(not_mapped, "inherit_privileges"));
  CHECK(!contains(not_mapped, "automatic_maintenance"));
  CHECK(manage_command(m.policy) ==
        "manage public.ev --interval '1 day' --premake 7 --retention '30 days' "
        "--retention-action drop --timezone Europe/Berlin --no-inherit-privileges "
        "--template-table partman.template_public_ev --partition-names pg_partman:YYYY_MM_DD");

  const auto own = map_pg_partman(row, NamedZone("Europe/Berlin"), PartitionNames::partman);
  CHECK(own.problem.empty());
  CHECK(own.policy.partition_names == PartitionNames::partman);
  CHECK(own.policy.name_format.empty());
  CHECK(contains(settings(own.not_mapped),
                 "datetime_string 'YYYY_MM_DD' (partition names) => --partman-names: partman names new "
                 "partitions its own way (ev_p20261125, ev_p1000)"));
  CHECK(!contains(manage_command(own.policy), "--partition-names"));
}

TEST_CASE("pg_partman map: pg_partman's names come from its datetime_string, or its interval where none")
{
  // The form pg_partman's part_config holds, whatever it is (pg_partman 5 writes YYYYMMDD).
  auto row = daily_row();
  row.values["datetime_string"] = "YYYYMMDD";
  auto m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.policy.name_format == "YYYYMMDD");
  CHECK(contains(manage_command(m.policy), "--partition-names pg_partman:YYYYMMDD"));
  row.values["datetime_string"] = "IYYY\"w\"IW";
  row.interval = PgInterval{0, 7, 0};
  m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.policy.name_format == "IYYY\"w\"IW");
  CHECK(contains(manage_command(m.policy), "--partition-names 'pg_partman:IYYY\"w\"IW'"));
  CHECK(contains(settings(m.mapped), "such as ev_p2026w50)"));

  // None in the row (part_config_sub has none): create_parent's for the interval as it was given.
  row.values.erase("datetime_string");
  row.values["partition_interval"] = "quarterly";
  row.interval = PgInterval{3, 0, 0};
  m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.policy.name_format == "YYYY\"q\"Q");
  CHECK(contains(settings(m.mapped), "partition names (part_config_sub has no datetime_string) => "
                                     "--partition-names 'pg_partman:YYYY\"q\"Q'"));

  // A form partman cannot write keeps the parent out, saying how to import it with partman's names.
  row.values["datetime_string"] = "YYYY_Month";
  m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(contains(m.problem, "name format 'YYYY_Month': 'M' is not a pattern partman writes"));
  CHECK(contains(m.problem, "HINT: import-pg-partman --partman-names imports it with partman's names"));
  CHECK(map_pg_partman(row, NamedZone("UTC"), PartitionNames::partman).problem.empty());
}

TEST_CASE("pg_partman map: inherit_privileges and template_table map onto what new partitions get")
{
  // pg_partman's default, false, gives new partitions no grants; so does a NULL.
  auto row = daily_row();
  auto m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(!m.policy.inherit_privileges);
  CHECK(contains(settings(m.mapped), "inherit_privileges false => --no-inherit-privileges"));
  row.values.erase("inherit_privileges");
  CHECK(!map_pg_partman(row, NamedZone("UTC")).policy.inherit_privileges);
  row.values["inherit_privileges"] = "true";
  m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.policy.inherit_privileges);
  CHECK(contains(settings(m.mapped), "inherit_privileges true => --inherit-privileges"));
  CHECK(!contains(manage_command(m.policy), "inherit"));

  // The template table maps when it exists.
  CHECK(m.policy.template_schema == "partman");
  CHECK(m.policy.template_table == "template_public_ev");
  CHECK(contains(settings(m.mapped), "template_table partman.template_public_ev => --template-table "
                                     "partman.template_public_ev (new partitions get its unique indexes"));
  row.template_schema.clear();
  row.template_table.clear();
  m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.problem.empty());
  CHECK(m.policy.template_table.empty());
  CHECK(contains(settings(m.not_mapped),
                 "template_table partman.template_public_ev => there is no such table"));
  CHECK(!contains(manage_command(m.policy), "--template-table"));
}

TEST_CASE("pg_partman map: retention keeps the table by default (detach), or moves it to retention_schema")
{
  auto row = daily_row();
  set_retention(row, "3 months", PgInterval{3, 0, 0});
  auto m = map_pg_partman(row, NamedZone("UTC"));
  REQUIRE(m.policy.retention);
  CHECK(m.policy.retention->text() == "3 months");
  CHECK(m.policy.retention_action == RetentionAction::detach);
  CHECK(m.policy.retention_schema.empty());

  row.values["retention_keep_index"] = "false";
  row.values["retention_schema"] = "Old Stuff";
  m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.policy.retention_action == RetentionAction::detach);
  CHECK(m.policy.retention_schema == "Old Stuff");
  CHECK(contains(settings(m.mapped),
                 "retention_schema 'Old Stuff' => --retention '3 months' --retention-action "
                 "detach --retention-schema 'Old Stuff'"));
  CHECK(contains(settings(m.not_mapped), "retention_keep_index false"));
  CHECK(contains(manage_command(m.policy), "--retention-schema 'Old Stuff'"));
}

TEST_CASE("pg_partman map: PostgreSQL's interval forms become partman's intervals")
{
  struct Case
  {
    PgInterval iv;
    std::string datetime_string;
    std::vector<std::string> expected; // candidate intervals; empty: not mappable
  };
  const std::vector<Case> cases = {
      {{0, 0, 15 * k_micros_per_minute}, "YYYY_MM_DD_HH24MI", {"15 minutes"}},
      {{0, 0, 30 * k_micros_per_minute}, "YYYY_MM_DD_HH24MI", {"30 minutes"}},
      {{0, 0, 120 * k_micros_per_minute}, "YYYY_MM_DD_HH24MI", {"2 hours"}},
      {{0, 0, 10 * k_micros_per_minute}, "YYYY_MM_DD_HH24MI", {}},
      {{0, 0, 30 * k_micros_per_second}, "YYYY_MM_DD_HH24MISS", {}},
      {{0, 1, 0}, "YYYY_MM_DD", {"1 day"}},
      {{0, 7, 0}, "IYYY\"w\"IW", {"1 week"}},
      {{0, 7, 0}, "YYYY_MM_DD", {"1 week", "7 days"}},
      {{0, 14, 0}, "YYYYMMDD", {"2 weeks", "14 days"}},
      {{1, 0, 0}, "YYYY_MM", {"1 month"}},
      {{3, 0, 0}, "YYYY\"q\"Q", {"3 months"}},
      {{12, 0, 0}, "YYYY", {"1 year"}},
      {{24, 0, 0}, "YYYY", {"2 years"}},
      {{0, 1, 2 * 60 * k_micros_per_minute}, "YYYY_MM_DD", {}},
      {{1, 15, 0}, "YYYY_MM_DD", {}},
  };
  for (const auto& c : cases) {
    auto row = daily_row();
    row.interval = c.iv;
    row.values["datetime_string"] = c.datetime_string;
    const auto m = map_pg_partman(row, NamedZone("UTC"));
    INFO(c.iv.months << " months " << c.iv.days << " days " << c.iv.micros << " us: " << m.problem);
    std::vector<std::string> got;
    for (const auto& iv : m.intervals)
      got.push_back(iv.text());
    CHECK(got == c.expected);
    CHECK(m.problem.empty() == !c.expected.empty());
    if (c.expected.empty())
      CHECK(contains(m.problem, "partition_interval"));
  }
}

TEST_CASE("pg_partman map: choosing another candidate interval changes the policy and the report")
{
  auto row = daily_row();
  row.interval = PgInterval{0, 7, 0};
  auto m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.policy.interval.text() == "1 week");
  choose_interval(m, 1);
  CHECK(m.policy.interval.text() == "7 days");
  CHECK(contains(settings(m.mapped), "=> --interval '7 days'"));
}

TEST_CASE("pg_partman map: options without an equivalent are listed, the parent is still imported")
{
  auto row = daily_row();
  row.values["automatic_maintenance"] = "off";
  row.values["constraint_cols"] = "{id}";
  row.values["optimize_constraint"] = "30";
  row.values["infinite_time_partitions"] = "true";
  row.values["date_trunc_interval"] = "week";
  row.values["publications"] = "{pub}";
  row.values["drop_cascade_fk"] = "true";
  const auto m = map_pg_partman(row, NamedZone("UTC"));
  CHECK(m.problem.empty());
  const auto not_mapped = settings(m.not_mapped);
  for (const char* setting : {"automatic_maintenance off", "constraint_cols {id}",
                              "date_trunc_interval 'week'", "publications {pub}", "drop_cascade_fk true"})
    CHECK(contains(not_mapped, setting));
  CHECK(!contains(not_mapped, "infinite_time_partitions"));
  CHECK(contains(settings(m.mapped), "infinite_time_partitions true"));
}

TEST_CASE("pg_partman map: the manage command quotes names for SQL and the shell")
{
  Policy p = make_policy("Sales", "Order Lines", "1 month", 2, "America/New_York");
  CHECK(manage_command(p) ==
        "manage '\"Sales\".\"Order Lines\"' --interval '1 month' --premake 2 --timezone America/New_York");
  p = make_policy("app", "it's", "1 day");
  CHECK(manage_command(p) == "manage 'app.\"it'\\''s\"' --interval '1 day' --premake 4 --timezone UTC");
}
