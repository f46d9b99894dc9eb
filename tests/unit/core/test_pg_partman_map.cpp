#include <catch2/catch.hpp>
#include <functional>
#include <memory>

#include "partman/core/adoption.hpp"
#include "partman/core/pg_partman_map.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

namespace {

// Returns a part_config row of pg_partman 4.7 for a native daily parent public.ev on a timestamptz key.
PgPartmanParent daily_row()
{
  PgPartmanParent p;
  p.parent_table = "public.ev";
  p.schema = "public";
  p.table = "ev";
  p.control_type = "timestamp with time zone";
  p.values = {{"parent_table", "public.ev"},
              {"control", "at"},
              {"partition_type", "native"},
              {"partition_interval", "1 day"},
              {"premake", "4"},
              {"epoch", "none"},
              {"retention_keep_table", "true"},
              {"retention_keep_index", "true"},
              {"infinite_time_partitions", "false"},
              {"datetime_string", "YYYY_MM_DD"},
              {"automatic_maintenance", "on"},
              {"template_table", "partman.template_public_ev"},
              {"inherit_privileges", "false"},
              {"undo_in_progress", "false"}};
  p.interval = PgInterval{0, 1, 0};
  p.template_schema = "partman";
  p.template_table = "template_public_ev";
  return p;
}

// Returns a yearly parent public.ev whose partitions pg_partman partitions by month on the same key, as
// create_sub_parent leaves part_config_sub (the interval as it was given).
PgPartmanParent yearly_with_months()
{
  auto p = daily_row();
  p.values["partition_interval"] = "1 year";
  p.values["datetime_string"] = "YYYY";
  p.interval = PgInterval{12, 0, 0};
  auto sub = daily_row();
  sub.values.erase("datetime_string");
  sub.values.erase("undo_in_progress");
  sub.values["partition_interval"] = "monthly";
  sub.values["premake"] = "1";
  sub.interval = PgInterval{1, 0, 0};
  p.sub = std::make_shared<const PgPartmanParent>(sub);
  return p;
}

// Returns yearly_with_months() with `change` made to its part_config_sub row.
PgPartmanParent with_sub(const std::function<void(PgPartmanParent&)>& change)
{
  auto p = yearly_with_months();
  auto sub = *p.sub;
  change(sub);
  p.sub = std::make_shared<const PgPartmanParent>(sub);
  return p;
}

// Sets a time retention as part_config holds it (`text`) and as the server casts it (`iv`).
void set_retention(PgPartmanParent& row, const std::string& text, PgInterval iv)
{
  row.values["retention"] = text;
  row.retention = iv;
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

std::string settings(const std::vector<MappedOption>& options)
{
  std::string out;
  for (const auto& o : options)
    out += o.setting + " => " + o.outcome + "\n";
  return out;
}

} // namespace

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

TEST_CASE("pg_partman map: integer ranges map to a width and a retention below the largest value")
{
  auto row = daily_row();
  row.control_type = "bigint";
  row.values["control"] = "id";
  row.values["partition_interval"] = "100000";
  row.values["retention"] = "500000";
  row.values["retention_keep_table"] = "false";
  row.values.erase("datetime_string");
  row.interval.reset();
  const auto m = map_pg_partman(row, NamedZone("Europe/Berlin"));
  INFO(settings(m.mapped) << settings(m.not_mapped));
  CHECK(m.problem.empty());
  CHECK(m.policy.shape == Shape::integer);
  CHECK(m.policy.width == 100000);
  REQUIRE(m.policy.keep_last);
  CHECK(*m.policy.keep_last == 500000);
  CHECK(!m.policy.retention);
  CHECK(m.policy.retention_action == RetentionAction::drop);
  CHECK(m.intervals.empty());
  const auto mapped = settings(m.mapped);
  CHECK(contains(mapped, "partition_interval '100000' => --interval 100000"));
  CHECK(contains(mapped,
                 "retention '500000', retention_keep_table false => --retention 500000 "
                 "--retention-action drop (expiry as in pg_partman: the whole range below the largest "
                 "value minus the retention)"));
  CHECK(contains(mapped, "epoch none => the key id holds bigint values"));
  CHECK(!contains(mapped, "time zone"));
  CHECK(!contains(settings(m.not_mapped), "infinite_time_partitions")); // time only
  CHECK(manage_command(m.policy) ==
        "manage public.ev --interval 100000 --premake 4 --retention 500000 --retention-action drop "
        "--no-inherit-privileges --template-table partman.template_public_ev --partition-names pg_partman");
  CHECK(contains(mapped,
                 "partition names (ev_p<lower bound>) => --partition-names pg_partman (new partitions "
                 "named as pg_partman names them, by their lower bound, such as ev_p1000)"));
  CHECK(m.policy.name_format.empty());

  row.values["partition_interval"] = "0";
  CHECK(contains(map_pg_partman(row, NamedZone("UTC")).problem, "partition_interval: invalid width '0'"));
}

TEST_CASE("pg_partman map: epoch keys map to an epoch policy with time intervals")
{
  auto row = daily_row();
  row.control_type = "bigint";
  row.values["epoch"] = "milliseconds";
  set_retention(row, "7 days", PgInterval{0, 7, 0});
  const auto m = map_pg_partman(row, NamedZone("UTC"));
  INFO(settings(m.mapped) << settings(m.not_mapped));
  CHECK(m.problem.empty());
  CHECK(m.policy.shape == Shape::epoch);
  CHECK(m.policy.epoch_unit == EpochUnit::milliseconds);
  CHECK(m.policy.interval.text() == "1 day");
  REQUIRE(m.policy.retention);
  CHECK(m.policy.retention->text() == "7 days");
  CHECK(contains(settings(m.mapped), "epoch 'milliseconds' => --epoch milliseconds"));
  CHECK(manage_command(m.policy) == "manage public.ev --epoch milliseconds --interval '1 day' --premake 4 "
                                    "--retention '7 days' --retention-action detach --timezone UTC "
                                    "--no-inherit-privileges --template-table partman.template_public_ev "
                                    "--partition-names pg_partman:YYYY_MM_DD");
}

TEST_CASE("pg_partman map: shapes partman does not plan are not imported, with the reason")
{
  struct Case
  {
    std::string what;
    std::function<void(PgPartmanParent&)> change;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"numeric",
       [](PgPartmanParent& p) {
         p.control_type = "numeric";
         p.interval.reset();
       },
       "has type numeric"},
      {"nanoseconds",
       [](PgPartmanParent& p) {
         p.control_type = "bigint";
         p.values["epoch"] = "nanoseconds";
       },
       "epoch 'nanoseconds'"},
      {"trigger-based", [](PgPartmanParent& p) { p.values["partition_type"] = "partman"; }, "trigger-based"},
      {"sub-partition set", [](PgPartmanParent& p) { p.sub_partition_of = "public.top"; },
       "a sub-partition set of public.top (part_config_sub): the level-2 policy of public.top keeps it"},
      {"level 2 every 10 minutes",
       [](PgPartmanParent& p) {
         p = with_sub([](PgPartmanParent& sub) {
           sub.values["partition_interval"] = "00:10:00";
           sub.interval = PgInterval{0, 0, 10 * k_micros_per_minute};
         });
       },
       "level 2 (part_config_sub): partition_interval '00:10:00': "},
      {"level 2 trigger-based",
       [](PgPartmanParent& p) {
         p = with_sub([](PgPartmanParent& sub) { sub.values["partition_type"] = "partman"; });
       },
       "level 2 (part_config_sub): trigger-based"},
      {"undo", [](PgPartmanParent& p) { p.values["undo_in_progress"] = "true"; }, "undo_in_progress"},
      {"gone",
       [](PgPartmanParent& p) {
         p.schema.clear();
         p.table.clear();
       },
       "no such table"},
      {"text key",
       [](PgPartmanParent& p) {
         p.control_type = "text";
         p.interval.reset();
       },
       "has type text"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto row = daily_row();
    c.change(row);
    const auto m = map_pg_partman(row, NamedZone("UTC"));
    CHECK(contains(m.problem, c.reason));
  }
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

TEST_CASE("pg_partman map: part_config_sub maps onto a level-2 policy, its lines marked as level 2")
{
  const auto m = map_pg_partman(yearly_with_months(), NamedZone("UTC"));
  INFO(settings(m.mapped) << settings(m.not_mapped) << m.problem);
  CHECK(m.problem.empty());
  CHECK(m.policy.level == 1);
  CHECK(m.policy.interval.text() == "1 year");
  REQUIRE(m.policy.sub);
  const Policy& sub = *m.policy.sub;
  CHECK(sub.level == 2);
  CHECK(sub.schema == "public");
  CHECK(sub.table == "ev");
  CHECK(sub.partition_key == "at");
  CHECK(sub.shape == Shape::time);
  CHECK(sub.interval.text() == "1 month");
  CHECK(sub.premake == 1);
  CHECK(!sub.retention);
  CHECK(!sub.inherit_privileges);
  CHECK(sub.template_table.empty()); // a level-2 policy uses its parent's
  CHECK(m.policy.template_table == "template_public_ev");
  CHECK(!sub.sub);
  const auto mapped = settings(m.mapped);
  CHECK(contains(mapped, "partition_interval '1 year' => --interval '1 year'"));
  CHECK(contains(mapped, "level 2: control at => --subpartition-by 'RANGE (at)'"));
  CHECK(contains(mapped, "level 2: partition_interval 'monthly' => --interval '1 month'"));
  CHECK(contains(mapped, "level 2: premake 1 => --premake 1"));
  // On the parent's own key partman covers each partition's whole range.
  CHECK(contains(mapped, "level 2: start (no such setting) => none: on the parent's own key each partition's "
                         "partitions cover its whole range"));
  CHECK(contains(mapped, "template_table partman.template_public_ev => --template-table "
                         "partman.template_public_ev"));
  CHECK(contains(mapped,
                 "level 2: template_table partman.template_public_ev => the parent's --template-table "
                 "partman.template_public_ev (partman's level 2 uses it"));
  CHECK(contains(settings(m.not_mapped), "level 2: infinite_time_partitions false"));
  CHECK(manage_command(sub) ==
        "manage public.ev --subpartition-by 'RANGE (at)' --interval '1 month' --premake 1 "
        "--timezone UTC --no-inherit-privileges --partition-names pg_partman:YYYY_MM");
  CHECK(contains(mapped, "level 2: partition names (part_config_sub has no datetime_string) => "
                         "--partition-names pg_partman:YYYY_MM"));

  // pg_partman gives its level-2 template's indexes to the partitions' own partitions, and none of the
  // parent's own template's: partman's template table, which goes to them, is the level-2 one.
  auto other = with_sub([](PgPartmanParent& sub) {
    sub.values["template_table"] = "partman.leaves";
    sub.template_table = "leaves";
  });
  const auto t = map_pg_partman(other, NamedZone("UTC"));
  CHECK(t.problem.empty());
  CHECK(t.policy.template_table == "leaves");
  REQUIRE(t.policy.sub);
  CHECK(t.policy.sub->template_table.empty());
  CHECK(contains(settings(t.not_mapped), "template_table partman.template_public_ev => pg_partman gives its "
                                         "indexes to no partition"));
  CHECK(!contains(settings(t.mapped), "template_table partman.template_public_ev"));
  CHECK(contains(manage_command(t.policy), "--template-table partman.leaves"));

  // Another key (an integer range) is planned from its largest value, as pg_partman does.
  const auto by_id = map_pg_partman(with_sub([](PgPartmanParent& sub) {
                                      sub.control_type = "bigint";
                                      sub.values["control"] = "id";
                                      sub.values["partition_interval"] = "1000";
                                      sub.interval.reset();
                                    }),
                                    NamedZone("UTC"));
  CHECK(by_id.problem.empty());
  REQUIRE(by_id.policy.sub);
  CHECK(by_id.policy.sub->shape == Shape::integer);
  CHECK(by_id.policy.sub->width == 1000);
  CHECK(by_id.policy.sub->partition_key == "id");
  CHECK(by_id.sub_intervals.empty());
  CHECK(contains(settings(by_id.mapped),
                 "level 2: start (no such setting) => none: existing partitions are kept"));
}

TEST_CASE("pg_partman map: a level-2 week is an ISO week when pg_partman was given 'weekly'")
{
  std::string given = "weekly";
  const auto weeks = [&given](PgPartmanParent& sub) {
    sub.values["partition_interval"] = given;
    sub.interval = PgInterval{0, 7, 0};
  };
  auto m = map_pg_partman(with_sub(weeks), NamedZone("UTC"));
  REQUIRE(m.policy.sub);
  CHECK(m.policy.sub->interval.text() == "1 week");
  CHECK(m.sub_intervals.size() == 1);

  // Seven days that pg_partman started elsewhere: ISO weeks first, then 7-day slots.
  given = "7 days";
  m = map_pg_partman(with_sub(weeks), NamedZone("UTC"));
  REQUIRE(m.sub_intervals.size() == 2);
  choose_interval(m, 1, 2);
  CHECK(m.policy.sub->interval.text() == "7 days");
  CHECK(m.policy.interval.text() == "1 year");
  CHECK(contains(settings(m.mapped), "level 2: partition_interval '7 days' => --interval '7 days'"));
  CHECK(contains(settings(m.mapped), "partition_interval '1 year' => --interval '1 year'"));
}

TEST_CASE("pg_partman map: the manage command quotes names for SQL and the shell")
{
  Policy p = make_policy("Sales", "Order Lines", "1 month", 2, "America/New_York");
  CHECK(manage_command(p) ==
        "manage '\"Sales\".\"Order Lines\"' --interval '1 month' --premake 2 --timezone America/New_York");
  p = make_policy("app", "it's", "1 day");
  CHECK(manage_command(p) == "manage 'app.\"it'\\''s\"' --interval '1 day' --premake 4 --timezone UTC");
}

TEST_CASE("adoption: partitions on the policy's slots are adopted, others behind now stay, ahead block")
{
  auto parent = make_parent("app", "ev");
  parent.children = {make_child("app", "ev_old", "2026-01-03 12:00+00", "2026-01-04 12:00+00"),
                     make_child("app", "ev_p2026_01_09", "2026-01-09 00:00+00", "2026-01-10 00:00+00"),
                     make_child("app", "ev_p2026_01_10", "2026-01-10 00:00+00", "2026-01-11 00:00+00"),
                     make_default("app", "ev_default")};
  const auto policy = make_policy("app", "ev", "1 day");
  const Micros now = at("2026-01-10 12:00");
  auto a = check_adoption(parent, policy, now);
  CHECK(a.partitions == 3);
  CHECK(a.aligned == 2);
  CHECK(a.has_default);
  REQUIRE(a.behind.size() == 1);
  CHECK(a.behind.front().name == "ev_old");
  CHECK(a.ahead.empty());

  // The same midnights seen from Berlin are off by an hour: every partition is off the slots.
  a = check_adoption(parent, make_policy("app", "ev", "1 day", 4, "Europe/Berlin"), now);
  CHECK(a.aligned == 0);
  CHECK(a.ahead.size() == 1); // the one that holds now
  CHECK(a.behind.size() == 2);

  // Weeks that start on Friday are not partman's ISO weeks, but they are 7-day slots counted from 1970
  // (a Thursday) only when they start on Thursday.
  parent.children = {make_child("app", "ev_w", "2026-01-09 00:00+00", "2026-01-16 00:00+00")};
  CHECK(check_adoption(parent, make_policy("app", "ev", "1 week"), now).ahead.size() == 1);
  CHECK(check_adoption(parent, make_policy("app", "ev", "7 days"), now).ahead.size() == 1);
  parent.children = {make_child("app", "ev_w", "2026-01-05 00:00+00", "2026-01-12 00:00+00")};
  CHECK(check_adoption(parent, make_policy("app", "ev", "1 week"), now).aligned == 1);
  parent.children = {make_child("app", "ev_w", "2026-01-08 00:00+00", "2026-01-15 00:00+00")};
  CHECK(check_adoption(parent, make_policy("app", "ev", "7 days"), now).aligned == 1);

  // A partition without an upper bound holds every later time.
  parent.children = {make_child("app", "ev_rest", "2026-01-09 00:00+00", "")};
  CHECK(check_adoption(parent, policy, now).ahead.size() == 1);
}

TEST_CASE("adoption: integer ranges are on multiples of the width, the largest value present is now")
{
  auto parent = make_parent("app", "ids", KeyType::bigint);
  const auto child = [](const char* name, Micros lo, Micros hi) {
    Child c;
    c.schema = "app";
    c.name = name;
    c.lower = lo;
    c.upper = hi;
    return c;
  };
  parent.children = {child("ids_old", 500, 1500), child("ids_p2", 2000, 3000), child("ids_p3", 3000, 4000),
                     child("ids_p4", 4500, 5500)};
  parent.key_max = 3500;
  Policy policy = make_policy("app", "ids", "1 day");
  policy.shape = Shape::integer;
  policy.width = 1000;
  auto a = check_adoption(parent, policy, 0);
  CHECK(a.partitions == 4);
  CHECK(a.aligned == 2);
  REQUIRE(a.behind.size() == 1);
  CHECK(a.behind.front().name == "ids_old");
  REQUIRE(a.ahead.size() == 1);
  CHECK(a.ahead.front().name == "ids_p4");

  parent.key_max.reset(); // no rows: every partition off the multiples is ahead
  a = check_adoption(parent, policy, 0);
  CHECK(a.ahead.size() == 2);
}

TEST_CASE("adoption: epoch keys are compared as the instants they hold")
{
  auto parent = make_parent("app", "ep", KeyType::bigint);
  const Micros day = 86400;
  Child c;
  c.schema = "app";
  c.name = "ep_today";
  c.lower = 20463 * day; // 2026-01-10 00:00 UTC in seconds
  c.upper = 20464 * day;
  parent.children = {c};
  Policy policy = make_policy("app", "ep", "1 day");
  policy.shape = Shape::epoch;
  policy.epoch_unit = EpochUnit::seconds;
  const Micros now = at("2026-01-10 12:00");
  CHECK(check_adoption(parent, policy, now).aligned == 1);
  policy.timezone = NamedZone("Europe/Berlin");
  CHECK(check_adoption(parent, policy, now).ahead.size() == 1);
  policy.timezone = NamedZone("UTC");
  policy.epoch_unit = EpochUnit::milliseconds; // the same numbers read as milliseconds: 1970
  CHECK(check_adoption(parent, policy, now).behind.size() == 1);
}

TEST_CASE("adoption: a partition planned over its whole range has only what retention removes behind")
{
  // A year of months on the same key (a level-2 policy): partman plans all of the year, whatever now is.
  auto year = make_parent("app", "ev_p2026");
  year.within = true;
  year.within_lower = key("2026-01-01 00:00+00");
  year.within_upper = key("2027-01-01 00:00+00");
  year.children = {make_child("app", "ev_odd", "2026-01-01 00:00+00", "2026-01-15 00:00+00"),
                   make_child("app", "ev_p2026_02", "2026-02-01 00:00+00", "2026-03-01 00:00+00")};
  auto policy = make_policy("app", "ev_p2026", "1 month");
  const Micros now = at("2026-11-25 10:00");
  auto a = check_adoption(year, policy, now);
  CHECK(a.aligned == 1);
  CHECK(a.behind.empty());
  REQUIRE(a.ahead.size() == 1);
  CHECK(a.ahead.front().name == "ev_odd");

  // What retention removes is not planned again.
  policy.retention = period("6 months");
  a = check_adoption(year, policy, now);
  CHECK(a.ahead.empty());
  REQUIRE(a.behind.size() == 1);
  CHECK(a.behind.front().name == "ev_odd");

  // Without `within` (another key) the partition is behind now, as at level 1.
  year.within = false;
  policy.retention.reset();
  CHECK(check_adoption(year, policy, now).behind.size() == 1);
}
