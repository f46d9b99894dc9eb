// Integer ranges and epoch integers against a real server: premake from the data, rows land, retention.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "harness.hpp"
#include "shapes_util.hpp"
#include "util.hpp"

using namespace partman::test;
using namespace partman::test::shapes;

namespace {

// Returns the sequential and index scans the server counted on `table`, as "seq/idx".
std::string scans_of(TestDb& db, const std::string& table)
{
  db.scalar("SELECT pg_stat_clear_snapshot()");
  return db.scalar("SELECT seq_scan || '/' || coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relid = " +
                   db.conn().quote(table) + "::regclass");
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
