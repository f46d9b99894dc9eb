// plan and apply against a real server: formats, dry runs, retention, history, failures, locks, concurrency.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "harness.hpp"
#include "util.hpp"

using partman::test::action_count;
using partman::test::CommandResult;
using partman::test::contains;
using partman::test::fingerprint;
using partman::test::managed_parent;
using partman::test::partitions_of;
using partman::test::run;
using partman::test::TestDb;

namespace {

CommandResult run_psql(TestDb& db, const std::string& file)
{
  const std::string psql = partman::test::find_on_path("psql");
  REQUIRE(!psql.empty());
  return partman::test::run_command({psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file},
                                    {{"PGDATABASE", db.name()}});
}

} // namespace

TEST_CASE("plan prints text, sql and json and changes nothing")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  managed_parent(
      db, "ev",
      {"--interval", "daily", "--premake", "3", "--retention", "2 days", "--retention-action", "drop"});
  REQUIRE(db.partman({"apply", "--at", "2026-01-10"}).exit_code == 0);
  const std::string before = fingerprint(db);

  const auto text = db.partman({"plan", "--at", "2026-01-14 06:00"});
  REQUIRE(text.exit_code == 0);
  CHECK(contains(text.out, "Plan at 2026-01-14T06:00:00Z"));
  CHECK(contains(text.out, "+ create \"public\".\"ev_p20260117\" [2026-01-17 00:00:00+00:00, "
                           "2026-01-18 00:00:00+00:00)"));
  CHECK(contains(text.out, "- drop \"public\".\"ev_p20260110\""));
  CHECK(contains(text.out, "4 to create, 2 to drop, 0 to detach, 0 to finalize, over 1 parent(s)"));
  CHECK(fingerprint(db) == before);

  const auto sql =
      db.partman({"plan", "--at", "2026-01-14 06:00", "--format", "sql", "--lock-timeout", "750ms"});
  REQUIRE(sql.exit_code == 0);
  CHECK(contains(sql.out, "SET lock_timeout = '750ms';"));
  CHECK(contains(sql.out, "DROP TABLE \"public\".\"ev_p20260111\";"));
  CHECK(contains(sql.out, "ATTACH PARTITION \"public\".\"ev_p20260114\" FOR VALUES FROM ('2026-01-14 "
                          "00:00:00+00:00') TO ('2026-01-15 00:00:00+00:00');"));
  CHECK(fingerprint(db) == before);

  const auto json = db.partman({"plan", "--at", "2026-01-14 06:00", "-f", "json"});
  REQUIRE(json.exit_code == 0);
  CHECK(fingerprint(db) == before);
  const auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["format"] == "partman-plan");
  CHECK(doc["version"].is_number_integer());
  CHECK(doc["at"] == "2026-01-14T06:00:00Z");
  REQUIRE(doc["parents"].size() == 1);
  const auto& parent = doc["parents"][0];
  CHECK(parent["parent"] == "\"public\".\"ev\"");
  CHECK(parent["status"] == "ok");
  CHECK(parent["error"].is_null());
  const auto& actions = parent["actions"];
  REQUIRE(actions.size() == 6);
  for (const auto& a : actions) {
    CHECK(a["partition"].is_string());
    CHECK(a["sql"].is_array());
    CHECK(!a["sql"].empty());
    CHECK(!a["reason"].get<std::string>().empty());
  }
  CHECK(actions[0]["action"] == "create");
  CHECK(actions[0]["partition"] == "\"public\".\"ev_p20260114\"");
  CHECK(actions[0]["bounds"]["from"] == "2026-01-14T00:00:00+00:00");
  CHECK(actions[0]["bounds"]["to"] == "2026-01-15T00:00:00+00:00");
  CHECK(actions[0]["sql"].size() == 3); // lock the parent, create, attach
  CHECK(actions[0]["sql"][0] == "LOCK TABLE ONLY \"public\".\"ev\" IN SHARE UPDATE EXCLUSIVE MODE");
  CHECK(actions[4]["action"] == "drop");
  CHECK(actions[4]["partition"] == "\"public\".\"ev_p20260110\"");
  CHECK(actions[4]["bounds"].is_null());
  // No default partition: detach concurrently (outside a transaction block), then drop the detached table.
  CHECK(actions[4]["transaction"] == false);
  CHECK(actions[4]["sql"][0] ==
        "ALTER TABLE \"public\".\"ev\" DETACH PARTITION \"public\".\"ev_p20260110\" CONCURRENTLY");
  CHECK(actions[4]["sql"][1] == "DROP TABLE \"public\".\"ev_p20260110\"");

  // Plan sessions are read-only: even a plan of a parent that cannot be planned writes nothing.
  db.exec("CREATE TABLE broken (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  REQUIRE(db.partman({"manage", "broken", "--interval", "daily"}).exit_code == 0);
  db.exec("DROP TABLE broken");
  const std::string before_broken = fingerprint(db);
  const auto partial = db.partman({"plan", "--at", "2026-01-14 06:00", "-f", "json"});
  CHECK(partial.exit_code == 3);
  CHECK(nlohmann::json::parse(partial.out)["parents"][0]["status"] == "error");
  CHECK(fingerprint(db) == before_broken);
}

