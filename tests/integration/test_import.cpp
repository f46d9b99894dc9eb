// import-pg-partman against a real pg_partman (Debian's postgresql-15-partman, 4.7): what maps, what is
// written, what is left alone, and that pg_partman's configuration and the tables never change.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "import_util.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TestDb;
using namespace partman::test::pgp;

TEST_CASE("import-pg-partman --dry-run prints what maps and what does not, and writes nothing")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  pg_partman_parents(db);
  const std::string config = pg_partman_config(db);
  const std::string before = partman::test::fingerprint(db);

  const auto r = db.partman({"import-pg-partman", "--dry-run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  check_holds(
      r.out,
      {"pg_partman 4.7",
       "\"pgp\".part_config: 2 parent(s); dry run: nothing is written",
       "public.ev: would be imported",
       "public.mo: would be imported",
       "partition_interval '1 day'",
       "-> --interval '1 day'",
       "partition_interval '1 mon'",
       "-> --interval '1 month'",
       "-> --premake 3",
       "retention '30 days', retention_keep_table false",
       "-> --retention '30 days' --retention-action drop",
       "-> --retention none",
       "epoch none",
       "--timezone Etc/UTC (the database's TimeZone)",
       "time zone: Etc/UTC (the database's current TimeZone)",
       "start (no such setting)",
       "maps:       datetime_string 'YYYY_MM_DD' (partition names)",
       "-> --partition-names pg_partman:YYYY_MM_DD (new partitions named as pg_partman names them",
       "maps:       default partition \"public\".\"ev_default\"",
       "-> --default-partition (kept where it is, with its rows; partman makes no other)",
       "template_table pgp.template_public_ev",
       "-> --template-table pgp.template_public_ev (new partitions get its unique indexes",
       "inherit_privileges false",
       "-> --no-inherit-privileges (new partitions get no grants",
       "not mapped: infinite_time_partitions false",
       "existing partitions: 7 and a default partition, all on partman's boundaries",
       "first apply: nothing to do",
       "equivalent: partman manage public.ev --interval '1 day' --premake 3 --retention '30 days' "
       "--retention-action drop --timezone Etc/UTC --no-inherit-privileges --template-table "
       "pgp.template_public_ev --default-partition --partition-names pg_partman:YYYY_MM_DD\n",
       "2 to import, 0 already managed and left unchanged, 0 not imported",
       "UPDATE \"pgp\".part_config SET automatic_maintenance = 'off' WHERE parent_table IN ('public.ev', "
       "'public.mo');"});

  CHECK(partman::test::fingerprint(db) == before);
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
  CHECK(pg_partman_config(db) == config);
}

