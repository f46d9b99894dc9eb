// The commands end to end: install, manage/unmanage validation, exit codes and awkward names.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "partman/db/installer.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TestDb;

namespace {

const char* const k_at = "2026-01-10 12:00";

std::string policy_rows(TestDb& db, const std::string& schema = "partman")
{
  return partman::test::join_lines(
      db.column("SELECT p::text FROM " + db.conn().quote_name(schema) + ".policy p ORDER BY 1"));
}

} // namespace

TEST_CASE("install creates the schema and a second install is harmless")
{
  TestDb db;
  const auto first = db.partman({"install"});
  REQUIRE(first.exit_code == 0);
  const std::string version = std::to_string(partman::db::latest_schema_version());
  CHECK(contains(first.out, "installed partman schema 'partman' at version " + version));
  CHECK(db.scalar("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = "
                  "'partman'") == "archive,history,meta,policy,run_state");
  CHECK(db.scalar("SELECT value FROM partman.meta WHERE key = 'schema_version'") == version);

  db.exec("INSERT INTO partman.history (run_id, parent_schema, parent_table, action, sql, outcome) VALUES "
          "(gen_random_uuid(), 'a', 'b', 'create', 'x', 'ok')");
  const auto second = db.partman({"install"});
  CHECK(second.exit_code == 0);
  CHECK(contains(second.out, "already at version " + version));
  CHECK(db.scalar("SELECT count(*) FROM partman.history") == "1");
}

TEST_CASE("install refuses a schema that holds pg_partman, and --schema or PARTMAN_SCHEMA picks another")
{
  TestDb db;
  db.exec("CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman");
  const auto refused = db.partman({"install"});
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, "pg_partman"));
  CHECK(contains(refused.err, "HINT"));
  CHECK(contains(refused.err, "--schema"));
  CHECK(db.scalar("SELECT to_regclass('partman.meta') IS NULL") == "t");

  const auto installed = db.partman({"--schema", "partman_policy", "install"});
  REQUIRE(installed.exit_code == 0);
  CHECK(contains(installed.out, "'partman_policy'"));
  CHECK(db.scalar("SELECT to_regclass('partman_policy.policy') IS NOT NULL") == "t");

  db.exec("CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);"
          "CREATE TABLE ev2 (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  const std::map<std::string, std::string> env{{"PARTMAN_SCHEMA", "partman_policy"}};

  // Without the option, every command looks in schema "partman", which is pg_partman's: a usage error.
  const auto wrong = db.partman({"plan", "--at", k_at});
  CHECK(wrong.exit_code == 2);
  CHECK(contains(wrong.err, "partman install"));

  // The option works before and after the subcommand, and the environment variable as well.
  CHECK(db.partman({"--schema", "partman_policy", "manage", "ev", "--interval", "daily", "--premake", "2"})
            .exit_code == 0);
  CHECK(db.partman({"manage", "ev2", "--interval", "daily", "--premake", "1"}, env).exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM partman_policy.policy") == "2");
  CHECK(db.partman({"install"}, env).exit_code == 0);

  const auto plan = db.partman({"plan", "--at", k_at, "--schema", "partman_policy"});
  CHECK(plan.exit_code == 0);
  CHECK(contains(plan.out, "5 to create"));
  CHECK(db.partman({"plan", "--at", k_at, "-f", "json"}, env).exit_code == 0);
  const auto apply = db.partman({"apply", "--at", k_at}, env);
  CHECK(apply.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "5");
  CHECK(db.scalar("SELECT count(*) FROM partman_policy.history WHERE outcome = 'ok'") == "5");
  const auto status = db.partman({"status", "--at", k_at}, env);
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "ev_p20260110"));
  CHECK(db.partman({"unmanage", "ev2"}, env).exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM partman_policy.policy") == "1");

  // pg_partman's own schema is untouched.
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relnamespace = 'partman'::regnamespace AND relname IN "
                  "('meta', 'policy', 'history')") == "0");
}