TEST_CASE("the sql of plan runs in psql and yields the partitions apply makes")
{
  const std::vector<std::string> manage = {"--interval",  "1 hour",        "--premake", "6",
                                           "--timezone",  "Europe/Berlin", "--start",   "2026-03-29 00:00",
                                           "--retention", "1 day"};
  const std::string at = "2026-03-29 05:10"; // the night Berlin springs forward, 02:00 -> 03:00
  TestDb by_psql;
  TestDb by_apply;
  for (TestDb* db : {&by_psql, &by_apply}) {
    REQUIRE(db->partman({"install"}).exit_code == 0);
    managed_parent(*db, "ev", manage);
  }
  const auto sql = by_psql.partman({"plan", "--at", at, "-f", "sql"});
  REQUIRE(sql.exit_code == 0);
  const std::string file = partman::test::write_temp_file(sql.out);
  const auto psql = run_psql(by_psql, file);
  unlink(file.c_str());
  INFO(psql.err);
  REQUIRE(psql.exit_code == 0);

  const auto apply = by_apply.partman({"apply", "--at", at});
  INFO(apply.out);
  REQUIRE(apply.exit_code == 0);
  const std::string partitions = partitions_of(by_apply, "ev");
  CHECK(partitions_of(by_psql, "ev") == partitions);
  // 00:00 to 14:00 local (07:10 now plus 6 ahead): 13 hours, as 02:00 local does not exist that day.
  CHECK(by_apply.scalar("SELECT count(*) FROM pg_inherits") == "13");
  CHECK(contains(partitions, "ev_p20260329_0100|FOR VALUES FROM ('2026-03-29 00:00:00+00') TO "
                             "('2026-03-29 01:00:00+00')"));
  CHECK(by_psql.scalar("SELECT count(*) FROM partman.history") == "0");

  for (TestDb* db : {&by_psql, &by_apply}) {
    const auto again = db->partman({"plan", "--at", at, "-f", "json"});
    CHECK(action_count(again.out) == 0);
  }
}