TEST_CASE("import-pg-partman creates equivalent policies that adopt pg_partman's partitions")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  pg_partman_parents(db);
  const std::string config = pg_partman_config(db);
  const std::string before = tables(db);
  const std::string ev_partitions = partman::test::partitions_of(db, "public.ev");
  REQUIRE(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.ev'::regclass") == "8");

  const auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  check_holds(r.out, {"public.ev: imported", "public.mo: imported",
                      "2 imported, 0 already managed and left unchanged, 0 not imported"});
  CHECK(policy_rows(db) == "public|ev|1 day|3|30 days|drop||Etc/UTC||f|pgp.template_public_ev\n"
                           "public|mo|1 month|4||detach||Etc/UTC||f|pgp.template_public_mo\n");
  // Neither pg_partman's configuration nor any table changed.
  CHECK(pg_partman_config(db) == config);
  CHECK(tables(db) == before);

  // pg_partman's partitions are adopted: the plan creates nothing again and removes nothing.
  const auto plan = db.partman({"plan", "--format", "json"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(partman::test::action_count(plan.out) == 0);
  const auto text = db.partman({"plan", "public.ev", "public.mo"});
  CHECK(contains(text.out, "\"public\".\"ev\" (1 day, premake 3, retention 30 days (drop), Etc/UTC, default "
                           "partition, template \"pgp\".\"template_public_ev\", privileges not inherited, "
                           "pg_partman's names (YYYY_MM_DD))\n  nothing to do"));
  CHECK(contains(text.out, "\"public\".\"mo\" (1 month, premake 4, Etc/UTC, default partition, template "
                           "\"pgp\".\"template_public_mo\", privileges not inherited, pg_partman's names "
                           "(YYYY_MM))\n  nothing to do"));

  // Three days on, partman continues exactly where pg_partman's premake stopped, with pg_partman's names.
  const std::string last_upper = db.scalar(
      "SELECT max(to_char((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]"
      "::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')) FROM pg_inherits i JOIN pg_class c ON "
      "c.oid = i.inhrelid WHERE i.inhparent = 'public.ev'::regclass AND NOT c.relpartbound::text LIKE "
      "'%is_default true%'");
  const std::string later = db.scalar("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '3 days', "
                                      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
  const auto ahead = db.partman({"plan", "public.ev", "--format", "json", "--at", later});
  INFO(ahead.out << ahead.err);
  REQUIRE(ahead.exit_code == 0);
  const auto doc = nlohmann::json::parse(ahead.out);
  const auto& actions = doc.at("parents").at(0).at("actions");
  REQUIRE(actions.size() == 3);
  CHECK(actions.at(0).at("action") == "create");
  CHECK(actions.at(0).at("bounds").at("from") == last_upper + "+00:00");
  std::string day = last_upper.substr(0, 10);
  std::replace(day.begin(), day.end(), '-', '_');
  CHECK(actions.at(0).at("name") == "ev_p" + day);

  // Applying now changes nothing either.
  CHECK(db.partman({"apply"}).exit_code == 0);
  CHECK(partman::test::partitions_of(db, "public.ev") == ev_partitions);
}

TEST_CASE("import-pg-partman reports what cannot be mapped, imports the rest, and exits 3")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  pg_partman_parents(db);
  pg_partman_years_of_months(db);
  db.exec(R"sql(
    CREATE TABLE public.trig (id bigint, at timestamptz NOT NULL);
    SELECT pgp.create_parent('public.trig', 'at', 'partman', 'daily');
    -- Seven-day partitions that start on a Wednesday: neither partman's ISO weeks (Monday) nor its 7-day
    -- slots (counted from 1970-01-01, a Thursday).
    CREATE TABLE public.w7 (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
    SELECT pgp.create_parent('public.w7', 'at', 'native', '7 days',
                             p_start_partition := (date_trunc('week', now()) + interval '2 days')::date::text);
    UPDATE pgp.part_config SET automatic_maintenance = 'off', inherit_privileges = true
     WHERE parent_table = 'public.mo';
  )sql");
  const std::string config = pg_partman_config(db);
  const std::string before = tables(db);

  const auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  // The sub-partitioned parent is imported with its level-2 policy, which keeps its sub-partition sets.
  CHECK(contains(r.out, "public.sub: imported"));
  std::size_t sets = 0;
  for (auto at = r.out.find(": kept by the level-2 policy of public.sub"); at != std::string::npos;
       at = r.out.find(": kept by the level-2 policy of public.sub", at + 1))
    ++sets;
  CHECK(sets == 3); // public.sub_p<last year>, <this year> and <next year>
  const std::string year = db.scalar("SELECT extract(year from now())::int");
  const std::string sets_list = "'public.sub_p" + std::to_string(std::stoi(year) - 1) + "', 'public.sub_p" +
                                year + "', 'public.sub_p" + std::to_string(std::stoi(year) + 1) + "'";
  check_holds(r.out,
              {"public.trig: not imported: trigger-based (non-native) partitioning",
               "public.w7: not imported: existing partitions do not line up with partman's '1 week' "
               "boundaries in Etc/UTC",
               "partman would leave gaps beside them", "public.mo: imported",
               "not mapped: automatic_maintenance off", "inherit_privileges true",
               "-> --inherit-privileges (new partitions get the parent's owner and grants)",
               "3 imported, 3 sub-partition set(s) kept by level-2 policies, 0 already managed and left "
               "unchanged, 2 not imported",
               "WHERE parent_table IN ('public.ev', 'public.mo', 'public.sub', " + sets_list + ");"});
  CHECK(db.column("SELECT parent_table || ' ' || level FROM partman.policy ORDER BY 1") ==
        std::vector<std::string>{"ev 1", "mo 1", "sub 1", "sub 2"});
  CHECK(pg_partman_config(db) == config);
  CHECK(tables(db) == before);
}

TEST_CASE("import-pg-partman maps integer ranges and epoch keys")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec(R"sql(
    CREATE SCHEMA pgp; CREATE EXTENSION pg_partman SCHEMA pgp;
    CREATE TABLE public.ids (id bigint NOT NULL, note text) PARTITION BY RANGE (id);
    SELECT pgp.create_parent('public.ids', 'id', 'native', '1000');
    UPDATE pgp.part_config SET retention = '3000', retention_keep_table = false WHERE parent_table = 'public.ids';
    INSERT INTO public.ids (id) VALUES (1), (2500);
    CREATE TABLE public.ep (id bigint, ts bigint NOT NULL) PARTITION BY RANGE (ts);
    SELECT pgp.create_parent('public.ep', 'ts', 'native', 'daily', p_epoch := 'seconds');
  )sql");
  REQUIRE(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.ids'::regclass") == "6");
  const std::string before = tables(db);

  const auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  check_holds(r.out,
              {"public.ids: imported", "partition_interval '1000'", "-> --interval 1000",
               "retention '3000', retention_keep_table false", "-> --retention 3000 --retention-action drop",
               "epoch none", "existing partitions: 5 and a default partition, all on partman's boundaries",
               "equivalent: partman manage public.ids --interval 1000 --premake 4 --retention 3000 "
               "--retention-action drop",
               "public.ep: imported", "epoch 'seconds'", "-> --epoch seconds",
               "equivalent: partman manage public.ep --epoch seconds --interval '1 day' --premake 4 "
               "--timezone Etc/UTC",
               "2 imported, 0 already managed and left unchanged, 0 not imported"});
  CHECK(db.column("SELECT format('%s|%s|%s|%s|%s|%s', parent_table, shape, partition_interval, retention, "
                  "retention_action, epoch_unit) FROM partman.policy ORDER BY 1") ==
        std::vector<std::string>{"ep|epoch|1 day||detach|seconds", "ids|integer|1000|3000|drop|"});
  CHECK(tables(db) == before);

  // pg_partman's partitions are adopted; premake counts from the largest id, 2500, as pg_partman's does:
  // slots 3 to 6 are needed, [3000, 5000) exist, so partman creates [5000, 6000) and [6000, 7000) only.
  const auto plan = db.partman({"plan", "--format", "json"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  const auto doc = nlohmann::json::parse(plan.out);
  std::vector<std::string> creates;
  for (const auto& parent : doc.at("parents")) {
    for (const auto& a : parent.at("actions"))
      creates.push_back(a.at("action").get<std::string>() + " " + parent.at("table").get<std::string>() +
                        " " + a.at("bounds").at("from").get<std::string>() + ".." +
                        a.at("bounds").at("to").get<std::string>());
  }
  CHECK(creates == std::vector<std::string>{"create ids 5000..6000", "create ids 6000..7000"});
}

TEST_CASE("import-pg-partman leaves a parent partman manages alone unless --replace is given")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  pg_partman_parents(db);
  REQUIRE(db.partman({"manage", "public.ev", "--interval", "daily", "--premake", "9"}).exit_code == 0);
  const std::string ev_policy = policy_rows(db);

  auto r = db.partman({"import-pg-partman", "public.ev"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  check_holds(r.out,
              {"\"pgp\".part_config: 1 parent(s)",
               "public.ev: already managed by partman: left unchanged (--replace overwrites its policy)",
               "0 imported, 1 already managed and left unchanged, 0 not imported"});
  CHECK(!contains(r.out, "UPDATE"));
  CHECK(policy_rows(db) == ev_policy);

  r = db.partman({"import-pg-partman", "--replace", "--dry-run"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "public.ev: would replace partman's policy"));
  CHECK(policy_rows(db) == ev_policy);

  // partman's level-2 policy, which pg_partman's configuration does not have, goes with the policy replaced.
  REQUIRE(db.partman({"manage", "public.ev", "--subpartition-by", "RANGE (at)", "--interval", "hourly"})
              .exit_code == 0);
  REQUIRE(db.scalar("SELECT count(*) FROM partman.policy WHERE parent_table = 'ev'") == "2");
  r = db.partman({"import-pg-partman", "--replace"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "public.ev: replaced partman's policy"));
  CHECK(contains(r.out, "2 imported (1 replacing partman's policy)"));
  CHECK(
      db.column("SELECT level || ' ' || premake || ' ' || retention FROM partman.policy WHERE parent_table = "
                "'ev'") == std::vector<std::string>{"1 3 30 days"});

  // A PARENT that pg_partman does not manage is a usage error.
  db.exec("CREATE TABLE public.other (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  r = db.partman({"import-pg-partman", "public.other"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "\"public\".\"other\" is not in pg_partman's \"pgp\".part_config"));
}

TEST_CASE("import-pg-partman writes every policy in one transaction, or none")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  pg_partman_parents(db);
  db.exec(R"sql(
    CREATE FUNCTION public.refuse_mo() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.parent_table = 'mo' THEN RAISE EXCEPTION 'no monthly policies here'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_mo BEFORE INSERT ON partman.policy FOR EACH ROW EXECUTE FUNCTION public.refuse_mo();
  )sql");
  const auto r = db.partman({"import-pg-partman"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "no monthly policies here"));
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
}

TEST_CASE("import-pg-partman follows the database's TimeZone, as pg_partman's boundaries do")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("ALTER DATABASE " + db.conn().quote_name(db.name()) + " SET timezone = 'Europe/Berlin'");
  // pg_partman's session here still runs in the server's zone (UTC) for public.utc, in Berlin for ev.
  db.exec("CREATE SCHEMA pgp; CREATE EXTENSION pg_partman SCHEMA pgp;"
          "CREATE TABLE public.ev (at timestamptz NOT NULL) PARTITION BY RANGE (at);"
          "CREATE TABLE public.utc (at timestamptz NOT NULL) PARTITION BY RANGE (at);"
          "SET timezone = 'UTC'; SELECT pgp.create_parent('public.utc', 'at', 'native', 'daily');"
          "SET timezone = 'Europe/Berlin'; SELECT pgp.create_parent('public.ev', 'at', 'native', 'daily')");
  const auto r = db.partman({"import-pg-partman"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  check_holds(r.out, {"time zone: Europe/Berlin (the database's current TimeZone)", "public.ev: imported",
                      "--timezone Europe/Berlin",
                      "public.utc: not imported: existing partitions do not line up with partman's '1 day' "
                      "boundaries in Europe/Berlin"});
  CHECK(policy_rows(db) == "public|ev|1 day|4||detach||Europe/Berlin||f|pgp.template_public_ev\n");
  const auto plan = db.partman({"plan", "--format", "json"});
  CHECK(plan.exit_code == 0);
  CHECK(partman::test::action_count(plan.out) == 0);
}

TEST_CASE("import-pg-partman: pg_partman missing, part_config elsewhere, and a schema shared with pg_partman")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  auto r = db.partman({"import-pg-partman"});
  CHECK(r.exit_code == 2);
  check_holds(r.err, {"pg_partman is not installed in database", "HINT", "--from-schema"});

  // pg_partman in its usual schema "partman", which is also partman's default: partman goes elsewhere.
  pg_partman_parents(db, "partman_ext");
  r = db.partman({"import-pg-partman", "--from-schema", "nosuch"});
  CHECK(r.exit_code == 2);
  CHECK(contains(
      r.err, "schema 'nosuch' has no table part_config; pg_partman is installed in schema 'partman_ext'"));
  r = db.partman({"import-pg-partman", "--from-schema", "partman_ext", "--dry-run"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "public.ev: would be imported"));

  TestDb shared;
  pg_partman_parents(shared, "partman");
  r = shared.partman({"import-pg-partman"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "partman's schema 'partman' is where pg_partman keeps its configuration"));
  CHECK(contains(r.err, "--schema partman_policy install"));
  REQUIRE(shared.partman({"--schema", "partman_policy", "install"}).exit_code == 0);
  r = shared.partman({"--schema", "partman_policy", "import-pg-partman"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "equivalent: partman --schema partman_policy manage public.ev"));
  CHECK(contains(r.out, "UPDATE \"partman\".part_config SET automatic_maintenance = 'off'"));
  CHECK(policy_rows(shared, "partman_policy") ==
        "public|ev|1 day|3|30 days|drop||Etc/UTC||f|partman.template_public_ev\n"
        "public|mo|1 month|4||detach||Etc/UTC||f|partman.template_public_mo\n");
  const auto plan = shared.partman({"--schema", "partman_policy", "plan", "--format", "json"});
  CHECK(plan.exit_code == 0);
  CHECK(partman::test::action_count(plan.out) == 0);

  // Unreachable server: exit 4.
  r = db.partman({"import-pg-partman", "-d", "host=127.0.0.1 port=1 connect_timeout=2"});
  CHECK(r.exit_code == 4);
}
