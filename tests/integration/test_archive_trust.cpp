// Archives that must not lose a row or stop other parents: writes to a partition while it is exported, and
// names that are no valid storage key as they stand.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "archive_util.hpp"
#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TempDir;
using partman::test::TestDb;
using namespace partman::test::archive;

namespace {

// What the writer did to one partition while partman exported it.
struct Attempt
{
  std::string table;
  bool committed = false;
  std::string error;
};

// Waits for partman's COPY of an expired partition to be running, then deletes one row of that partition
// and inserts another in one transaction (the row count stays the same), under a short lock timeout.
// Returns what happened, or an empty table when no COPY was seen within 60 s.
Attempt write_during_export(const std::string& dbname, std::atomic<bool>& stop)
{
  Attempt out;
  pqxx::connection conn("dbname=" + dbname);
  pqxx::nontransaction watch(conn);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    const auto r = watch.exec("SELECT substring(query FROM 'ev_p2026030[123]') FROM pg_stat_activity WHERE "
                              "datname = current_database() AND state = 'active' AND query LIKE 'COPY %'");
    if (!r.empty() && !r[0][0].is_null()) {
      out.table = r[0][0].as<std::string>();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  watch.commit();
  if (out.table.empty())
    return out;
  try {
    pqxx::work tx(conn);
    tx.exec("SET LOCAL lock_timeout = '300ms'");
    tx.exec("DELETE FROM " + out.table + " WHERE id = (SELECT min(id) FROM " + out.table + ")");
    tx.exec("INSERT INTO " + out.table +
            " (id, ts, note) SELECT -1, min(ts), 'written during the export' FROM " + out.table);
    tx.commit();
    out.committed = true;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

} // namespace

TEST_CASE("archive: a write to a partition during its export is blocked, never lost")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 60000);
  const auto before = digests(db);
  std::atomic<bool> stop{false};
  Attempt attempt;
  std::thread writer([&] { attempt = write_during_export(db.name(), stop); });
  const auto apply = db.partman({"apply", "--at", k_at});
  stop = true;
  writer.join();
  INFO(apply.out << apply.err);
  INFO("writer: " << attempt.table << (attempt.committed ? " committed" : " refused: ") << attempt.error);
  REQUIRE_FALSE(attempt.table.empty()); // the writer saw an export running; otherwise this proves nothing
  CHECK(apply.exit_code == 0);
  // The write waited for the export's lock; it failed (lock timeout, or the table was gone when it got it).
  CHECK_FALSE(attempt.committed);
  // Every partition left, each archive restores exactly what the partition held before the run.
  for (const auto& a : archives(db)) {
    CHECK(a.at("state") == "dropped");
    const std::string partition = a.at("partition").get<std::string>();
    const std::string name = partition.substr(10, partition.size() - 11);
    const std::string restored = "back_" + name;
    REQUIRE(
        db.partman({"restore", std::to_string(a.at("id").get<long long>()), "--into", restored}).exit_code ==
        0);
    CHECK(table_digest(db, restored) == before.at(name));
  }
}

TEST_CASE("archive: names that are no storage key as they stand are encoded, other parents go on")
{
  TempDir dir;
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  // A schema with a slash and a table named "..", one with a tab and a leading dot, and a healthy parent
  // after them: each is archived under an encoded key inside the folder, and none stops the others.
  db.exec(
      "CREATE SCHEMA \"a/b\"; CREATE TABLE \"a/b\".\"..\" (id bigint, ts timestamptz NOT NULL) PARTITION BY "
      "RANGE (ts); CREATE TABLE \".tab\tbed\" (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE (ts); "
      "CREATE TABLE zz_healthy (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
  const std::vector<std::string> parents = {"\"a/b\".\"..\"", "\".tab\tbed\"", "zz_healthy"};
  for (const auto& p : parents) {
    partman::test::run(db, {"manage", p, "--interval", "daily", "--premake", "2", "--start", "2026-03-01"});
    partman::test::run(db, {"apply", p, "--at", "2026-03-03 00:00"});
    db.exec("INSERT INTO " + p +
            " SELECT g, '2026-03-01'::timestamptz + g * interval '1 minute' FROM "
            "generate_series(0, 99) g");
    partman::test::run(db, {"manage", p, "--retention", "2 days", "--retention-action", "archive",
                            "--archive-to", dir.uri()});
  }
  const auto apply = db.partman({"apply", "--at", "2026-03-06 12:00"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM partman.archive WHERE state = 'dropped'") == "9"); // 3 days each
  CHECK(db.scalar("SELECT count(*) FROM partman.archive WHERE state <> 'dropped'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM zz_healthy") == "0");
  // Every file is inside the folder, none hidden, none named ".."; each archive restores its 100 rows.
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path)) {
    const std::string name = e.path().filename().string();
    CHECK(name.front() != '.');
    CHECK(name.find('\t') == std::string::npos);
  }
  CHECK(files_with(dir.path, "copy.zst").size() == 9);
  for (const auto& id : db.column("SELECT id FROM partman.archive WHERE rows > 0 ORDER BY id")) {
    partman::test::run(db, {"restore", id, "--into", "public.restored_" + id});
    CHECK(db.scalar("SELECT count(*) FROM restored_" + id) == "100");
  }
  CHECK(db.scalar("SELECT count(*) FROM partman.archive WHERE rows > 0") == "3");
}
