// import-pg-partman keeps pg_partman's partition names and its default partition, against a real pg_partman
// 4.7 (Debian's postgresql-15-partman): the partitions partman makes afterwards carry the names pg_partman's
// own show_partition_name() gives them, and no row is lost or doubled on the way.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TestDb;

namespace {

// Installs partman and pg_partman (schema pgp), and creates `parent` (schema.table) on a timestamptz key
// through create_parent: daily, premake 3, with its default partition.
void daily_pg_partman_parent(TestDb& db, const std::string& parent)
{
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE SCHEMA IF NOT EXISTS pgp; CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA pgp;"
          "CREATE TABLE " +
          parent + " (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at); SELECT " +
          "pgp.create_parent(" + db.conn().quote(parent) + ", 'at', 'native', 'daily', p_premake := 3)");
}

// Returns the partitions of `parent` (a regclass literal; not the default) whose names are not the ones
// pg_partman's show_partition_name() gives their lower bounds, each as "name /= pg_partman's name".
std::vector<std::string> names_unlike_pg_partman(TestDb& db, const std::string& parent)
{
  return db.column(
      "SELECT c.relname || ' /= ' || s.partition_table FROM pg_inherits i JOIN pg_class c ON "
      "c.oid = i.inhrelid CROSS JOIN LATERAL pgp.show_partition_name(" +
      db.conn().quote(parent) +
      ", (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''?([^'')]+)''?\\)'))[1]) s "
      "WHERE i.inhparent = " +
      db.conn().quote(parent) +
      "::regclass AND NOT c.relpartbound::text LIKE '%is_default true%' AND s.partition_table <> "
      "c.relname ORDER BY 1");
}

// Returns how many partitions `parent` has besides its default partition.
int ranged_partitions(TestDb& db, const std::string& parent)
{
  return std::stoi(db.scalar("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE "
                             "i.inhparent = " +
                             db.conn().quote(parent) +
                             "::regclass AND NOT c.relpartbound::text LIKE '%is_default true%'"));
}

// Returns how many rows `parent` holds, the sum of their ids and how many distinct ids, to prove that none
// was lost or doubled.
std::string rows_of(TestDb& db, const std::string& parent)
{
  return db.scalar(
      "SELECT count(*) || ' rows, ids ' || sum(id) || ', distinct ' || count(DISTINCT id) FROM " + parent);
}

