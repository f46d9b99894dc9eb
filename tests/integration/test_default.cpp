// Default partitions against a real server: manage --default-partition, rows of a new range moved out of the
// default partition before the attach (time, integer and LIST parents), with concurrent inserts, with apply
// killed mid-move, and drain-default.
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::default_parent;
using partman::test::managed_parent;
using partman::test::TestDb;

namespace {

// Returns the number of rows `sql` (a FROM clause and after) counts.
long long count(TestDb& db, const std::string& from)
{
  return std::stoll(db.scalar("SELECT count(*) FROM " + from));
}

// Returns the table that holds each row of ev, as "table:rows" lines in name order.
std::string holders(TestDb& db, const std::string& parent)
{
  return partman::test::join_lines(db.column("SELECT tableoid::regclass::text || ':' || count(*) FROM " +
                                             parent + " GROUP BY tableoid ORDER BY 1"));
}

// Inserts `n` rows into ev spread over `day` (a date, UTC), with ids from `first`.
void insert_rows(TestDb& db, const std::string& day, long long first, long long n)
{
  db.exec("INSERT INTO ev (id, at, note) SELECT " + std::to_string(first) + " + g, '" + day +
          " 00:00+00'::timestamptz + g * interval '1 microsecond' * " + std::to_string(86400000000LL / n) +
          ", 'row' FROM generate_series(0, " + std::to_string(n - 1) + ") g");
}

} // namespace