TEST_CASE("manage rejects invalid parents and options with exit 2 and writes nothing")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec(R"sql(
    CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE plain (id int, at timestamptz);
    CREATE TABLE listed (id int, region text NOT NULL) PARTITION BY LIST (region);
    CREATE TABLE numbered (id bigint NOT NULL) PARTITION BY RANGE (id);
    CREATE TABLE twokeys (at timestamptz NOT NULL, id int NOT NULL) PARTITION BY RANGE (at, id);
    CREATE TABLE days (id int, d date NOT NULL) PARTITION BY RANGE (d);
  )sql");
  REQUIRE(db.partman({"manage", "ev", "--interval", "daily", "--premake", "3", "--retention", "30 days"})
              .exit_code == 0);
  const std::string before = policy_rows(db);
  REQUIRE(!before.empty());

  struct Case
  {
    std::vector<std::string> args;
    std::string named; // the message must name this
  };
  const std::vector<Case> cases = {
      {{"manage", "nosuch", "--interval", "daily"}, "nosuch"},
      {{"manage", "plain", "--interval", "daily"}, "plain"},
      {{"manage", "listed", "--interval", "daily"}, "BY RANGE"},
      {{"manage", "numbered", "--interval", "daily"}, "bigint"},
      {{"manage", "twokeys", "--interval", "daily"}, "one column"},
      {{"manage", "ev", "--interval", "7 minutes"}, "7 minutes"},
      {{"manage", "ev", "--interval", "fortnightly"}, "fortnightly"},
      {{"manage", "days", "--interval", "fortnightly"}, "fortnightly"},
      {{"manage", "ev", "--premake", "0"}, "premake 0"},
      {{"manage", "ev", "--premake", "three"}, "three"},
      {{"manage", "ev", "--retention", "12 hours"}, "12 hours"},
      {{"manage", "ev", "--retention", "forever"}, "forever"},
      {{"manage", "ev", "--retention-action", "archive"}, "archive"},
      {{"manage", "ev", "--timezone", "Mars/Olympus_Mons"}, "Mars/Olympus_Mons"},
      {{"manage", "ev", "--retention-schema", "no_such_archive"}, "no_such_archive"},
      {{"manage", "ev", "--start", "yesterday-ish"}, "yesterday-ish"},
      {{"manage", "days", "--interval", "1 hour"}, "1 hour"},
      {{"manage", "days", "--interval", "daily", "--premake", "0"}, "premake 0"},
      {{"manage", "numbered"}, "an interval is required"},
  };
  for (const auto& c : cases) {
    std::string line;
    for (const auto& a : c.args)
      line += a + " ";
    INFO("partman " << line);
    const auto r = db.partman(c.args);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, c.named));
    CHECK(r.out.empty());
    CHECK(policy_rows(db) == before);
  }
  CHECK(db.scalar("SELECT count(*) FROM partman.history") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "0");

  // A valid update keeps the options it does not name.
  REQUIRE(db.partman({"manage", "ev", "--premake", "5"}).exit_code == 0);
  CHECK(db.scalar("SELECT partition_interval || '/' || premake || '/' || retention FROM partman.policy") ==
        "1 day/5/30 days");
}

