// partman check (a Nagios plugin: each of its four exit codes), the run_state record every apply writes,
// and the notification a policy change sends.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "harness.hpp"
#include "util.hpp"

using partman::test::await_payloads;
using partman::test::contains;
using partman::test::PolicyListener;
using partman::test::run;
using partman::test::TestDb;

namespace {

// Installs partman and creates daily parent ev (premake 4, plus `manage_args`), applied now.
void applied_parent(TestDb& db, const std::vector<std::string>& manage_args = {})
{
  REQUIRE(db.partman({"install"}).exit_code == 0);
  std::vector<std::string> args{"--interval", "daily", "--premake", "4"};
  args.insert(args.end(), manage_args.begin(), manage_args.end());
  partman::test::managed_parent(db, "ev", args);
  run(db, {"apply"});
}

// Runs partman check with `args` and requires exit code `code` and one status line starting "PARTMAN LEVEL".
partman::test::CommandResult check(TestDb& db, const std::vector<std::string>& args, int code,
                                   const std::string& level)
{
  std::vector<std::string> all{"check"};
  all.insert(all.end(), args.begin(), args.end());
  const auto r = db.partman(all);
  INFO("partman check: " << r.out << r.err);
  CHECK(r.exit_code == code);
  CHECK(r.out.rfind("PARTMAN " + level + " - ", 0) == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  return r;
}

} // namespace

TEST_CASE("check: OK after an apply, with performance data per parent")
{
  TestDb db;
  applied_parent(db);
  const auto r = check(db, {}, 0, "OK");
  CHECK(contains(r.out, "PARTMAN OK - 1 parent(s): "));
  CHECK(contains(r.out, " | '\"public\".\"ev\" ahead'=4;2:;1:;0;4 '\"public\".\"ev\" missing'=0;;;0; "));
  CHECK(contains(r.out, "'\"public\".\"ev\" last_success_age'="));
  CHECK(contains(r.out, ";;93600;0; '\"public\".\"ev\" failed_archives'=0;;0;0;\n"));
  // Naming the parent checks only it.
  check(db, {"ev"}, 0, "OK");
}

TEST_CASE("check: WARNING for rows in a default partition and for few partitions ahead")
{
  TestDb db;
  applied_parent(db, {"--default-partition"});
  check(db, {}, 0, "OK");
  db.exec("INSERT INTO ev (id, at) SELECT g, '2001-01-01'::timestamptz + g * interval '1 minute' FROM "
          "generate_series(1, 50) g");
  db.exec("ANALYZE ev_default");
  const auto r = check(db, {}, 1, "WARNING");
  CHECK(contains(r.out, "\"public\".\"ev\": about 50 row(s) in default partition \"public\".\"ev_default\", "
                        "more than 0"));
  CHECK(contains(r.out, "'\"public\".\"ev\" default_rows'=50;0;;0;"));
  check(db, {"--max-default-rows", "100"}, 0, "OK");

  // Five partitions ahead wanted, premake keeps four: judged against the premake, so OK.
  check(db, {"--max-default-rows", "100", "--warning", "5", "--critical", "3"}, 0, "OK");
  db.exec("DROP TABLE " +
          db.scalar("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
                    "i.inhrelid WHERE i.inhparent = 'ev'::regclass AND c.relname <> 'ev_default' "
                    "ORDER BY c.relname DESC LIMIT 1"));
  const auto fewer = check(db, {"--max-default-rows", "100", "--warning", "4"}, 1, "WARNING");
  CHECK(contains(fewer.out, "\"public\".\"ev\": 3 partition(s) ahead of now, fewer than 4"));
  CHECK(contains(fewer.out, "'\"public\".\"ev\" missing'=1;"));
}

TEST_CASE("check: CRITICAL without a recent successful run, with a failed archive, or too few ahead")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  partman::test::managed_parent(db, "ev", {"--interval", "daily", "--premake", "4"});
  // Managed, never applied: nothing ahead and no run recorded.
  const auto never = check(db, {}, 2, "CRITICAL");
  CHECK(contains(never.out, "\"public\".\"ev\": 0 partition(s) ahead of now, fewer than 1"));
  CHECK(contains(never.out, "\"public\".\"ev\": no successful run recorded"));

  run(db, {"apply"});
  check(db, {}, 0, "OK");
  db.exec("UPDATE partman.run_state SET last_success = now() - interval '3 days', last_error = 'boom'");
  const auto old = check(db, {}, 2, "CRITICAL");
  CHECK(contains(old.out, "last successful run 3 days ago, more than 26 h; last error: boom"));
  check(db, {"--max-age", "4 days"}, 0, "OK");

