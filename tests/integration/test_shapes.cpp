// Integer ranges, epoch integers and LIST partitions against a real server: manage, plan, apply, rows in
// the right partitions, retention, the largest value found without scanning old partitions, values
// queries, and bad input.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "harness.hpp"
#include "partman/db/bound_node.hpp"
#include "partman/db/list_values.hpp"
#include "util.hpp"

using partman::test::action_count;
using partman::test::CommandResult;
using partman::test::contains;
using partman::test::fingerprint;
using partman::test::join_lines;
using partman::test::partitions_of;
using partman::test::run;
using partman::test::TestDb;

namespace {

// Returns "partition|min|max|count" lines: where the rows of `table` landed.
std::string placement(TestDb& db, const std::string& table, const std::string& key)
{
  return join_lines(db.column("SELECT tableoid::regclass::text || '|' || min(" + key +
                              ")::text || '|' || max(" + key + ")::text || '|' || count(*) FROM " + table +
                              " GROUP BY tableoid ORDER BY 1"));
}

// Returns the bound of partition `name` as the server deparses it.
std::string bound_of(TestDb& db, const std::string& name)
{
  return db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = to_regclass(" +
                   db.conn().quote(name) + ")");
}

// Returns the sequential and index scans the server counted on `table`, as "seq/idx".
std::string scans_of(TestDb& db, const std::string& table)
{
  db.scalar("SELECT pg_stat_clear_snapshot()");
  return db.scalar("SELECT seq_scan || '/' || coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relid = " +
                   db.conn().quote(table) + "::regclass");
}

// Installs partman in `db` and runs `tables` (the test's tables).
void set_up(TestDb& db, const std::string& tables)
{
  run(db, {"install"});
  db.exec(tables);
}

} // namespace

TEST_CASE("integer ranges: premake from the largest value, rows land, retention drops, second apply idle")
{
  TestDb db;
  set_up(db, "CREATE TABLE orders (id bigint NOT NULL, note text) PARTITION BY RANGE (id); "
             "CREATE INDEX ON orders (id)");
  const auto m = run(db, {"manage", "orders", "--interval", "1000", "--premake", "2", "--retention", "3000",
                          "--retention-action", "drop"});
  CHECK(contains(m.out,
                 "managing \"public\".\"orders\": integer ranges on \"id\" (bigint), width 1000, premake "
                 "2, retention 3000 (drop)"));
  CHECK(db.scalar("SELECT shape || ' ' || partition_interval || ' ' || retention FROM partman.policy") ==
        "integer 1000 3000");

  // An empty table counts from 0.
  const auto first = run(db, {"apply"});
  CHECK(contains(first.out, "Done: 3 created"));
  CHECK(partitions_of(db, "orders") == "public.orders_p0|FOR VALUES FROM ('0') TO ('1000')\n"
                                       "public.orders_p1000|FOR VALUES FROM ('1000') TO ('2000')\n"
                                       "public.orders_p2000|FOR VALUES FROM ('2000') TO ('3000')\n");
  CHECK(contains(run(db, {"apply"}).out, "Done: 0 created"));

  // Rows up to 2999: premake follows the data, not the clock.
  db.exec("INSERT INTO orders SELECT g, 'o' || g FROM generate_series(0, 2999) g");
  const auto plan = run(db, {"plan"});
  CHECK(contains(plan.out, "+ create \"public\".\"orders_p3000\" [3000, 4000)"));
  CHECK(contains(plan.out, "premake: 1 of 2 ahead of the largest value 2999"));
  CHECK(contains(run(db, {"apply"}).out, "Done: 2 created, 0 dropped"));
  db.exec("INSERT INTO orders SELECT g, 'o' || g FROM generate_series(3000, 4999) g");
  const std::string before = placement(db, "orders", "id");
  CHECK(before == "orders_p0|0|999|1000\norders_p1000|1000|1999|1000\norders_p2000|2000|2999|1000\n"
                  "orders_p3000|3000|3999|1000\norders_p4000|4000|4999|1000\n");

  // The largest value is now 4999: two more ahead, and partitions not above 4999 - 3000 expire.
  const auto status = run(db, {"status", "orders"});
  CHECK(contains(status.out, "largest value 4999"));
  CHECK(contains(status.out, "\"public\".\"orders_p0\""));
  const auto applied = run(db, {"apply"});
  CHECK(contains(applied.out, "Done: 2 created, 1 dropped"));
  CHECK(contains(applied.out, "dropped \"public\".\"orders_p0\""));
  CHECK(db.scalar("SELECT to_regclass('orders_p0') IS NULL") == "t");
  CHECK(db.scalar("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_inherits i ON "
                  "i.inhrelid = c.oid WHERE i.inhparent = 'orders'::regclass") ==
        "orders_p1000,orders_p2000,orders_p3000,orders_p4000,orders_p5000,orders_p6000");
  const std::string settled = fingerprint(db);
  CHECK(contains(run(db, {"apply"}).out, "Done: 0 created, 0 dropped"));
  CHECK(fingerprint(db) == settled);
  CHECK(db.scalar("SELECT count(*) FROM orders") == "4000");
}