TEST_CASE("unmanage removes a policy and no table, and refuses an unmanaged table")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);"
          "CREATE TABLE other (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  REQUIRE(db.partman({"manage", "ev", "--interval", "daily", "--premake", "2"}).exit_code == 0);
  REQUIRE(db.partman({"apply", "--at", k_at}).exit_code == 0);
  const std::string tables = db.scalar("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')");

  const auto not_managed = db.partman({"unmanage", "other"});
  CHECK(not_managed.exit_code == 2);
  CHECK(contains(not_managed.err, "\"public\".\"other\" is not managed"));

  const auto removed = db.partman({"unmanage", "public.ev"});
  CHECK(removed.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')") == tables);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "3");

  const auto again = db.partman({"unmanage", "ev"});
  CHECK(again.exit_code == 2);
  CHECK(contains(again.err, "not managed"));

  // The policy of a dropped parent can still be removed by its name.
  REQUIRE(db.partman({"manage", "other", "--interval", "daily"}).exit_code == 0);
  db.exec("DROP TABLE other");
  CHECK(db.partman({"plan", "--at", k_at}).exit_code == 3);
  CHECK(db.partman({"unmanage", "public.other"}).exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
}

TEST_CASE("exit codes: bad --at, unreachable server, schema not installed")
{
  TestDb db;
  db.exec("CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");

  const auto not_installed = db.partman({"plan"});
  CHECK(not_installed.exit_code == 2);
  CHECK(contains(not_installed.err, "not installed"));
  CHECK(contains(not_installed.err, "partman install"));
  CHECK(db.partman({"manage", "ev", "--interval", "daily"}).exit_code == 2);
  CHECK(db.partman({"apply"}).exit_code == 2);
  CHECK(db.partman({"status"}).exit_code == 2);
  CHECK(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'partman'") == "0");

  REQUIRE(db.partman({"install"}).exit_code == 0);
  REQUIRE(db.partman({"manage", "ev", "--interval", "daily"}).exit_code == 0);
  for (const std::string bad : {"garbage", "2026-13-01", "2026-01-10 25:00", "10/01/2026"}) {
    INFO(bad);
    for (const std::string cmd : {"plan", "apply", "status"}) {
      const auto r = db.partman({cmd, "--at", bad});
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, bad));
    }
  }
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "0");
  CHECK(db.scalar("SELECT count(*) FROM partman.history") == "0");

  const auto unknown_option = db.partman({"plan", "--no-such-option"});
  CHECK(unknown_option.exit_code == 2);
  const auto bad_format = db.partman({"plan", "--format", "yaml"});
  CHECK(bad_format.exit_code == 2);
  const auto bad_lock_timeout = db.partman({"apply", "--lock-timeout", "soon"});
  CHECK(bad_lock_timeout.exit_code == 2);
  CHECK(contains(bad_lock_timeout.err, "soon"));

  for (const std::string cmd : {"plan", "apply", "status", "install"}) {
    INFO(cmd);
    const auto refused = db.partman({"-d", "host=127.0.0.1 port=1 connect_timeout=5", cmd});
    CHECK(refused.exit_code == 4);
    CHECK(contains(refused.err, "cannot connect"));
    const auto secret = db.partman({"-d", "postgresql://u:s3cretpw@127.0.0.1:1/x?connect_timeout=5", cmd});
    CHECK(secret.exit_code == 4);
    CHECK_FALSE(contains(secret.err + secret.out, "s3cretpw"));
    const auto conninfo = db.partman({"-d", "host=127.0.0.1 port=1 user=u password=s3cretpw", cmd});
    CHECK(conninfo.exit_code == 4);
    CHECK_FALSE(contains(conninfo.err + conninfo.out, "s3cretpw"));
  }
  const auto malformed = db.partman({"-d", "postgresql://u:s3cretpw@127.0.0.1:1/x?bogus_option=1", "plan"});
  CHECK((malformed.exit_code == 2 || malformed.exit_code == 4));
  CHECK_FALSE(contains(malformed.err + malformed.out, "s3cretpw"));
}