TEST_CASE("apply creates, drops, detaches, records history, and a second apply does nothing")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE SCHEMA archive");
  managed_parent(
      db, "dropped",
      {"--interval", "daily", "--premake", "2", "--retention", "3 days", "--retention-action", "drop"});
  managed_parent(db, "detached", {"--interval", "daily", "--premake", "2", "--retention", "3 days"});
  managed_parent(
      db, "archived",
      {"--interval", "daily", "--premake", "2", "--retention", "3 days", "--retention-schema", "archive"});

  const auto first = db.partman({"apply", "--at", "2026-01-10 08:00"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(contains(first.out, "Done: 9 created, 0 dropped, 0 detached"));
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "9");
  db.exec("INSERT INTO archived VALUES (1, '2026-01-10 09:00+00'), (2, '2026-01-11 09:00+00')");
  // premake counts from --at: today plus two days ahead
  CHECK(db.column("SELECT relname FROM pg_inherits JOIN pg_class ON oid = inhrelid WHERE inhparent = "
                  "'dropped'::regclass ORDER BY 1") ==
        std::vector<std::string>{"dropped_p20260110", "dropped_p20260111", "dropped_p20260112"});
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'ok' AND action = 'create'") == "9");
  CHECK(db.scalar("SELECT count(DISTINCT run_id) FROM partman.history") == "1");

  const auto second = db.partman({"apply", "--at", "2026-01-15 08:00"});
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(contains(second.out, "Done: 9 created, 2 dropped, 4 detached"));
  // cutoff 2026-01-12 08:00: the partitions of the 10th and 11th expire
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'dropped_p2026011_' ") == "4");
  CHECK(db.scalar(
            "SELECT to_regclass('dropped_p20260110') IS NULL AND to_regclass('dropped_p20260111') IS NULL") ==
        "t");
  CHECK(db.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                  "n.nspname = 'public' AND relname LIKE 'detached_p%' AND relkind = 'r'") == "6");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'detached'::regclass") == "4");
  CHECK(db.scalar("SELECT to_regclass('public.detached_p20260110') IS NOT NULL") == "t");
  CHECK(db.column("SELECT relname FROM pg_class WHERE relnamespace = 'archive'::regnamespace ORDER BY 1") ==
        std::vector<std::string>{"archived_p20260110", "archived_p20260111"});
  CHECK(db.scalar("SELECT count(*) FROM archive.archived_p20260110") == "1");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'archived'::regclass") == "4");
  CHECK(db.scalar("SELECT count(*) FROM archived") == "0");

  // One history row per action, each ok, with its SQL.
  CHECK(db.scalar("SELECT count(*) FROM partman.history") == "24");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome <> 'ok' OR error IS NOT NULL") == "0");
  CHECK(
      db.scalar("SELECT string_agg(action || ':' || n, ',' ORDER BY action) FROM (SELECT action, count(*) n "
                "FROM partman.history GROUP BY action) x") == "create:18,detach:4,drop:2");
  CHECK(
      db.scalar("SELECT sql FROM partman.history WHERE partition_name = 'archived_p20260110' AND action = "
                "'detach'") ==
      "ALTER TABLE \"public\".\"archived\" DETACH PARTITION \"public\".\"archived_p20260110\" CONCURRENTLY;\n"
      "ALTER TABLE \"public\".\"archived_p20260110\" SET SCHEMA \"archive\";\n");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE duration_ms IS NULL OR duration_ms < 0") ==
        "0");

  const std::string settled = fingerprint(db);
  const auto third = db.partman({"apply", "--at", "2026-01-15 08:00"});
  CHECK(third.exit_code == 0);
  CHECK(contains(third.out, "Done: 0 created, 0 dropped, 0 detached, 0 finalized, 0 archived; 0 of 3"));
  CHECK(fingerprint(db) == settled);
  CHECK(action_count(db.partman({"plan", "--at", "2026-01-15 08:00", "-f", "json"}).out) == 0);

  // status agrees
  const auto status = db.partman({"status", "archived", "--at", "2026-01-15 08:00"});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "1 current, 2 future"));
}

TEST_CASE("a run reads the unfinished history through its index even before the history is analysed")
{
  TestDb db;
  run(db, {"install"});
  managed_parent(db, "events", {"--interval", "daily", "--premake", "1"});
  // A history of 20,000 finished actions that autovacuum has not analysed yet (as right after a big run).
  db.exec("ALTER TABLE partman.history SET (autovacuum_enabled = false)");
  db.exec(
      "INSERT INTO partman.history (run_id, parent_schema, parent_table, action, partition_schema, "
      "partition_name, sql, outcome, duration_ms) SELECT gen_random_uuid(), 'public', 'events', 'create', "
      "'public', 'events_p' || g, '', 'ok', 1 FROM generate_series(1, 20000) g");
  REQUIRE(db.scalar("SELECT reltuples < 0 FROM pg_class WHERE oid = 'partman.history'::regclass") == "t");
  const auto scans = [&] {
    return db.scalar("SELECT pg_stat_clear_snapshot(); SELECT seq_scan || ' ' || coalesce(idx_scan, 0) "
                     "FROM pg_stat_user_tables WHERE relid = 'partman.history'::regclass");
  };
  const std::string before = scans();
  run(db, {"apply", "--at", "2026-01-10 08:00"});
  // The server counts a session's scans when it ends, a moment after partman exits.
  std::string after = scans();
  for (int i = 0; i < 50 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = scans();
  }
  INFO("seq_scan idx_scan before: " << before << ", after: " << after);
  CHECK(after.substr(0, after.find(' ')) == before.substr(0, before.find(' ')));
  CHECK(after != before);
}