TEST_CASE("integer ranges: negative values, smallint's end in MAXVALUE, --start for an empty table")
{
  TestDb db;
  set_up(db, "CREATE TABLE ledger (n integer NOT NULL) PARTITION BY RANGE (n)");
  run(db, {"manage", "ledger", "--interval", "500", "--premake", "1", "--start", "-1200"});
  run(db, {"apply"});
  CHECK(partitions_of(db, "ledger") == "public.ledger_pm1000|FOR VALUES FROM ('-1000') TO ('-500')\n"
                                       "public.ledger_pm1500|FOR VALUES FROM ('-1500') TO ('-1000')\n");
  db.exec("INSERT INTO ledger VALUES (-1500), (-1001), (-1000), (-501)");
  CHECK(placement(db, "ledger", "n") == "ledger_pm1000|-1000|-501|2\nledger_pm1500|-1500|-1001|2\n");
  run(db, {"apply"});
  CHECK(action_count(run(db, {"plan", "-f", "json"}).out) == 0);

  db.exec("CREATE TABLE small (k smallint NOT NULL) PARTITION BY RANGE (k)");
  run(db, {"manage", "small", "--interval", "10000", "--premake", "5", "--start", "25000"});
  run(db, {"apply", "small"});
  CHECK(partitions_of(db, "small") == "public.small_p20000|FOR VALUES FROM ('20000') TO ('30000')\n"
                                      "public.small_p30000|FOR VALUES FROM ('30000') TO (MAXVALUE)\n");
  db.exec("INSERT INTO small VALUES (32767)");
  CHECK(action_count(run(db, {"plan", "small", "-f", "json"}).out) == 0);
}