  db.exec("INSERT INTO partman.archive (parent_schema, parent_table, partition_schema, partition_name, "
          "storage, state, error) VALUES ('public', 'ev', 'public', 'ev_p20000101', 'file:///nowhere', "
          "'failed', 'disk full')");
  const auto archive = check(db, {"--max-age", "4 days"}, 2, "CRITICAL");
  CHECK(contains(archive.out, "\"public\".\"ev\": 1 failed archive(s)"));
  CHECK(contains(archive.out, "'\"public\".\"ev\" failed_archives'=1;;0;0;"));
}

TEST_CASE("check: UNKNOWN (exit 3) when the database cannot be read or the input is invalid")
{
  TestDb db;
  applied_parent(db);
  const auto down = check(db, {"-d", "host=/nonexistent port=1"}, 3, "UNKNOWN");
  CHECK(contains(down.out, "cannot connect"));
  check(db, {"nosuch"}, 3, "UNKNOWN");
  check(db, {"--warning", "two"}, 3, "UNKNOWN");
  check(db, {"--warning", "-1"}, 3, "UNKNOWN");
  const auto age = check(db, {"--max-age", "forever"}, 3, "UNKNOWN");
  CHECK(contains(age.out, "forever"));
  const auto order = check(db, {"--warning", "1", "--critical", "2"}, 3, "UNKNOWN");
  CHECK(contains(order.out, "--critical 2 is above --warning 1"));
  check(db, {"--schema", "elsewhere"}, 3, "UNKNOWN");
  run(db, {"unmanage", "ev"});
  const auto none = check(db, {}, 3, "UNKNOWN");
  CHECK(contains(none.out, "no managed parents"));
}

TEST_CASE("run_state: every apply records its run, one with nothing to do too, and a failure keeps the last "
          "success")
{
  TestDb db;
  applied_parent(db);
  partman::test::managed_parent(db, "ev2", {"--interval", "daily", "--premake", "2"});
  db.exec("UPDATE partman.run_state SET last_run = '2000-01-01', last_success = '2000-01-01'");
  const auto r = run(db, {"apply", "ev"});
  CHECK(contains(r.out, "nothing to do"));
  CHECK(db.scalar("SELECT string_agg(format('%s %s %s %s', parent_table, last_run > now() - interval '1 "
                  "minute', last_success = last_run, last_error IS NULL), ',' ORDER BY parent_table) FROM "
                  "partman.run_state") == "ev t t t");

  // A parent that cannot be planned: its run is recorded with the error; its last success stays.
  run(db, {"apply"});
  db.exec("UPDATE partman.run_state SET last_success = '2000-01-01'");
  db.exec("DROP TABLE ev2");
  run(db, {"apply"}, 3);
  CHECK(
      db.scalar("SELECT format('%s %s %s', last_run > now() - interval '1 minute', last_success = "
                "'2000-01-01', last_error IS NOT NULL) FROM partman.run_state WHERE parent_table = 'ev2'") ==
      "t t t");
  CHECK(db.scalar("SELECT last_success > now() - interval '1 minute' FROM partman.run_state WHERE "
                  "parent_table = 'ev'") == "t");
  // A parent that loses its policy loses its run state.
  run(db, {"unmanage", "ev"});
  CHECK(db.scalar("SELECT string_agg(parent_table, ',') FROM partman.run_state") == "ev2");
}

TEST_CASE("policy notify: manage and unmanage notify channel partman_policy with the parent's name")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE \"Odd Name\" (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  pqxx::connection listen("dbname=" + db.name());
  PolicyListener listener(listen);
  run(db, {"manage", "\"Odd Name\"", "--interval", "daily"});
  await_payloads(listen, listener, 1);
  run(db, {"manage", "\"Odd Name\"", "--premake", "6"});
  await_payloads(listen, listener, 2);
  run(db, {"unmanage", "\"Odd Name\""});
  await_payloads(listen, listener, 3);
  CHECK(partman::test::join_lines(listener.payloads) ==
        "\"public\".\"Odd Name\"\n\"public\".\"Odd Name\"\n\"public\".\"Odd Name\"\n");
  // plan, apply and status change no policy: no notification.
  run(db, {"apply"});
  listen.await_notification(0, 300000);
  CHECK(listener.payloads.size() == 3);
}
