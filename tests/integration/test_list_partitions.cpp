// LIST partitions against a real server: a partition per value, unlisted values, key types, values queries.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "shapes_util.hpp"
#include "util.hpp"

using namespace partman::test;
using namespace partman::test::shapes;

TEST_CASE("LIST: a partition per value, odd values quoted, rows land, a second apply has nothing to do")
{
  TestDb db;
  set_up(db, "CREATE TABLE sales (region text NOT NULL, amount int) PARTITION BY LIST (region)");
  const std::vector<std::string> odd = {"O'Brien", "a b", "", "Zürich ✓", "x,y", "back\\slash", "EU"};
  std::vector<std::string> args = {"manage", "sales", "--values", "eu, us"};
  for (const auto& v : odd) {
    args.push_back("--value");
    args.push_back(v);
  }
  const auto m = run(db, args);
  CHECK(contains(m.out,
                 "LIST on \"region\" (text), 9 value(s): 'eu', 'us', 'O''Brien', 'a b', '', 'Zürich ✓', "
                 "'x,y', 'back\\slash', 'EU'; unlisted values: keep"));
  const auto sql = run(db, {"plan", "-f", "sql"});
  CHECK(contains(sql.out, "FOR VALUES IN ('O''Brien');"));
  CHECK(contains(sql.out, "LOCK TABLE ONLY \"public\".\"sales\" IN SHARE UPDATE EXCLUSIVE MODE;"));
  const auto applied = run(db, {"apply"});
  CHECK(contains(applied.out, "Done: 9 created"));
  CHECK(contains(applied.out, "created \"public\".\"sales_eu\" IN ('eu')"));
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'sales'::regclass") == "9");
  CHECK(
      db.scalar("SELECT max(octet_length(relname::text)) <= 63 FROM pg_class WHERE relname LIKE 'sales_%'") ==
      "t");

  auto& conn = db.conn();
  std::string insert = "INSERT INTO sales VALUES ('eu', 1), ('us', 2)";
  for (const auto& v : odd)
    insert += ", (" + conn.quote(v) + ", 3)";
  db.exec(insert);
  // Every value in its own partition, and the partition's bound is that value.
  const auto rows = db.column("SELECT region || '|' || s.tableoid::regclass::text || '|' || "
                              "pg_get_expr(c.relpartbound, c.oid) FROM sales s JOIN pg_class c ON c.oid = "
                              "s.tableoid ORDER BY region");
  REQUIRE(rows.size() == 9);
  CHECK(db.scalar("SELECT count(DISTINCT tableoid) FROM sales") == "9");
  CHECK(db.scalar("SELECT tableoid::regclass::text FROM sales WHERE region = 'eu'") == "sales_eu");
  CHECK(
      db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = (SELECT tableoid FROM sales "
                "WHERE region = 'O''Brien')") == "FOR VALUES IN ('O''Brien')");
  CHECK(
      db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = (SELECT tableoid FROM sales "
                "WHERE region = '')") == "FOR VALUES IN ('')");
  const std::string settled = fingerprint(db);
  const auto again = run(db, {"apply"});
  CHECK(contains(again.out, "Done: 0 created"));
  CHECK(fingerprint(db) == settled);
  const auto status = run(db, {"status", "sales"});
  CHECK(contains(status.out, "9 partition(s): 9 listed, 0 unlisted"));
  CHECK(contains(status.out, "IN ('O''Brien')"));
}