TEST_CASE("integer ranges: the largest value comes from the newest partitions, never a scan of old ones")
{
  TestDb db;
  set_up(db,
         "CREATE TABLE big (id bigint NOT NULL, pad text) PARTITION BY RANGE (id); CREATE INDEX ON big (id); "
         "CREATE TABLE noidx (id bigint NOT NULL) PARTITION BY RANGE (id)");
  run(db, {"manage", "big", "--interval", "1000", "--premake", "4", "--start", "0"});
  run(db, {"manage", "noidx", "--interval", "1000", "--premake", "4", "--start", "0"});
  run(db, {"apply"});
  db.exec("INSERT INTO big SELECT g, repeat('x', 50) FROM generate_series(0, 2499) g; "
          "INSERT INTO noidx SELECT g FROM generate_series(0, 2499) g; ANALYZE big; ANALYZE noidx");
  run(db, {"apply"}); // premake from 2499: up to [6000, 7000)
  REQUIRE(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'big'::regclass") == "7");

  const std::vector<std::string> old = {"big_p0", "big_p1000", "noidx_p0", "noidx_p1000"};
  std::map<std::string, std::string> before;
  for (const auto& t : old)
    before[t] = scans_of(db, t);
  const std::string top_big = scans_of(db, "big_p2000");
  const std::string top_noidx = scans_of(db, "noidx_p2000");
  const std::string empty_big = scans_of(db, "big_p6000");

  const auto status = run(db, {"status"});
  CHECK(contains(status.out, "largest value 2499"));
  const auto plan = run(db, {"plan"});
  CHECK(contains(plan.out, "nothing to do"));
  // A backend reports its counters as it exits, which may be a moment after partman has.
  for (int i = 0; i < 100 && scans_of(db, "big_p2000") == top_big; ++i)
    usleep(50000);

  for (const auto& t : old) {
    INFO(t);
    CHECK(scans_of(db, t) == before[t]); // older partitions were never read
  }
  // The newest partitions were read (two runs): the empty ones and the one that holds the largest value,
  // by index where there is one.
  CHECK(scans_of(db, "big_p6000") != empty_big);
  CHECK(scans_of(db, "big_p2000") != top_big);
  CHECK(scans_of(db, "noidx_p2000") != top_noidx);
  const std::string idx_before = top_big.substr(top_big.find('/') + 1);
  const std::string idx_after = scans_of(db, "big_p2000");
  CHECK(std::stoll(idx_after.substr(idx_after.find('/') + 1)) > std::stoll(idx_before));

  // Deleting the newest rows moves the largest value down to the next partition that holds any.
  db.exec("DELETE FROM big WHERE id >= 2000");
  CHECK(contains(run(db, {"status", "big"}).out, "largest value 1999"));
}

TEST_CASE("epoch seconds and milliseconds: time slots in a zone, integer bounds, rows land by instant")
{
  TestDb db;
  set_up(db, "CREATE TABLE clicks (ts bigint NOT NULL) PARTITION BY RANGE (ts); "
             "CREATE TABLE taps (ms bigint NOT NULL) PARTITION BY RANGE (ms)");
  const auto m =
      run(db, {"manage", "clicks", "--interval", "daily", "--epoch", "seconds", "--premake", "2",
               "--timezone", "Europe/Berlin", "--retention", "2 days", "--retention-action", "drop"});
  CHECK(contains(m.out,
                 "1 day on \"ts\" (bigint, epoch seconds), premake 2, retention 2 days (drop), time zone "
                 "Europe/Berlin"));
  run(db, {"manage", "taps", "--interval", "daily", "--epoch", "ms", "--premake", "1", "--timezone",
           "Europe/Berlin"});
  const std::string at = "2026-03-28 12:00"; // Berlin springs forward in the night to the 29th
  run(db, {"apply", "--at", at});
  const auto epoch = [&](const std::string& local, const char* factor = "") {
    return db.scalar("SELECT (extract(epoch FROM timestamptz '" + local + " Europe/Berlin')" + factor +
                     ")::bigint");
  };
  CHECK(bound_of(db, "clicks_p20260329") ==
        "FOR VALUES FROM ('" + epoch("2026-03-29 00:00") + "') TO ('" + epoch("2026-03-30 00:00") + "')");
  CHECK(std::stoll(epoch("2026-03-30 00:00")) - std::stoll(epoch("2026-03-29 00:00")) == 23 * 3600);
  CHECK(bound_of(db, "taps_p20260328") == "FOR VALUES FROM ('" + epoch("2026-03-28 00:00", " * 1000") +
                                              "') TO ('" + epoch("2026-03-29 00:00", " * 1000") + "')");
  db.exec("INSERT INTO clicks VALUES (extract(epoch FROM timestamptz '2026-03-29 23:59:59 Europe/Berlin')), "
          "(extract(epoch FROM timestamptz '2026-03-30 00:00:00 Europe/Berlin')); INSERT INTO taps VALUES "
          "((extract(epoch FROM timestamptz '2026-03-28 23:59:59.999 Europe/Berlin') * 1000)::bigint)");
  CHECK(db.column("SELECT tableoid::regclass::text FROM clicks ORDER BY ts") ==
        std::vector<std::string>{"clicks_p20260329", "clicks_p20260330"});
  CHECK(db.scalar("SELECT tableoid::regclass::text FROM taps") == "taps_p20260328");
  CHECK(action_count(run(db, {"plan", "--at", at, "-f", "json"}).out) == 0);

  const auto status = run(db, {"status", "clicks", "--at", at});
  CHECK(contains(status.out, "2026-03-29 00:00:00+01:00      2026-03-30 00:00:00+02:00      future"));
  const auto doc = nlohmann::json::parse(run(db, {"status", "clicks", "--at", at, "-f", "json"}).out);
  CHECK(doc["parents"][0]["partitions"][0]["from"] == epoch("2026-03-28 00:00"));
  CHECK(doc["parents"][0]["partitions"][0]["from_time"] == "2026-03-28T00:00:00+01:00");

  // Four days later the 28th and 29th have expired (retention judges the instants the bounds hold).
  const auto later = run(db, {"apply", "--at", "2026-04-01 12:00"});
  CHECK(contains(later.out, "dropped \"public\".\"clicks_p20260328\""));
  CHECK(contains(later.out, "dropped \"public\".\"clicks_p20260329\""));
  CHECK(!contains(later.out, "clicks_p20260330\" in"));
  CHECK(db.column("SELECT tableoid::regclass::text FROM clicks") ==
        std::vector<std::string>{"clicks_p20260330"});
}

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

TEST_CASE("shapes: bad input exits 2, names the value, and changes nothing")
{
  TestDb db;
  set_up(db, "CREATE TABLE orders (id bigint NOT NULL) PARTITION BY RANGE (id); "
             "CREATE TABLE ev (at timestamptz NOT NULL) PARTITION BY RANGE (at); "
             "CREATE TABLE small (k smallint NOT NULL) PARTITION BY RANGE (k); "
             "CREATE TABLE four (k integer NOT NULL) PARTITION BY RANGE (k); "
             "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); "
             "CREATE TABLE li (k int NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lv (k varchar(3) NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lts (k timestamptz NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE hashed (k int NOT NULL) PARTITION BY HASH (k)");
  run(db, {"manage", "sales", "--values", "eu"});
  const std::string before = fingerprint(db);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"manage", "orders", "--interval", "daily"},
       "interval 'daily' is not a whole number, but the key \"id\""},
      {{"manage", "orders", "--interval", "0"}, "invalid interval '0'"},
      {{"manage", "orders", "--interval", "1000", "--retention", "10"},
       "retention 10 is smaller than the width"},
      {{"manage", "orders", "--interval", "1000", "--retention", "30 days"}, "invalid retention '30 days'"},
      {{"manage", "orders", "--interval", "1000", "--start", "2026-01-01"}, "invalid start '2026-01-01'"},
      {{"manage", "orders", "--interval", "1 day", "--epoch", "weeks"}, "invalid epoch unit 'weeks'"},
      {{"manage", "orders", "--interval", "1000", "--epoch", "seconds"}, "interval '1000' is a plain number"},
      {{"manage", "ev", "--interval", "1000"}, "interval '1000' is a plain number, but the key \"at\""},
      {{"manage", "ev", "--interval", "daily", "--epoch", "seconds"},
       "the key \"at\" of \"public\".\"ev\" is timestamp with time zone, not an integer"},
      {{"manage", "small", "--interval", "daily", "--epoch", "seconds"},
       "epoch time needs an integer or bigint key"},
      {{"manage", "four", "--interval", "daily", "--epoch", "milliseconds"},
       "epoch milliseconds need a bigint"},
      {{"manage", "orders", "--values", "a"},
       "\"public\".\"orders\" is partitioned BY RANGE, and a list of values applies"},
      {{"manage", "sales", "--interval", "daily"},
       "\"public\".\"sales\" is partitioned BY LIST, and an interval applies"},
      {{"manage", "sales", "--values", "eu,,us"}, "--values: an empty value in 'eu,,us'"},
      {{"manage", "sales", "--values", "a", "--values-query", "SELECT 'b'"}, "not both"},
      {{"manage", "sales", "--values", "a,a"}, "value 'a' is given twice"},
      {{"manage", "sales", "--list-retention", "shred"}, "invalid list retention 'shred'"},
      {{"manage", "sales", "--list-retention", "archive"},
       "list retention 'archive' needs a storage location"},
      {{"manage", "sales", "--values-query", "SELECT code FROM nowhere"},
       "relation \"nowhere\" does not exist"},
      {{"manage", "sales", "--values-query", "SELECT NULL::text"}, "gives NULL"},
      {{"manage", "li", "--values", "1,x"}, "invalid input syntax for type integer: \"x\""},
      {{"manage", "li", "--values", "1,01"}, "value '01' is given twice (also as '1')"},
      {{"manage", "li", "--values", "99999999999"}, "out of range for type integer"},
      {{"manage", "lv", "--values", "abcd"}, "value 'abcd' does not fit the key's type character varying(3)"},
      {{"manage", "lts", "--values", "2026-01-01"}, "partman plans"},
      {{"manage", "hashed", "--interval", "10"}, "is not partitioned BY RANGE"},
      {{"manage", "li"}, "its values are required"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = db.partman(args);
    INFO(join_lines(args) << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, message));
    CHECK(r.out.empty());
  }
  CHECK(fingerprint(db) == before);
}

