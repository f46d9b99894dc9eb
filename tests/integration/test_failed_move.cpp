// What a create that moves rows out of a default partition leaves when it fails (its empty table dropped
// and its history row closed, or its rows kept for the next run to adopt), what drain-default says then,
// and how many messages (round trips) plain parents' actions take.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::managed_parent;
using partman::test::TestDb;

namespace {

// Makes ev (daily, a default partition) with 333 rows of 2026-03-10 in its default partition, ids 1 to 333
// in the order they were written, and a trigger that refuses to delete the default partition's rows with
// an id above `refuse_above`.
void default_with_rows(TestDb& db, int refuse_above)
{
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL, note text) PARTITION BY RANGE (at)");
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--default-partition"});
  REQUIRE(db.partman({"apply", "--at", "2026-03-01"}).exit_code == 0);
  db.exec("INSERT INTO ev SELECT g, '2026-03-10 00:00+00'::timestamptz + g * interval '1 minute', 'row' "
          "FROM generate_series(1, 333) g");
  db.exec("CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.id > " +
          std::to_string(refuse_above) +
          " THEN RAISE EXCEPTION 'the test refuses to delete row %', OLD.id; END IF; RETURN OLD; END $$");
  db.exec("CREATE TRIGGER refuse BEFORE DELETE ON ev_default FOR EACH ROW EXECUTE FUNCTION refuse_delete()");
}

// Runs drain-default on ev at 2026-03-01 in batches of 100 rows.
partman::test::CommandResult drain(TestDb& db)
{
  return db.partman({"drain-default", "ev", "--batch-size", "100", "--at", "2026-03-01"});
}

// Drops the trigger and drains again: it completes, every row in ev_p20260310.
void drain_without_trigger(TestDb& db)
{
  db.exec("DROP TRIGGER refuse ON ev_default");
  const auto r = drain(db);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM ev_p20260310") == "333");
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_default") == "0");
}

} // namespace

TEST_CASE("a failed drain-default drops the empty table it made, closes its history row, names the cause")
{
  TestDb db;
  default_with_rows(db, 0); // no row can leave the default partition
  const auto r = drain(db);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 3);
  // The real cause, not rows that fit no partition.
  for (const char* said : {"stopped: create \"public\".\"ev_p20260310\" failed: ERROR:  the test refuses to "
                           "delete row 1",
                           "its new table \"public\".\"ev_p20260310\" held no row and was dropped",
                           "the drain stopped at that failure"})
    CHECK(contains(r.out, said));
  CHECK_FALSE(contains(r.out, "fit no partition"));
  // Nothing left behind: no table, no 'started' history row; the rows are where they were.
  CHECK(db.scalar("SELECT to_regclass('ev_p20260310')::text") == "");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'started'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'failed' AND partition_name = "
                  "'ev_p20260310' AND error LIKE '%refuses to delete row 1%held no row and was dropped'") ==
        "1");
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_default") == "333");
  drain_without_trigger(db); // once the cause is gone, the drain completes
}

TEST_CASE("a failed drain-default keeps the rows it moved in their new table, and the next drain adopts it")
{
  TestDb db;
  default_with_rows(db, 250); // the third batch of 100 fails, the first two moved
  const auto r = drain(db);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 3);
  CHECK(contains(r.out, "the test refuses to delete row 2"));
  CHECK(contains(r.out,
                 "the rows moved so far wait in \"public\".\"ev_p20260310\", which the next run adopts"));
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_p20260310") == "200");
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_default") == "133");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'started'") == "1");
  drain_without_trigger(db); // adopts the table
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'started'") == "0");
}

TEST_CASE("a plain parent's actions each take one message, as before Citus support")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  db.exec("CREATE TABLE side (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  db.exec("CREATE TABLE side_default PARTITION OF side DEFAULT");
  managed_parent(db, "ev",
                 {"--interval", "daily", "--premake", "1", "--retention", "2 days", "--retention-action",
                  "drop", "--start", "2026-02-25"});
  managed_parent(db, "side",
                 {"--interval", "daily", "--premake", "1", "--retention", "2 days", "--retention-action",
                  "drop", "--start", "2026-02-25"});
  REQUIRE(db.partman({"apply", "--at", "2026-02-26"}).exit_code == 0);
  const auto r = db.partman({"apply", "--at", "2026-03-01", "--force", "--format", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto report = nlohmann::json::parse(r.out);
  std::map<std::string, std::vector<int>> messages; // "parent action" -> each action's messages
  for (const auto& p : report["parents"]) {
    for (const auto& a : p["actions"])
      messages[p["parent"].get<std::string>() + " " + a["action"].get<std::string>()].push_back(
          a["messages"].get<int>());
  }
  // A create, and a drop beside a default partition: BEGIN, its statements, the history row and COMMIT
  // in one message.
  CHECK(messages["\"public\".\"ev\" create"] == std::vector<int>{1, 1, 1});
  CHECK(messages["\"public\".\"side\" create"] == std::vector<int>{1, 1, 1});
  CHECK(messages["\"public\".\"side\" drop"] == std::vector<int>{1, 1});
  // DETACH ... CONCURRENTLY runs outside a transaction block: its started row, the detach, the drop and
  // the row's update.
  CHECK(messages["\"public\".\"ev\" drop"] == std::vector<int>{4, 4});
}