TEST_CASE("apply with --start backfills, and only the named parents are applied")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  managed_parent(db, "ev", {"--interval", "monthly", "--premake", "1", "--start", "2025-09-15"});
  managed_parent(db, "untouched", {"--interval", "monthly", "--premake", "1"});
  const auto r = db.partman({"apply", "ev", "--at", "2026-01-10"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(db.column("SELECT relname FROM pg_inherits JOIN pg_class ON oid = inhrelid ORDER BY 1") ==
        std::vector<std::string>{"ev_p202509", "ev_p202510", "ev_p202511", "ev_p202512", "ev_p202601",
                                 "ev_p202602"});
  CHECK(db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'ev_p202509'") ==
        "FOR VALUES FROM ('2025-09-01 00:00:00+00') TO ('2025-10-01 00:00:00+00')");
  // A row of the start time has its partition.
  db.exec("INSERT INTO ev VALUES (1, '2025-09-15 00:00+00')");
  const auto plan = db.partman({"plan", "--at", "2026-01-10", "-f", "json"});
  INFO(plan.out << plan.err);
  CHECK(action_count(plan.out) == 2); // "untouched" was not applied
}

TEST_CASE("a hand-made overlapping partition is left alone with a warning")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "3"});
  db.exec("CREATE TABLE ev_manual PARTITION OF ev FOR VALUES FROM ('2026-01-11 12:00+00') TO ('2026-01-12 "
          "12:00+00')");
  db.exec("INSERT INTO ev VALUES (1, '2026-01-12 00:00+00')");

  const auto plan = db.partman({"plan", "--at", "2026-01-10"});
  CHECK(plan.exit_code == 0);
  CHECK(contains(plan.out, "warning: cannot create \"public\".\"ev_p20260111\""));
  CHECK(contains(plan.out, "warning: cannot create \"public\".\"ev_p20260112\""));
  CHECK(contains(plan.out, "ev_manual"));

  const auto apply = db.partman({"apply", "--at", "2026-01-10"});
  INFO(apply.out);
  CHECK(apply.exit_code == 0);
  CHECK(contains(apply.out, "warning"));
  CHECK(contains(apply.out, "ev_manual"));
  CHECK(db.column(
            "SELECT relname || ' ' || pg_get_expr(relpartbound, oid) FROM pg_inherits JOIN pg_class ON oid "
            "= inhrelid ORDER BY 1") ==
        std::vector<std::string>{
            "ev_manual FOR VALUES FROM ('2026-01-11 12:00:00+00') TO ('2026-01-12 12:00:00+00')",
            "ev_p20260110 FOR VALUES FROM ('2026-01-10 00:00:00+00') TO ('2026-01-11 00:00:00+00')",
            "ev_p20260113 FOR VALUES FROM ('2026-01-13 00:00:00+00') TO ('2026-01-14 00:00:00+00')"});
  CHECK(db.scalar("SELECT count(*) FROM ev_manual") == "1");
  CHECK(db.scalar("SELECT count(*) FROM partman.history") == "2");
  CHECK(action_count(db.partman({"plan", "--at", "2026-01-10", "-f", "json"}).out) == 0);
}

TEST_CASE("rows that cannot leave a default partition fail that parent's attach, and another parent is "
          "still applied")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  managed_parent(db, "a_bad", {"--interval", "daily", "--premake", "2"});
  managed_parent(db, "b_good", {"--interval", "daily", "--premake", "2"});
  managed_parent(db, "c_bad", {"--interval", "daily", "--premake", "2"});
  for (const std::string t : {"a_bad", "c_bad"}) {
    // A foreign key references the default partition, so partman does not move rows out of it (a DELETE
    // could cascade): the attach meets the row and fails.
    db.exec("CREATE TABLE " + t + "_default PARTITION OF " + t + " DEFAULT");
    db.exec("ALTER TABLE " + t + "_default ADD PRIMARY KEY (id)");
    db.exec("CREATE TABLE " + t + "_ref (id bigint REFERENCES " + t + "_default (id))");
    db.exec("INSERT INTO " + t + " VALUES (1, '2026-01-11 10:00+00')");
  }

  const auto r = db.partman({"apply", "--at", "2026-01-10"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "failed: create \"public\".\"a_bad_p20260111\""));
  CHECK(contains(r.out, "2 of 3 parent(s) failed or deferred"));
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'b_good'::regclass") == "3");
  // The failed attach left no table behind; the other ranges of the failed parents were created.
  CHECK(
      db.scalar("SELECT to_regclass('a_bad_p20260111') IS NULL AND to_regclass('c_bad_p20260111') IS NULL") ==
      "t");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'a_bad'::regclass") == "3");
  CHECK(db.scalar("SELECT count(*) FROM a_bad_default") == "1");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'failed'") == "2");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'failed' AND error LIKE '%default "
                  "partition%'") == "2");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'ok'") == "7");

  // Once the rows are moved out of the way, the next apply completes.
  db.exec("DELETE FROM a_bad_default; DELETE FROM c_bad_default");
  const auto again = db.partman({"apply", "--at", "2026-01-10"});
  CHECK(again.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "11");
}