TEST_CASE("shapes: plan sql runs in psql like apply, a saved plan is refused once the values change")
{
  TestDb db;
  set_up(db, "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); "
             "CREATE TABLE orders (id bigint NOT NULL) PARTITION BY RANGE (id)");
  run(db, {"manage", "sales", "--values", "eu,us", "--value", "it's"});
  run(db, {"manage", "orders", "--interval", "100", "--start", "-150", "--premake", "1"});
  const auto sql = run(db, {"plan", "-f", "sql"});
  const std::string file = partman::test::write_temp_file(sql.out);
  const std::string psql = partman::test::find_on_path("psql");
  REQUIRE(!psql.empty());
  const auto ran = partman::test::run_command({psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file},
                                              {{"PGDATABASE", db.name()}});
  unlink(file.c_str());
  INFO(ran.out << ran.err);
  REQUIRE(ran.exit_code == 0);
  CHECK(partitions_of(db, "orders") == "public.orders_pm100|FOR VALUES FROM ('-100') TO ('0')\n"
                                       "public.orders_pm200|FOR VALUES FROM ('-200') TO ('-100')\n");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'sales'::regclass") == "3");
  CHECK(action_count(run(db, {"plan", "-f", "json"}).out) == 0);

  char path[] = "/tmp/partman-shapes-plan.XXXXXX";
  close(mkstemp(path));
  run(db, {"manage", "sales", "--values", "eu,us,apac", "--value", "it's"});
  run(db, {"plan", "--out", path});
  run(db, {"manage", "sales", "--values", "eu,us,apac,emea", "--value", "it's"});
  const auto stale = db.partman({"apply", "--plan", path});
  CHECK(stale.exit_code == 2);
  CHECK(contains(stale.err, "has changed since"));
  run(db, {"plan", "--out", path});
  const auto fresh = run(db, {"apply", "--plan", path});
  CHECK(contains(fresh.out, "Done: 2 created"));
  unlink(path);
}