TEST_CASE("LIST: a value no longer listed stays, is detached or is dropped as the policy says")
{
  TestDb db;
  set_up(db, "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region)");
  run(db, {"manage", "sales", "--values", "a,b,c,d"});
  run(db, {"apply"});
  db.exec("INSERT INTO sales VALUES ('a'), ('b'), ('c'), ('d')");

  run(db, {"manage", "sales", "--values", "a,b,c"});
  const auto keep = run(db, {"plan"});
  CHECK(contains(keep.out, "nothing to do"));
  CHECK(contains(keep.out,
                 "! info: \"public\".\"sales_d\" holds values no longer listed ('d'); it stays (list "
                 "retention keep)"));
  CHECK(contains(run(db, {"status", "sales"}).out, "3 listed, 1 unlisted"));

  run(db, {"manage", "sales", "--list-retention", "detach"});
  const auto detached = run(db, {"apply"});
  CHECK(contains(detached.out, "detached \"public\".\"sales_d\" IN ('d')"));
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'sales_d'::regclass") == "0");
  CHECK(db.scalar("SELECT count(*) FROM sales_d") == "1"); // detached, nothing lost

  run(db, {"manage", "sales", "--values", "a", "--list-retention", "drop"});
  const auto refused = db.partman({"apply"}); // two of three: the removal guard holds them back
  CHECK(refused.exit_code == 3);
  CHECK(contains(refused.out, "refused: would drop or detach 2 of 3 partitions"));
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'sales'::regclass") == "3");
  const auto dropped = run(db, {"apply", "--force"});
  CHECK(contains(dropped.out, "Done: 0 created, 2 dropped"));
  CHECK(db.scalar(
            "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'sales_%'") ==
        "sales_a,sales_d");
  CHECK(action_count(run(db, {"plan", "-f", "json"}).out) == 0);
}

