// pg_partman's integer, epoch and sub-partitioned parents mapped onto partman policies, and those not mapped.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>

#include "partman/core/pg_partman_map.hpp"
#include "pg_partman_fixtures.hpp"

using namespace partman::core;
using namespace partman::test;

namespace {

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

} // namespace

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