TEST_CASE("shapes: retention archives integer and LIST partitions, restore --attach puts both back")
{
  TestDb db;
  partman::test::TempDir dir;
  const std::string storage = dir.uri();
  set_up(db, "CREATE TABLE orders (id bigint NOT NULL, note text) PARTITION BY RANGE (id); "
             "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region)");
  run(db, {"manage", "orders", "--interval", "1000", "--premake", "1", "--start", "0"});
  run(db, {"manage", "sales", "--values", "a,b,c"});
  run(db, {"apply"});
  db.exec("INSERT INTO orders SELECT g, 'n' || g FROM generate_series(0, 1999) g; "
          "INSERT INTO sales VALUES ('a'), ('b'), ('c')");
  run(db, {"apply"});
  db.exec("INSERT INTO orders SELECT g, 'n' || g FROM generate_series(2000, 2999) g");
  run(db,
      {"manage", "orders", "--retention", "1500", "--retention-action", "archive", "--archive-to", storage});
  run(db, {"manage", "sales", "--values", "a,b", "--list-retention", "archive", "--archive-to", storage});
  const auto applied = run(db, {"apply"});
  CHECK(contains(applied.out, "archived and dropped \"public\".\"orders_p0\""));
  CHECK(contains(applied.out, "archived and dropped \"public\".\"sales_c\""));
  CHECK(db.scalar("SELECT to_regclass('orders_p0') IS NULL AND to_regclass('sales_c') IS NULL") == "t");

  const auto list = nlohmann::json::parse(run(db, {"archive", "list", "-f", "json"}).out).at("archives");
  REQUIRE(list.size() == 2);
  long long orders_id = 0, sales_id = 0;
  for (const auto& a : list) {
    CHECK(a.at("state") == "dropped");
    if (contains(a.at("partition").get<std::string>(), "orders_p0")) {
      orders_id = a.at("id").get<long long>();
      CHECK(a.at("bounds") == nlohmann::json{{"from", "0"}, {"to", "1000"}});
    } else {
      sales_id = a.at("id").get<long long>();
      CHECK(a.at("bounds").is_null());
      CHECK(a.at("for_values") == "FOR VALUES IN ('c')");
    }
  }
  REQUIRE(orders_id != 0);
  REQUIRE(sales_id != 0);
  run(db, {"restore", std::to_string(orders_id), "--attach"});
  CHECK(bound_of(db, "orders_p0") == "FOR VALUES FROM ('0') TO ('1000')");
  CHECK(db.scalar("SELECT count(*) FROM orders WHERE id < 1000") == "1000");
  // A LIST partition goes back with the bound the server deparsed before the detach.
  run(db, {"restore", std::to_string(sales_id), "--attach"});
  CHECK(bound_of(db, "sales_c") == "FOR VALUES IN ('c')");
  CHECK(db.scalar("SELECT count(*) FROM sales WHERE region = 'c'") == "1");
}