TEST_CASE("a quoted mixed-case parent with spaces and quotes in an odd schema works end to end")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec(R"sql(CREATE SCHEMA "Sales Q"; CREATE SCHEMA "Arch ""ive";
    CREATE TABLE "Sales Q"."Order ""Lines""" (id int, "Placed At" timestamptz NOT NULL)
      PARTITION BY RANGE ("Placed At"))sql");
  const std::string parent = R"("Sales Q"."Order ""Lines""")";
  const auto manage = db.partman({"manage", parent, "--interval", "daily", "--premake", "2", "--retention",
                                  "3 days", "--retention-schema", "Arch \"ive"});
  INFO(manage.err);
  REQUIRE(manage.exit_code == 0);
  CHECK(db.scalar("SELECT parent_schema || '|' || parent_table FROM partman.policy") ==
        "Sales Q|Order \"Lines\"");

  const auto plan = db.partman({"plan", parent, "--at", "2026-01-10", "-f", "json"});
  REQUIRE(plan.exit_code == 0);
  const auto doc = nlohmann::json::parse(plan.out);
  REQUIRE(doc["parents"].size() == 1);
  CHECK(doc["parents"][0]["parent"] == R"("Sales Q"."Order ""Lines""")");
  REQUIRE(doc["parents"][0]["actions"].size() == 3);
  CHECK(doc["parents"][0]["actions"][0]["name"] == "Order \"Lines\"_p20260110");

  const auto apply = db.partman({"apply", parent, "--at", "2026-01-10"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(db.column("SELECT relname FROM pg_inherits JOIN pg_class ON oid = inhrelid ORDER BY 1") ==
        std::vector<std::string>{"Order \"Lines\"_p20260110", "Order \"Lines\"_p20260111",
                                 "Order \"Lines\"_p20260112"});
  db.exec(R"sql(INSERT INTO "Sales Q"."Order ""Lines""" VALUES (1, '2026-01-11 10:00+00'))sql");

  // Retention detaches into the odd schema.
  const auto later = db.partman({"apply", "--at", "2026-01-15"});
  INFO(later.out << later.err);
  REQUIRE(later.exit_code == 0);
  CHECK(db.scalar(R"sql(SELECT count(*) FROM "Arch ""ive"."Order ""Lines""_p20260111")sql") == "1");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "4");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'ok'") == "8");

  const auto status = db.partman({"status", parent, "--at", "2026-01-15"});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, R"("Sales Q"."Order ""Lines""_p20260115")"));
  CHECK(db.partman({"status", "--at", "2026-01-15", "-f", "json"}).exit_code == 0);
  const auto empty = db.partman({"plan", parent, "--at", "2026-01-15", "-f", "json"});
  CHECK(nlohmann::json::parse(empty.out)["parents"][0]["actions"].empty());

  // The unquoted spelling is a different (missing) table.
  CHECK(db.partman({"plan", "Sales Q.Order Lines"}).exit_code == 2);
  CHECK(db.partman({"unmanage", parent}).exit_code == 0);
}

TEST_CASE("long parent names give children of at most 63 bytes that stay unique")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  const std::string a = std::string(50, 'a') + "_events_aa"; // 60 bytes
  const std::string b = std::string(50, 'a') + "_events_bb"; // shares 50 bytes with a
  REQUIRE(a.size() == 60);
  for (const auto& t : {a, b})
    db.exec("CREATE TABLE " + t + " (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  REQUIRE(db.partman({"manage", a, "--interval", "hourly", "--premake", "3"}).exit_code == 0);
  REQUIRE(db.partman({"manage", b, "--interval", "daily", "--premake", "3"}).exit_code == 0);

  const auto plan = db.partman({"plan", "--at", "2026-01-10 10:30", "-f", "json"});
  REQUIRE(plan.exit_code == 0);
  const auto doc = nlohmann::json::parse(plan.out);
  std::vector<std::string> planned;
  for (const auto& p : doc["parents"])
    for (const auto& act : p["actions"])
      planned.push_back(act["name"].get<std::string>());
  REQUIRE(planned.size() == 8);
  for (const auto& n : planned) {
    INFO(n);
    CHECK(n.size() <= 63);
  }

  const auto apply = db.partman({"apply", "--at", "2026-01-10 10:30"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  auto actual = db.column("SELECT relname FROM pg_inherits JOIN pg_class ON oid = inhrelid ORDER BY 1");
  std::sort(planned.begin(), planned.end());
  CHECK(actual == planned); // created under exactly the planned names: nothing was truncated
  CHECK(db.scalar("SELECT count(DISTINCT relname) FROM pg_inherits JOIN pg_class ON oid = inhrelid") == "8");
  CHECK(db.scalar("SELECT max(octet_length(relname)) FROM pg_inherits JOIN pg_class ON oid = inhrelid") ==
        "63");
  const auto again = db.partman({"plan", "--at", "2026-01-10 10:30", "-f", "json"});
  const auto again_doc = nlohmann::json::parse(again.out);
  for (const auto& p : again_doc["parents"]) {
    CHECK(p["actions"].empty());
    CHECK(p["notes"].empty());
  }
  CHECK(db.partman({"status"}).exit_code == 0);
}