TEST_CASE("a parent locked by another session is deferred under lock_timeout, then applied")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  managed_parent(db, "busy", {"--interval", "daily", "--premake", "2"});
  managed_parent(db, "free", {"--interval", "daily", "--premake", "2"});
  const std::string before = partitions_of(db, "busy");

  CommandResult r;
  {
    pqxx::connection locker("dbname=" + db.name());
    pqxx::work tx(locker);
    tx.exec("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
    const auto started = std::chrono::steady_clock::now();
    r = db.partman({"apply", "--at", "2026-01-10", "--lock-timeout", "100ms", "--retries", "1"});
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(seconds < 10);
    tx.abort();
  }
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "deferred: create \"public\".\"busy_p20260110\""));
  CHECK(contains(r.out, "gave up after 2 attempts"));
  CHECK(contains(r.out, "skipped: create \"public\".\"busy_p20260111\""));
  CHECK(contains(r.out, "1 of 2 parent(s) failed or deferred"));
  // Nothing half-done: no partition and no stray table of the locked parent.
  CHECK(partitions_of(db, "busy") == before);
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'busy_p%'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'free'::regclass") == "3");
  CHECK(
      db.scalar("SELECT outcome || ' ' || partition_name FROM partman.history WHERE parent_table = 'busy'") ==
      "deferred busy_p20260110");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE parent_table = 'busy'") == "1");
  CHECK(!db.scalar("SELECT error FROM partman.history WHERE parent_table = 'busy'").empty());

  const auto after = db.partman({"apply", "--at", "2026-01-10", "--lock-timeout", "100ms", "--retries", "1"});
  INFO(after.out);
  CHECK(after.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'busy'::regclass") == "3");
  CHECK(action_count(db.partman({"plan", "--at", "2026-01-10", "-f", "json"}).out) == 0);
}

TEST_CASE("two applies at once both succeed and reach exactly the target")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  const int parents = 6;
  for (int i = 0; i < parents; ++i)
    managed_parent(db, "ev" + std::to_string(i), {"--interval", "1 hour", "--premake", "40"});
  const std::vector<std::string> argv{PARTMAN_BIN, "apply", "--at", "2026-01-10 00:30"};
  const std::map<std::string, std::string> env{{"PGDATABASE", db.name()}};
  auto one = std::async(std::launch::async, [&] { return partman::test::run_command(argv, env); });
  auto two = std::async(std::launch::async, [&] { return partman::test::run_command(argv, env); });
  const auto r1 = one.get();
  const auto r2 = two.get();
  INFO(r1.out << r1.err << r2.out << r2.err);
  CHECK(r1.exit_code == 0);
  CHECK(r2.exit_code == 0);
  CHECK(r1.err.empty());
  CHECK(r2.err.empty());
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == std::to_string(parents * 41));
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'ev%\\_p%'") ==
        std::to_string(parents * 41));
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'ok'") ==
        std::to_string(parents * 41));
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome <> 'ok'") == "0");
  CHECK(db.scalar(
            "SELECT count(*) FROM (SELECT partition_name FROM partman.history GROUP BY 1 HAVING count(*) > "
            "1) d") == "0");
  CHECK(action_count(db.partman({"plan", "--at", "2026-01-10 00:30", "-f", "json"}).out) == 0);
}