TEST_CASE("shapes: LIST bounds read back value for value from the server's deparsed text")
{
  std::vector<std::string> values;
  bool null_value = false;
  REQUIRE(
      partman::db::parse_list_bound("FOR VALUES IN ('a'', ''b', '', 'x, y', 'back\\slash', 7, '-5', NULL, "
                                    "'it''s')",
                                    values, null_value));
  CHECK(values == std::vector<std::string>{"a', 'b", "", "x, y", "back\\slash", "7", "-5", "it's"});
  CHECK(null_value);
  values.clear();
  null_value = false;
  REQUIRE(partman::db::parse_list_bound("FOR VALUES IN ('''')", values, null_value));
  CHECK(values == std::vector<std::string>{"'"});
  CHECK(!null_value);
  for (const std::string bad :
       {"FOR VALUES IN ('open)", "FOR VALUES FROM (1) TO (2)", "DEFAULT", "FOR VALUES IN ('a' 'b')"}) {
    INFO(bad);
    std::vector<std::string> out;
    CHECK(!partman::db::parse_list_bound(bad, out, null_value));
  }
}

TEST_CASE("shapes: range bounds read from the server's node trees equal the server's own reading")
{
  TestDb db;
  db.exec("CREATE TABLE tz (k timestamptz) PARTITION BY RANGE (k);"
          "CREATE TABLE tz_a PARTITION OF tz FOR VALUES FROM ('2026-03-29 01:00+00') TO ('2026-03-29 "
          "02:00:00.5+00');"
          "CREATE TABLE tz_b PARTITION OF tz FOR VALUES FROM (MINVALUE) TO ('1969-12-31 23:59:59.999999+00');"
          "CREATE TABLE tz_c PARTITION OF tz FOR VALUES FROM ('2400-01-01+00') TO (MAXVALUE);"
          "CREATE TABLE ts (k timestamp) PARTITION BY RANGE (k);"
          "CREATE TABLE ts_a PARTITION OF ts FOR VALUES FROM ('-infinity') TO ('1900-01-01');"
          "CREATE TABLE ts_b PARTITION OF ts FOR VALUES FROM ('2026-11-25 04:20') TO ('infinity');"
          "CREATE TABLE d (k date) PARTITION BY RANGE (k);"
          "CREATE TABLE d_a PARTITION OF d FOR VALUES FROM ('1999-12-31') TO ('2000-01-02');"
          "CREATE TABLE d_b PARTITION OF d FOR VALUES FROM ('2028-02-29') TO ('2028-03-01');"
          "CREATE TABLE i8 (k bigint) PARTITION BY RANGE (k);"
          "CREATE TABLE i8_a PARTITION OF i8 FOR VALUES FROM (-9223372036854775807) TO (-1);"
          "CREATE TABLE i8_b PARTITION OF i8 FOR VALUES FROM (0) TO (9223372036854775807);"
          "CREATE TABLE i4 (k integer) PARTITION BY RANGE (k);"
          "CREATE TABLE i4_a PARTITION OF i4 FOR VALUES FROM (-2147483648) TO (2147483647);"
          "CREATE TABLE i2 (k smallint) PARTITION BY RANGE (k);"
          "CREATE TABLE i2_a PARTITION OF i2 FOR VALUES FROM (-32768) TO (300);");
  // The server's reading: microseconds since 1970 (UTC for timestamptz, wall clock otherwise), or the
  // integer; empty for MINVALUE, MAXVALUE and the infinities.
  const auto expected = [&](const std::string& table, const char* side) {
    return db.scalar("SELECT CASE WHEN v IN ('MINVALUE', 'MAXVALUE', 'infinity', '-infinity') THEN '' "
                     "WHEN t = 'timestamp with time zone' THEN (extract(epoch FROM v::timestamptz) * "
                     "1000000)::bigint::text WHEN t = 'timestamp without time zone' THEN (extract(epoch FROM "
                     "v::timestamp) * 1000000)::bigint::text WHEN t = 'date' THEN (extract(epoch FROM "
                     "v::date) * 1000000)::bigint::text ELSE v END FROM (SELECT btrim((regexp_match("
                     "pg_get_expr(c.relpartbound, c.oid), 'FROM \\((.*)\\) TO \\((.*)\\)'))[" +
                     std::string(side) +
                     "], '''') AS v, format_type(a.atttypid, a.atttypmod) AS t FROM pg_class "
                     "c JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_attribute a ON a.attrelid = "
                     "i.inhparent AND a.attname = 'k' WHERE c.relname = '" +
                     table + "') x");
  };
  const auto text = [](const std::optional<partman::core::Micros>& v) {
    return v ? std::to_string(*v) : std::string();
  };
  for (const std::string table :
       {"tz_a", "tz_b", "tz_c", "ts_a", "ts_b", "d_a", "d_b", "i8_a", "i8_b", "i4_a", "i2_a"}) {
    INFO(table);
    const std::string node =
        db.scalar("SELECT relpartbound::text FROM pg_class WHERE relname = '" + table + "'");
    std::optional<partman::core::Micros> lower, upper;
    REQUIRE(partman::db::parse_bound_node(node, lower, upper));
    CHECK(text(lower) == expected(table, "1"));
    CHECK(text(upper) == expected(table, "2"));
    // A field the reader does not expect (as a later PostgreSQL might add) is searched past.
    std::string extended = node;
    for (auto at = extended.find(" :constlen "); at != std::string::npos;
         at = extended.find(" :constlen ", at + 30))
      extended.insert(at, " :constfuture {X :y 1}");
    std::optional<partman::core::Micros> lower2, upper2;
    REQUIRE(partman::db::parse_bound_node(extended, lower2, upper2));
    CHECK((lower2 == lower && upper2 == upper));
    // Any cut of the tree is refused (or still reads right), never read past its end.
    for (std::size_t cut = 0; cut < node.size(); cut += 7) {
      std::optional<partman::core::Micros> l, u;
      const std::string part = node.substr(0, cut);
      if (partman::db::parse_bound_node(part, l, u))
        CHECK((l == lower && u == upper));
    }
  }
  std::optional<partman::core::Micros> lower, upper;
  CHECK(
      !partman::db::parse_bound_node("{PARTITIONBOUNDSPEC :strategy l :listdatums ({CONST})}", lower, upper));
  CHECK(!partman::db::parse_bound_node("", lower, upper));
}

