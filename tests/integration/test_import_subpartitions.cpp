// import-pg-partman of pg_partman's sub-partitioned parents: a level-2 policy that keeps their sets.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness.hpp"
#include "import_util.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TestDb;
using namespace partman::test::pgp;

namespace {

// Returns the sub-partition sets of public.sub, each as "name lower..upper: its partitions' bounds".
std::vector<std::string> years_of_months(TestDb& db)
{
  return db.column(
      "SELECT y.relname || ' ' || pg_get_expr(y.relpartbound, y.oid) || ': ' || coalesce((SELECT "
      "string_agg(pg_get_expr(m.relpartbound, m.oid), ', ' ORDER BY pg_get_expr(m.relpartbound, m.oid)) FROM "
      "pg_inherits mi JOIN pg_class m ON m.oid = mi.inhrelid WHERE mi.inhparent = y.oid AND "
      "pg_get_expr(m.relpartbound, m.oid) <> 'DEFAULT'), '') FROM pg_inherits yi JOIN pg_class y ON y.oid = "
      "yi.inhrelid WHERE yi.inhparent = 'public.sub'::regclass AND y.relkind = 'p' ORDER BY 1");
}

// Returns the lower bounds of the partitions of public.sub's sub-partition sets, as the server writes them.
std::vector<std::string> month_starts(TestDb& db)
{
  return db.column("SELECT (regexp_match(pg_get_expr(m.relpartbound, m.oid), 'FROM \\(''([^'']+)''\\)'))[1] "
                   "FROM pg_inherits yi JOIN pg_inherits mi ON mi.inhparent = yi.inhrelid JOIN pg_class m ON "
                   "m.oid = mi.inhrelid WHERE yi.inhparent = 'public.sub'::regclass AND NOT "
                   "m.relpartbound::text LIKE '%is_default true%' ORDER BY 1");
}

// Returns the sub-partition sets of public.sub whose partitions do not cover exactly their range, month by
// month, each with why.
std::vector<std::string> uncovered_years(TestDb& db)
{
  return db.column(R"sql(
    WITH b AS (
      SELECT y.relname AS year, (regexp_match(pg_get_expr(y.relpartbound, y.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)')) AS yb,
             (regexp_match(pg_get_expr(m.relpartbound, m.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)')) AS mb
        FROM pg_inherits yi JOIN pg_class y ON y.oid = yi.inhrelid
        JOIN pg_inherits mi ON mi.inhparent = y.oid JOIN pg_class m ON m.oid = mi.inhrelid
       WHERE yi.inhparent = 'public.sub'::regclass AND y.relkind = 'p' AND NOT m.relpartbound::text LIKE '%is_default true%'
    )
    SELECT year || ': ' || string_agg(mb[1] || '..' || mb[2], ', ' ORDER BY mb[1]) FROM b GROUP BY year, yb
    HAVING count(*) <> 12 OR min(mb[1]::timestamptz) <> yb[1]::timestamptz OR max(mb[2]::timestamptz) <> yb[2]::timestamptz
        OR bool_or(mb[2]::timestamptz <> mb[1]::timestamptz + interval '1 month')
    ORDER BY 1
  )sql");
}

} // namespace

TEST_CASE("import-pg-partman imports a sub-partitioned parent with a level-2 policy that keeps its sets")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE SCHEMA pgp; CREATE EXTENSION pg_partman SCHEMA pgp");
  pg_partman_years_of_months(db);
  const std::string config = pg_partman_config(db);
  const std::string before = tables(db);
  const auto months = month_starts(db);
  REQUIRE(years_of_months(db).size() == 3);
  const std::string year = db.scalar("SELECT extract(year from now())::int");

  // A dry run writes nothing.
  auto r = db.partman({"import-pg-partman", "--dry-run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  check_holds(r.out, {"public.sub: would be imported",
                      "public.sub_p" + year + ": would be kept by the level-2 policy of public.sub",
                      "1 to import, 3 sub-partition set(s) to be kept by level-2 policies"});
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");

  r = db.partman({"import-pg-partman", "public.sub"}); // its sets come with it
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  check_holds(
      r.out,
      {"\"pgp\".part_config: 4 parent(s)",
       "public.sub: imported",
       "partition_interval '1 year'",
       "-> --interval '1 year'",
       "level 2: control at",
       "-> --subpartition-by 'RANGE (at)'",
       "level 2: partition_interval 'monthly'",
       "-> --interval '1 month'",
       "level 2: premake 1",
       "level 2: template_table pgp.template_public_sub",
       "-> the parent's --template-table pgp.template_public_sub (partman's level 2 uses it",
       "level 2: start (no such setting)",
       "-> none: on the parent's own key each partition's partitions cover its whole range",
       "existing partitions: 3 and a default partition, all on partman's boundaries",
       "first apply: nothing to do; in its sub-partition sets: ",
       "equivalent: partman manage public.sub --interval '1 year' --premake 1 --timezone Etc/UTC "
       "--no-inherit-privileges --template-table pgp.template_public_sub --default-partition "
       "--partition-names pg_partman:YYYY\n"
       "              partman manage public.sub --subpartition-by 'RANGE (at)' --interval '1 month' "
       "--premake 1 --timezone Etc/UTC --no-inherit-privileges --default-partition --partition-names "
       "pg_partman:YYYY_MM\n",
       "level 2: datetime_string 'YYYY_MM' of its sub-partition sets (partition names)",
       "level 2: a default partition in every sub-partition set (\"public\".\"sub_p",
       "public.sub_p" + year + ": kept by the level-2 policy of public.sub",
       "1 imported, 3 sub-partition set(s) kept by level-2 policies, 0 already managed and left unchanged, 0 "
       "not imported",
       "UPDATE \"pgp\".part_config SET automatic_maintenance = 'off' WHERE parent_table IN ('public.sub', "
       "'public.sub_p"});
  CHECK(policy_rows(db) == "public|sub|1 year|1||detach||Etc/UTC||f|pgp.template_public_sub\n"
                           "public|sub|1 month|1||detach||Etc/UTC||f|.\n");
  CHECK(db.column(
            "SELECT format('%s %s %s', level, partition_key, shape) FROM partman.policy ORDER BY level") ==
        std::vector<std::string>{"1  time", "2 at time"});
  CHECK(pg_partman_config(db) == config);
  CHECK(tables(db) == before);

  // The plan makes no year, and no month that exists: only the months pg_partman's premake did not reach,
  // inside the years that exist (partman's months cover each year).
  const auto plan = db.partman({"plan", "--format", "json"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  const auto doc = nlohmann::json::parse(plan.out);
  std::size_t creates = 0;
  for (const auto& parent : doc.at("parents")) {
    const std::string table = parent.at("table").get<std::string>();
    INFO(table);
    if (table == "sub")
      CHECK(parent.at("actions").empty());
    for (const auto& a : parent.at("actions")) {
      CHECK(a.at("action") == "create");
      std::string from = a.at("bounds").at("from").get<std::string>();
      REQUIRE(from.size() > 22);
      CHECK(from[10] == 'T'); // RFC 3339; the server writes a space there
      from[10] = ' ';
      CHECK(table == "sub_p" + from.substr(0, 4));                                        // inside its year
      CHECK(std::find(months.begin(), months.end(), from.substr(0, 22)) == months.end()); // no month twice
      ++creates;
    }
  }
  CHECK(creates == 36 - months.size()); // three years of months
  CHECK(!uncovered_years(db).empty());

  // Applying keeps every table pg_partman made, as it was, and fills the years.
  REQUIRE(db.partman({"apply"}).exit_code == 0);
  const std::string after = tables(db);
  std::istringstream lines(before);
  for (std::string line; std::getline(lines, line);)
    CHECK(contains(after, line + "\n"));
  CHECK(uncovered_years(db).empty());
  r = db.partman({"plan", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  CHECK(partman::test::action_count(r.out) == 0);
  r = db.partman({"apply"});
  CHECK(r.exit_code == 0);
  CHECK(tables(db) == after);

  // A year on, premake makes the year after, partitioned with its twelve months and a default partition,
  // named as pg_partman names them.
  const std::string later = db.scalar("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '1 year', "
                                      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
  const std::string next = std::to_string(std::stoi(year) + 2);
  r = db.partman({"plan", "public.sub", "--at", later, "--format", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto ahead = nlohmann::json::parse(r.out);
  const auto& actions = ahead.at("parents").at(0).at("actions");
  REQUIRE(actions.size() == 1);
  CHECK(actions.at(0).at("bounds").at("from") == next + "-01-01T00:00:00+00:00");
  CHECK(actions.at(0).at("sub_partitions").size() == 13);
  REQUIRE(db.partman({"apply", "--at", later}).exit_code == 0);
  CHECK(years_of_months(db).size() == 4);
  CHECK(uncovered_years(db).empty());
  std::vector<std::string> names;
  for (int month = 1; month <= 12; ++month)
    names.push_back("sub_p" + next + "_p" + next + (month < 10 ? "_0" : "_") + std::to_string(month));
  names.push_back("sub_p" + next + "_default");
  std::sort(names.begin(), names.end());
  CHECK(db.column("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE "
                  "i.inhparent = 'public.sub_p" +
                  next + "'::regclass ORDER BY c.relname COLLATE \"C\"") == names);
}

TEST_CASE("import-pg-partman refuses a sub-partitioned parent whose set does not line up, naming it")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  pg_partman_parents(db);
  pg_partman_years_of_months(db);
  // Half a February made by hand in last year's set, where pg_partman made January only.
  const std::string last = db.scalar("SELECT (extract(year from now()) - 1)::int");
  db.exec("CREATE TABLE public.sub_odd PARTITION OF public.sub_p" + last + " FOR VALUES FROM ('" + last +
          "-02-01 00:00+00') TO ('" + last + "-02-15 00:00+00')");
  const std::string config = pg_partman_config(db);
  const std::string before = tables(db);

  const auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  check_holds(r.out, {"public.sub: not imported: sub-partition set \"public\".\"sub_p" + last +
                          "\": existing partitions do not line up with partman's '1 month' boundaries in "
                          "Etc/UTC: \"public\".\"sub_odd\" [" +
                          last + "-02-01 00:00:00+00:00, " + last +
                          "-02-15 00:00:00+00:00); partman would leave gaps beside them",
                      "public.sub_p" + last +
                          ": not imported: a sub-partition set of public.sub, which is not "
                          "imported",
                      "2 imported, 0 already managed and left unchanged, 4 not imported",
                      "WHERE parent_table IN ('public.ev', 'public.mo');"});
  CHECK(db.column("SELECT parent_table || ' ' || level FROM partman.policy ORDER BY 1") ==
        std::vector<std::string>{"ev 1", "mo 1"});
  CHECK(pg_partman_config(db) == config);
  CHECK(tables(db) == before);
}