TEST_CASE("LIST on integer, uuid, date and varchar keys, with a default partition")
{
  TestDb db;
  set_up(db, "CREATE TABLE li (k integer NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lu (k uuid NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE ld (k date NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lv (k varchar(5) NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lv_default PARTITION OF lv DEFAULT");
  run(db, {"manage", "li", "--values", "-5,007,12"});
  const auto u = run(db, {"manage", "lu", "--values", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"});
  CHECK(contains(u.out, "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'")); // as the type prints it
  run(db, {"manage", "ld", "--values", "2026-01-05,2026-02-01"});
  run(db, {"manage", "lv", "--values", "ab,cde"});
  db.exec("INSERT INTO lv VALUES ('zz')");
  const auto plan = run(db, {"plan", "lv", "-f", "json"});
  const auto doc = nlohmann::json::parse(plan.out);
  const auto& create = doc["parents"][0]["actions"][0];
  CHECK(create["values"] == nlohmann::json::array({"ab"}));
  CHECK(create["sql"][1] == "LOCK TABLE ONLY \"public\".\"lv_default\" IN ACCESS EXCLUSIVE MODE");
  run(db, {"apply"});
  CHECK(partitions_of(db, "li") == "public.li_12|FOR VALUES IN (12)\npublic.li_7|FOR VALUES IN (7)\n"
                                   "public.li_m5|FOR VALUES IN ('-5')\n");
  CHECK(
      partitions_of(db, "lu") ==
      "public.lu_a0eebc999c0b4ef8bb6d6bb9bd380a11|FOR VALUES IN ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')\n");
  CHECK(partitions_of(db, "ld") == "public.ld_20260105|FOR VALUES IN ('2026-01-05')\n"
                                   "public.ld_20260201|FOR VALUES IN ('2026-02-01')\n");
  CHECK(contains(partitions_of(db, "lv"), "public.lv_ab|FOR VALUES IN ('ab')\n"));
  db.exec(
      "INSERT INTO li VALUES (-5), (7); INSERT INTO ld VALUES ('2026-02-01'); INSERT INTO lv VALUES ('ab')");
  CHECK(placement(db, "li", "k") == "li_7|7|7|1\nli_m5|-5|-5|1\n");
  CHECK(db.scalar("SELECT tableoid::regclass::text FROM lv WHERE k = 'zz'") == "lv_default");
  CHECK(action_count(run(db, {"plan", "-f", "json"}).out) == 0);
  const auto status = run(db, {"status", "lv"});
  CHECK(contains(status.out, "default partition \"public\".\"lv_default\" holds 1 row(s)"));
}

TEST_CASE("LIST from a values query: read at plan time, read-only, a new value gets its partition first")
{
  TestDb db;
  set_up(db, "CREATE TABLE regions (code text); INSERT INTO regions VALUES ('eu'), ('us'), ('us'); "
             "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); "
             "CREATE TABLE other (k int NOT NULL) PARTITION BY LIST (k); CREATE SEQUENCE s");
  const auto m = run(db, {"manage", "sales", "--values-query", "SELECT code FROM regions ORDER BY code;  "});
  CHECK(contains(m.out, "values from the query 'SELECT code FROM regions ORDER BY code'"));
  CHECK(contains(m.out, "(it gives 2 value(s) now)"));
  run(db, {"manage", "other", "--values", "1"});
  run(db, {"apply"});
  CHECK(db.scalar(
            "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'sales_%'") ==
        "sales_eu,sales_us");

  db.exec("INSERT INTO regions VALUES ('apac')");
  const auto plan = run(db, {"plan", "sales"});
  CHECK(contains(plan.out, "+ create \"public\".\"sales_apac\" IN ('apac')"));
  run(db, {"apply"});
  db.exec("INSERT INTO sales VALUES ('apac')");
  CHECK(db.scalar("SELECT tableoid::regclass::text FROM sales") == "sales_apac");

  // A query that fails at plan time fails its own parent only, and changes nothing.
  db.exec("ALTER TABLE regions RENAME TO regions_old");
  const std::string before = fingerprint(db);
  const auto broken = db.partman({"apply"});
  CHECK(broken.exit_code == 3);
  CHECK(contains(broken.out,
                 "error: the values query of \"public\".\"sales\" failed: relation \"regions\" does "
                 "not exist"));
  CHECK(contains(broken.out, "\"public\".\"other\"\n  nothing to do"));
  CHECK(fingerprint(db) == before);
  db.exec("ALTER TABLE regions_old RENAME TO regions");

  // A slow query is cancelled by a statement timeout (60 s, or the session's shorter one): its parent fails
  // alone, and the other parents are planned.
  run(db, {"manage", "sales", "--values-query", "SELECT code FROM regions, pg_sleep(3)"});
  const auto slow_started = std::chrono::steady_clock::now();
  const auto slow = db.partman({"plan"}, {{"PGOPTIONS", "-c statement_timeout=300ms"}});
  CHECK(std::chrono::steady_clock::now() - slow_started < std::chrono::seconds(3));
  CHECK(slow.exit_code == 3);
  CHECK(contains(slow.out, "failed: canceling statement due to statement timeout; HINT: it runs read-only at "
                           "plan time, for at most 60s"));
  CHECK(contains(slow.out,
                 "\"public\".\"other\" (list of 1 value(s), unlisted values: keep)\n  nothing to do"));
  run(db, {"manage", "sales", "--values-query", "SELECT code FROM regions"});

  // A query runs read-only: one that writes (here through nextval) is refused, at manage and at plan.
  const auto writes = db.partman({"manage", "sales", "--values-query",
                                  "SELECT code FROM regions WHERE "
                                  "nextval('s') > 0"});
  CHECK(writes.exit_code == 2);
  CHECK(contains(writes.err, "cannot execute nextval() in a read-only transaction"));
  CHECK(db.scalar("SELECT last_value || ' ' || is_called FROM s") == "1 false");
  db.exec(
      "UPDATE partman.policy SET values_query = 'SELECT code FROM regions WHERE nextval(''s'') > 0' WHERE "
      "parent_table = 'sales'");
  const auto plan_writes = db.partman({"apply", "sales"});
  CHECK(plan_writes.exit_code == 3);
  CHECK(contains(plan_writes.out, "read-only transaction"));
  CHECK(db.scalar("SELECT last_value || ' ' || is_called FROM s") == "1 false");

  // NULL is refused with a clear message.
  db.exec("INSERT INTO regions VALUES (NULL)");
  const auto null = db.partman({"manage", "sales", "--values-query", "SELECT code FROM regions"});
  CHECK(null.exit_code == 2);
  CHECK(contains(null.err, "gives NULL; HINT:"));
}