TEST_CASE("shapes: a bound past the year 294247 is not read from the node tree (it would overflow), one "
          "before it is")
{
  TestDb db;
  // Microseconds since 1970 end in 294247: the reader once overflowed past it (undefined behaviour, wrapped
  // to a bound in the past).
  db.exec(
      "CREATE TABLE far_tz (k timestamptz) PARTITION BY RANGE (k);"
      "CREATE TABLE far_tz_a PARTITION OF far_tz FOR VALUES FROM ('2026-01-01+00') TO ('294270-01-01+00');"
      "CREATE TABLE far_tz_b PARTITION OF far_tz FOR VALUES FROM ('294270-01-01+00') TO (MAXVALUE);"
      "CREATE TABLE far_d (k date) PARTITION BY RANGE (k);"
      "CREATE TABLE far_d_a PARTITION OF far_d FOR VALUES FROM ('2026-01-01') TO ('5000000-01-01');"
      "CREATE TABLE near_d (k date) PARTITION BY RANGE (k);"
      "CREATE TABLE near_d_a PARTITION OF near_d FOR VALUES FROM ('2026-01-01') TO ('294246-12-31');"
      "CREATE TABLE near_ts (k timestamp) PARTITION BY RANGE (k);"
      "CREATE TABLE near_ts_a PARTITION OF near_ts FOR VALUES FROM ('2026-01-01') TO ('294246-12-31');");
  const auto node = [&](const std::string& table) {
    return db.scalar("SELECT relpartbound::text FROM pg_class WHERE relname = '" + table + "'");
  };
  for (const std::string table : {"far_tz_a", "far_tz_b", "far_d_a"}) {
    INFO(table);
    std::optional<partman::core::Micros> lower, upper;
    CHECK_FALSE(partman::db::parse_bound_node(node(table), lower, upper));
  }
  const std::string last = db.scalar("SELECT (extract(epoch FROM date '294246-12-31') * 1000000)::bigint");
  for (const std::string table : {"near_d_a", "near_ts_a"}) {
    INFO(table);
    std::optional<partman::core::Micros> lower, upper;
    REQUIRE(partman::db::parse_bound_node(node(table), lower, upper));
    CHECK((upper && std::to_string(*upper) == last));
  }
}