TEST_CASE("manage --default-partition creates one at once, apply makes a missing one again, and "
          "--no-default-partition leaves it and its rows alone")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--default-partition"});
  CHECK(db.scalar("SELECT default_partition FROM partman.policy") == "t");
  // manage made it at once, so rows written before the first run have a place.
  const std::string default_of_ev =
      "SELECT partdefid::regclass::text FROM pg_partitioned_table WHERE partrelid = 'ev'::regclass";
  CHECK(db.scalar(default_of_ev) == "ev_default");
  db.exec("INSERT INTO ev (id, at) VALUES (1, '2030-01-01 00:00+00')");
  CHECK(holders(db, "ev") == "ev_default:1\n");

  // One that goes missing is made again by the next run, as the parent's last action.
  db.exec("ALTER TABLE ev DETACH PARTITION ev_default; DROP TABLE ev_default");
  const auto plan = db.partman({"plan", "--at", "2026-01-10"});
  INFO(plan.out << plan.err);
  CHECK(contains(plan.out,
                 "+ create \"public\".\"ev_default\"\n      default partition: the policy keeps one\n"
                 "      locks: SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new "
                 "(empty) table"));
  const auto sql = db.partman({"plan", "--at", "2026-01-10", "-f", "sql"});
  CHECK(contains(sql.out, "LOCK TABLE ONLY \"public\".\"ev\" IN SHARE UPDATE EXCLUSIVE MODE;\nCREATE TABLE "
                          "\"public\".\"ev_default\" (LIKE \"public\".\"ev\""));
  CHECK(
      contains(sql.out, "ALTER TABLE \"public\".\"ev\" ATTACH PARTITION \"public\".\"ev_default\" DEFAULT;"));
  const auto apply = db.partman({"apply", "--at", "2026-01-10"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(db.scalar(default_of_ev) == "ev_default");
  db.exec("INSERT INTO ev (id, at) VALUES (1, '2030-01-01 00:00+00'), (2, '2030-01-02 00:00+00')");
  CHECK(holders(db, "ev") == "ev_default:2\n");
  CHECK(contains(db.partman({"status", "--at", "2026-01-10"}).out,
                 "default partition \"public\".\"ev_default\" holds 2 row(s)"));

  const auto no = db.partman({"manage", "ev", "--no-default-partition"});
  INFO(no.err);
  REQUIRE(no.exit_code == 0);
  CHECK(db.scalar("SELECT default_partition FROM partman.policy") == "f");
  const auto again = db.partman({"apply", "--at", "2026-01-10"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "nothing to do"));
  CHECK(holders(db, "ev") == "ev_default:2\n");
}

TEST_CASE("rows of a new range in the default partition move into it before the attach, nothing lost")
{
  TestDb db;
  default_parent(db);
  insert_rows(db, "2026-01-14", 1, 5000);     // the next premake slot at 2026-01-12
  insert_rows(db, "2026-01-20", 100000, 300); // beyond premake: stays
  db.exec("ANALYZE ev_default");
  CHECK(holders(db, "ev") == "ev_default:5300\n");

  const auto json = db.partman({"plan", "--at", "2026-01-12", "-f", "json", "--batch-size", "700"});
  INFO(json.out << json.err);
  REQUIRE(json.exit_code == 0);
  const auto doc = nlohmann::json::parse(json.out);
  const auto& actions = doc["parents"][0]["actions"];
  REQUIRE(actions.size() == 2);
  // The 13th has no rows in the default partition: whatever the estimate finds moves with the attach.
  CHECK(actions[0]["name"] == "ev_p20260113");
  CHECK(actions[0]["move"]["estimated_rows"].get<long long>() <= 1);
  CHECK(actions[0]["move"]["batched"] == false);
  const auto& move = actions[1]["move"];
  CHECK(actions[1]["name"] == "ev_p20260114");
  CHECK(move["from"] == "\"public\".\"ev_default\"");
  CHECK(move["batched"] == true);
  CHECK(move["batch_size"] == 700);
  // An estimate, from the server's statistics: near the 5000 rows.
  CHECK(move["estimated_rows"].get<long long>() > 2500);
  CHECK(move["estimated_rows"].get<long long>() < 10000);
  const auto text = db.partman({"plan", "--at", "2026-01-12"});
  CHECK(contains(text.out, "moves: about "));
  CHECK(contains(text.out,
                 " rows of its range (estimated) from \"public\".\"ev_default\" into the new, not yet "
                 "attached table, in batches of 10000 rows"));

  const auto apply = db.partman({"apply", "--at", "2026-01-12", "--batch-size", "700"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(contains(apply.out,
                 "created \"public\".\"ev_p20260114\" [2026-01-14 00:00:00+00:00, 2026-01-15 "
                 "00:00:00+00:00) (moved 5000 rows out of the default partition before the attach)"));
  CHECK(contains(apply.err,
                 "moved 100 rows out of \"public\".\"ev_default\" (5000 so far; the last ones move "
                 "with the attach)"));
  CHECK(holders(db, "ev") == "ev_default:300\nev_p20260114:5000\n");
  CHECK(count(db, "ev WHERE id BETWEEN 1 AND 5000") == 5000);
  CHECK(db.scalar("SELECT count(DISTINCT id) FROM ev") == "5300");
  CHECK(db.scalar("SELECT string_agg(outcome, ',' ORDER BY id) FROM partman.history WHERE partition_name = "
                  "'ev_p20260114'") == "ok");
  CHECK(partman::test::action_count(db.partman({"plan", "--at", "2026-01-12", "-f", "json"}).out) == 0);
}

TEST_CASE("rows in the default partition move for integer ranges and LIST values too")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  SECTION("integer ranges")
  {
    db.exec("CREATE TABLE n (id bigint NOT NULL, v text) PARTITION BY RANGE (id)");
    db.exec("CREATE TABLE n_default PARTITION OF n DEFAULT");
    db.exec("INSERT INTO n SELECT g, 'v' FROM generate_series(0, 2499) g");
    db.exec("ANALYZE n_default");
    REQUIRE(db.partman({"manage", "n", "--interval", "1000", "--premake", "1"}).exit_code == 0);
    const auto apply = db.partman({"apply", "--batch-size", "300"});
    INFO(apply.out << apply.err);
    REQUIRE(apply.exit_code == 0);
    CHECK(holders(db, "n") == "n_default:500\nn_p0:1000\nn_p1000:1000\n");
    CHECK(db.scalar("SELECT min(id) || '-' || max(id) FROM n_default") == "2000-2499");
  }
  SECTION("LIST values")
  {
    db.exec("CREATE TABLE l (region text NOT NULL, v int) PARTITION BY LIST (region)");
    db.exec("CREATE TABLE l_default PARTITION OF l DEFAULT");
    db.exec("INSERT INTO l SELECT r, g FROM unnest(ARRAY['eu', 'us', 'apac']) r, generate_series(1, 40) g "
            "WHERE r <> 'apac' OR g <= 10");
    db.exec("ANALYZE l_default");
    REQUIRE(db.partman({"manage", "l", "--values", "eu,us"}).exit_code == 0);
    const auto apply = db.partman({"apply", "--batch-size", "15"});
    INFO(apply.out << apply.err);
    REQUIRE(apply.exit_code == 0);
    CHECK(holders(db, "l") == "l_default:10\nl_eu:40\nl_us:40\n");
  }
}

TEST_CASE("inserts into the parent while rows move out of the default partition: the final count is exact")
{
  TestDb db;
  default_parent(db);
  const long long initial = 60000;
  insert_rows(db, "2026-01-14", 1, initial);
  db.exec("ANALYZE ev_default");

  // A second session inserts rows one by one, into the range being moved, beside it, and into the default
  // partition, until told to stop; it counts the inserts that committed.
  std::atomic<bool> stop{false};
  std::atomic<long long> ok_in_range{0}, ok_elsewhere{0}, failed{0};
  std::atomic<long long> during{0};
  std::thread inserter([&] {
    pqxx::connection conn("dbname=" + db.name());
    for (long long i = 0; !stop; ++i) {
      const bool in_range = i % 2 == 0;
      const std::string at = in_range     ? "2026-01-14 12:00+00"
                             : i % 4 == 1 ? "2026-01-11 12:00+00"
                                          : "2026-01-20";
      try {
        pqxx::nontransaction tx(conn);
        tx.exec("INSERT INTO ev (id, at, note) VALUES (" + std::to_string(1000000 + i) + ", '" + at +
                "', 'concurrent')");
        ++(in_range ? ok_in_range : ok_elsewhere);
      } catch (const pqxx::sql_error&) {
        ++failed; // waited on the default partition's lock through the attach: PostgreSQL re-checks its bound
      }
    }
  });
  while (ok_in_range + ok_elsewhere < 20)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const long long before = ok_in_range + ok_elsewhere;
  const auto apply = db.partman({"apply", "--at", "2026-01-12", "--batch-size", "1000"});
  during = ok_in_range + ok_elsewhere - before;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  inserter.join();
  INFO(apply.out << apply.err << "inserts during the apply: " << during << ", in range " << ok_in_range
                 << ", elsewhere " << ok_elsewhere << ", failed " << failed);
  REQUIRE(apply.exit_code == 0);
  CHECK(during > 10);
  CHECK(count(db, "ev") == initial + ok_in_range + ok_elsewhere);
  CHECK(count(db, "ev_p20260114") == initial + ok_in_range);
  CHECK(count(db, "ONLY ev_default WHERE at >= '2026-01-14' AND at < '2026-01-15'") == 0);
  CHECK(db.scalar("SELECT count(*) - count(DISTINCT id) FROM ev") == "0");
}

TEST_CASE("apply killed while rows move out of the default partition converges, nothing lost or doubled")
{
  TestDb db;
  default_parent(db);
  const long long rows = 200000;
  insert_rows(db, "2026-01-14", 1, rows);
  insert_rows(db, "2026-01-25", 500000, 7); // stays in the default partition
  db.exec("ANALYZE ev_default");
  // Every row is in the default partition or in the table being filled, exactly once.
  const auto check_rows = [&] {
    const bool table = db.scalar("SELECT to_regclass('ev_p20260114') IS NOT NULL") == "t";
    const std::string in = table ? "SELECT id FROM ONLY ev_p20260114 UNION ALL " : "";
    CHECK(db.scalar("SELECT count(*) || '/' || count(DISTINCT id) FROM (" + in +
                    "SELECT id FROM ONLY ev_default) r") ==
          std::to_string(rows + 7) + "/" + std::to_string(rows + 7));
  };
  std::mt19937 rng(20260114);
  std::uniform_int_distribution<int> delay_ms(30, 600);
  std::string log;
  int killed_mid_move = 0;
  for (int run = 0; run < 6; ++run) {
    const int delay = delay_ms(rng);
    const auto started = db.start_partman({"apply", "--at", "2026-01-12", "--batch-size", "500"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    kill(started.pid, SIGKILL);
    const auto r = partman::test::finish_command(started);
    partman::test::wait_for_orphans(db);
    const std::string attached =
        db.scalar("SELECT relispartition FROM pg_class WHERE oid = to_regclass('ev_p20260114')");
    const std::string state =
        attached.empty()  ? "no table"
        : attached == "t" ? "attached"
                          : "unattached, " + db.scalar("SELECT count(*) FROM ONLY ev_p20260114") + " rows";
    killed_mid_move += contains(state, "unattached");
    log += "run " + std::to_string(run + 1) + ": killed after " + std::to_string(delay) + " ms (exit " +
           std::to_string(r.exit_code) + "): " + state + "\n";
    INFO(log);
    check_rows();
    if (contains(state, "attached") && !contains(state, "unattached"))
      break;
  }
  INFO(log);
  CHECK(killed_mid_move > 0);
  const auto apply = db.partman({"apply", "--at", "2026-01-12", "--batch-size", "500"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  check_rows();
  CHECK(holders(db, "ev") == "ev_default:7\nev_p20260114:200000\n");
  CHECK(partman::test::action_count(db.partman({"plan", "--at", "2026-01-12", "-f", "json"}).out) == 0);
  CHECK(
      db.scalar("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
                "AND NOT relispartition") == "0");
  // The killed runs' 'started' rows were closed by the run that adopted their table.
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'started'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'failed' AND error LIKE "
                  "'interrupted; adopted by run %'") == "1");
}

TEST_CASE("drain-default moves rows that fit a partition it can create and reports those that fit none")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  SECTION("time ranges")
  {
    db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL, note text) PARTITION BY RANGE (at)");
    managed_parent(db, "ev",
                   {"--interval", "daily", "--premake", "1", "--default-partition", "--retention", "30 days",
                    "--retention-action", "drop"});
    REQUIRE(db.partman({"apply", "--at", "2026-03-01"}).exit_code == 0);
    for (const char* day : {"2026-03-10", "2026-03-11", "2026-03-12"})
      insert_rows(db, day, std::string(day).back() * 1000, 333);
    insert_rows(db, "2025-06-01", 1, 50); // expired under retention: fits nowhere
    const auto r = db.partman({"drain-default", "ev", "--batch-size", "100", "--at", "2026-03-01"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "default partition \"public\".\"ev_default\" holds 1049 rows"));
    CHECK(contains(r.out, "[2026-03-10 00:00:00+00:00, 2026-03-11 00:00:00+00:00): creating "
                          "\"public\".\"ev_p20260310\" and moving its rows into it"));
    CHECK(contains(r.out, "3 partition(s) created, 999 rows moved in batches; 50 rows stay in "
                          "\"public\".\"ev_default\""));
    CHECK(contains(r.out, "[2025-06-01 00:00:00+00:00, 2025-06-02 00:00:00+00:00): it has expired under the "
                          "policy's retention"));
    CHECK(contains(r.out, "for example the keys 2025-06-01 00:00:00+00, 2025-06-01 00:28:48+00"));
    CHECK(contains(r.err, "moved 100 rows out of \"public\".\"ev_default\""));
    CHECK(holders(db, "ev") == "ev_default:50\nev_p20260310:333\nev_p20260311:333\nev_p20260312:333\n");
    // Nothing left to do: a second run moves nothing.
    const auto again = db.partman({"drain-default", "ev", "--at", "2026-03-01"});
    CHECK(again.exit_code == 0);
    CHECK(contains(again.out, "0 partition(s) created, 0 rows moved in batches; 50 rows stay"));
  }
  SECTION("LIST values")
  {
    db.exec("CREATE TABLE l (region text, v int) PARTITION BY LIST (region)");
    db.exec("CREATE TABLE l_default PARTITION OF l DEFAULT");
    db.exec("INSERT INTO l SELECT r, g FROM unnest(ARRAY['eu', 'us', 'xx']) r, generate_series(1, 20) g");
    db.exec("INSERT INTO l VALUES (NULL, 1)");
    REQUIRE(db.partman({"manage", "l", "--values", "eu,us"}).exit_code == 0);
    const auto r = db.partman({"drain-default", "l", "--batch-size", "7"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "2 partition(s) created, 40 rows moved in batches; 21 rows stay"));
    CHECK(contains(r.out, "'xx': the policy does not list it"));
    CHECK(contains(r.out, "1 rows with a NULL key"));
    CHECK(holders(db, "l") == "l_default:21\nl_eu:20\nl_us:20\n");
  }
  SECTION("without a default partition, or on an unmanaged parent")
  {
    managed_parent(db, "ev", {"--interval", "daily"});
    const auto r = db.partman({"drain-default", "ev"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "has no default partition: nothing to drain"));
    db.exec("CREATE TABLE other (at timestamptz) PARTITION BY RANGE (at)");
    const auto unmanaged = db.partman({"drain-default", "other"});
    CHECK(unmanaged.exit_code == 2);
    CHECK(contains(unmanaged.err, "is not managed by partman"));
  }
}