// Returns the names of the partitions that `partman plan --at at` would create, in bound order.
std::vector<std::string> planned_names(TestDb& db, const std::string& at)
{
  const auto r = db.partman({"plan", "--at", at, "--format", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  std::vector<std::string> names;
  for (const auto& parent : doc.at("parents")) {
    for (const auto& a : parent.at("actions"))
      names.push_back(a.at("name").get<std::string>());
  }
  return names;
}

// Returns an instant `days` from now, for --at.
std::string days_from_now(TestDb& db, int days)
{
  return db.scalar("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '" + std::to_string(days) +
                   " days', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
}

} // namespace

TEST_CASE("import-pg-partman keeps pg_partman's names and default partition, and apply goes on with them")
{
  TestDb db;
  daily_pg_partman_parent(db, "public.events");
  const std::string default_oid = db.scalar("SELECT 'public.events_default'::regclass::oid");
  // Rows in pg_partman's partitions (today - 3 to today + 3), and rows of the next two days, which went to
  // its default partition.
  db.exec("INSERT INTO public.events SELECT g, now() + (g - 24) * interval '3 hours' FROM generate_series(1, "
          "60) g");
  const std::string rows = rows_of(db, "public.events");
  const std::string in_default = db.scalar("SELECT count(*) FROM ONLY public.events_default");
  REQUIRE(std::stoi(in_default) > 0);
  const int before = ranged_partitions(db, "public.events");

  auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  for (const std::string part :
       {"datetime_string 'YYYY_MM_DD' (partition names)",
        "-> --partition-names pg_partman:YYYY_MM_DD (new partitions named as pg_partman names them, such as "
        "events_p2026_12_13)",
        "default partition \"public\".\"events_default\"",
        "-> --default-partition (kept where it is, with its rows; partman makes no other)",
        "--template-table pgp.template_public_events --default-partition --partition-names "
        "pg_partman:YYYY_MM_DD"}) {
    INFO(part);
    CHECK(contains(r.out, part));
  }
  CHECK(db.scalar("SELECT format('%s %s %s', partition_names, name_format, default_partition) FROM "
                  "partman.policy") == "pg_partman YYYY_MM_DD t");
  // Nothing to do now; status and plan show the names.
  r = db.partman({"plan", "public.events"});
  CHECK(contains(r.out, "default partition, template \"pgp\".\"template_public_events\", privileges not "
                        "inherited, pg_partman's names (YYYY_MM_DD))\n  nothing to do"));
  r = db.partman({"status", "--format", "json", "--summary"});
  REQUIRE(r.exit_code == 0);
  const auto policy = nlohmann::json::parse(r.out).at("parents").at(0).at("policy");
  CHECK(policy.at("partition_names") == "pg_partman");
  CHECK(policy.at("name_format") == "YYYY_MM_DD");

  // Four days on: partman makes the next partitions (today + 4 to today + 7) with pg_partman's names, moves
  // the rows that belong to them out of the default partition, and keeps that default partition (no second
  // one beside it).
  r = db.partman({"apply", "--at", days_from_now(db, 4)});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ranged_partitions(db, "public.events") == before + 4);
  CHECK(names_unlike_pg_partman(db, "public.events").empty());
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname ~ '^events_p[0-9]{8}$'") == "0");
  CHECK(db.scalar("SELECT string_agg(c.oid::text, ',') FROM pg_inherits i JOIN pg_class c ON c.oid = "
                  "i.inhrelid WHERE i.inhparent = 'public.events'::regclass AND c.relpartbound::text LIKE "
                  "'%is_default true%'") == default_oid);
  CHECK(db.scalar("SELECT count(*) FROM ONLY public.events_default") == "0");
  CHECK(rows_of(db, "public.events") == rows);
  r = db.partman({"plan", "--at", days_from_now(db, 4), "--format", "json"});
  CHECK(partman::test::action_count(r.out) == 0);
}

TEST_CASE("import-pg-partman keeps pg_partman's names of integer ranges and of a long parent name")
{
  TestDb db;
  const std::string long_name = "public." + std::string(60, 'l');
  daily_pg_partman_parent(db, long_name);
  db.exec(R"sql(
    CREATE TABLE public.ids (id bigint NOT NULL) PARTITION BY RANGE (id);
    SELECT pgp.create_parent('public.ids', 'id', 'native', '1000');
    INSERT INTO public.ids SELECT g FROM generate_series(1, 2500) g;
  )sql");
  auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "partition names (ids_p<lower bound>)"));
  CHECK(contains(r.out, "-> --partition-names pg_partman (new partitions named as pg_partman names them, by "
                        "their lower bound, such as ids_p1000)"));
  const int ids = ranged_partitions(db, "public.ids");
  const int longs = ranged_partitions(db, long_name);

  // The ids reach 4500, so premake wants up to 8000; and days pass for the long parent.
  db.exec("INSERT INTO public.ids SELECT g FROM generate_series(2501, 4500) g");
  r = db.partman({"apply", "--at", days_from_now(db, 3)});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ranged_partitions(db, "public.ids") == ids + 4);
  CHECK(db.scalar("SELECT to_regclass('public.ids_p8000') IS NOT NULL") == "t");
  CHECK(names_unlike_pg_partman(db, "public.ids").empty());
  CHECK(ranged_partitions(db, long_name) == longs + 3);
  CHECK(names_unlike_pg_partman(db, long_name).empty());
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE '" + std::string(51, 'l') + "\\_p%'") ==
        std::to_string(longs + 3));
  CHECK(db.scalar("SELECT count(*) FROM ONLY public.ids_default") == "0");
}

TEST_CASE("import-pg-partman --partman-names names new partitions partman's way, and manage switches back")
{
  TestDb db;
  daily_pg_partman_parent(db, "public.events");
  auto r = db.partman({"import-pg-partman", "--partman-names"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "not mapped: datetime_string 'YYYY_MM_DD' (partition names): --partman-names: "
                        "partman names new partitions its own way"));
  CHECK(db.scalar("SELECT partition_names || ' ' || coalesce(name_format, '-') FROM partman.policy") ==
        "partman -");
  // Four days on, partman makes today + 4 to today + 7 with its own names.
  const std::string later = days_from_now(db, 4);
  const auto names = [&db](const char* format) {
    return db.column("SELECT to_char(now() AT TIME ZONE 'UTC' + d * interval '1 day', '" +
                     std::string(format) + "') FROM generate_series(4, 7) d ORDER BY d");
  };
  CHECK(planned_names(db, later) == names("\"events_p\"YYYYMMDD"));

  // Bad names change nothing and say why.
  const std::string policy = db.scalar("SELECT p::text FROM partman.policy p");
  for (const auto& [names, why] : std::vector<std::pair<std::string, std::string>>{
           {"pg_partman:YYYY_Mon", "name format 'YYYY_Mon': 'M' is not a pattern"},
           {"pg_partman:YYYY_MM", "name format 'YYYY_MM' tells apart months, so partitions of '1 day' would "
                                  "share names"},
           {"partmann", "invalid partition names 'partmann'"}}) {
    r = db.partman({"manage", "public.events", "--partition-names", names});
    INFO(names << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, why));
  }
  CHECK(db.scalar("SELECT p::text FROM partman.policy p") == policy);

  r = db.partman({"manage", "public.events", "--partition-names", "pg_partman"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "pg_partman's partition names (YYYY_MM_DD)"));
  CHECK(planned_names(db, later) == names("\"events_p\"YYYY_MM_DD"));
}
