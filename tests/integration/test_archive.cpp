// Retention action 'archive' against real storage: expired partitions are exported, verified and only then
// dropped; restore brings back every value; faults (out of space, unreachable storage, a corrupt copy,
// rows changed after the export, a run killed at random moments) never lose the table, and a rerun
// completes.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/mount.h>
#include <sys/wait.h>
#include <thread>

#include "archive_util.hpp"
#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TempDir;
using partman::test::TestDb;

namespace {

using namespace partman::test::archive;

// Applies at k_at and checks every expired partition was archived and dropped, then restores each as a
// table and compares it with what it held.
void archive_and_restore_all(TestDb& db, const std::map<std::string, std::string>& before)
{
  const auto apply = db.partman({"apply", "--at", k_at});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  CHECK(contains(apply.out, "3 archived"));
  for (const auto& p : k_expired)
    CHECK_FALSE(table_exists(db, p));
  const auto list = archives(db);
  REQUIRE(list.size() == 3);
  for (const auto& a : list) {
    CHECK(a.at("state") == "dropped");
    const std::string name = a.at("partition").get<std::string>().substr(std::string("\"public\".\"").size());
    const std::string partition = name.substr(0, name.size() - 1);
    const std::string restored = "restored_" + partition;
    const auto r = db.partman({"restore", std::to_string(a.at("id").get<long long>()), "--into", restored});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(table_digest(db, restored) == before.at(partition));
    CHECK(std::to_string(a.at("rows").get<long long>()) + "" ==
          db.scalar("SELECT count(*) FROM " + restored));
  }
  const auto again = db.partman({"plan", "--at", k_at, "-f", "json"});
  CHECK(partman::test::action_count(again.out) == 0);
}

} // namespace

TEST_CASE("archive to files: expired partitions are exported, verified, dropped, and restore brings back "
          "every value")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 400);
  const auto before = digests(db);
  const auto plan = db.partman({"plan", "--at", k_at});
  CHECK(contains(plan.out, "3 to archive"));
  CHECK(contains(plan.out, "then: export \"public\".\"ev_p20260301\""));
  archive_and_restore_all(db, before);

  // The copy is where archive list says, with a manifest that describes it.
  const auto list = archives(db);
  const auto& first = list.back(); // oldest first is last
  const std::string data = first.at("data").get<std::string>().substr(std::string("file://").size());
  const std::string manifest_path =
      first.at("manifest").get<std::string>().substr(std::string("file://").size());
  const auto manifest = nlohmann::json::parse(partman::test::read_file(manifest_path));
  CHECK(manifest.at("format") == "partman-archive");
  CHECK(manifest.at("version") == 1);
  CHECK(manifest.at("parent").at("table") == "ev");
  CHECK(manifest.at("bounds").at("from") == "2026-03-01 00:00:00+00:00");
  CHECK(manifest.at("data").at("rows") == first.at("rows"));
  CHECK(manifest.at("data").at("sha256") == first.at("sha256"));
  CHECK(manifest.at("columns").size() == 10);
  const auto sum = partman::test::run_command({partman::test::find_on_path("sha256sum"), data});
  CHECK(sum.out.substr(0, 64) == first.at("sha256").get<std::string>());
  CHECK(files_with(dir.path, ".tmp").empty());

  // The documented restore without partman: zstd and psql only.
  db.exec("CREATE TABLE by_hand (LIKE ev)");
  const auto by_hand = partman::test::run_command(
      {partman::test::find_on_path("bash"), "-c",
       "zstd -dc '" + data + "' | psql -q -v ON_ERROR_STOP=1 -d " + db.name() + " -c '\\copy by_hand (" +
           manifest.at("data").at("copy_columns").get<std::string>() + ") FROM STDIN'"});
  INFO(by_hand.err);
  CHECK(by_hand.exit_code == 0);
  CHECK(table_digest(db, "by_hand") == before.at("ev_p20260301"));

  // Attached again, with its bounds: the parent holds the rows again.
  const auto attach = db.partman({"restore", std::to_string(first.at("id").get<long long>()), "--attach"});
  INFO(attach.out << attach.err);
  REQUIRE(attach.exit_code == 0);
  CHECK(table_digest(db, "ev_p20260301") == before.at("ev_p20260301"));
  CHECK(db.scalar("SELECT count(*) FROM ev WHERE ts < '2026-03-02'") == before.at("ev_p20260301").substr(33));
  CHECK(db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'ev_p20260301'") ==
        "FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-03-02 00:00:00+00')");
}

TEST_CASE("archive beside a default partition detaches in one transaction and archives the same way")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 50, true);
  const auto before = digests(db);
  archive_and_restore_all(db, before);
}

TEST_CASE("archive: bad input is refused and changes nothing")
{
  TempDir dir;
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE ev (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
  const auto no_uri = db.partman({"manage", "ev", "--interval", "daily", "--retention-action", "archive"});
  CHECK(no_uri.exit_code == 2);
  CHECK(contains(no_uri.err, "--archive-to"));
  const auto bad_uri = db.partman({"manage", "ev", "--interval", "daily", "--retention-action", "archive",
                                   "--archive-to", "ftp://host/x"});
  CHECK(bad_uri.exit_code == 2);
  CHECK(contains(bad_uri.err, "ftp://host/x"));
  const auto unwritable = db.partman({"manage", "ev", "--interval", "daily", "--retention-action", "archive",
                                      "--archive-to", "file:///proc/partman-cannot-write-here"});
  CHECK(unwritable.exit_code == 2);
  CHECK(contains(unwritable.err, "cannot write"));
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
  const auto no_archive = db.partman({"restore", "42"});
  CHECK(no_archive.exit_code == 2);
  CHECK(contains(no_archive.err, "no archive #42"));
  const auto bad_id = db.partman({"restore", "forty-two"});
  CHECK(bad_id.exit_code == 2);
  CHECK(contains(bad_id.err, "forty-two"));
}

TEST_CASE("archive: a drop that fails keeps the table and its rows, a rerun exports what it then holds, a "
          "damaged copy is refused by restore")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 100);
  // A view on the first expired partition makes its DROP fail after the copy was verified: the export, the
  // verification and the drop are one transaction, so the table is kept and its archive marked failed.
  db.exec("CREATE VIEW holds_p0301 AS SELECT * FROM ev_p20260301");
  const auto first = db.partman({"apply", "--at", k_at});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 3);
  CHECK(contains(first.out, "depend"));
  CHECK(table_exists(db, "ev_p20260301"));
  CHECK(db.scalar("SELECT state FROM partman.archive WHERE partition_name = 'ev_p20260301'") == "failed");
  CHECK(db.scalar("SELECT error FROM partman.archive WHERE partition_name = 'ev_p20260301'").find("depend") !=
        std::string::npos);

  // Rows written to the kept table before the next run are in its next copy.
  db.exec("INSERT INTO ev_p20260301 (id, ts) VALUES (999999, '2026-03-01 01:00+00')");
  db.exec("DROP VIEW holds_p0301");
  const std::string expected = table_digest(db, "ev_p20260301");
  const auto rerun = db.partman({"apply", "--at", k_at});
  INFO(rerun.out << rerun.err);
  CHECK(rerun.exit_code == 0);
  CHECK_FALSE(table_exists(db, "ev_p20260301"));
  const auto id = db.scalar("SELECT id FROM partman.archive WHERE partition_name = 'ev_p20260301'");
  REQUIRE(db.partman({"restore", id, "--into", "back"}).exit_code == 0);
  CHECK(table_digest(db, "back") == expected);

  // A copy damaged in storage afterwards: restore checks the checksum and restores nothing.
  const auto data = files_with(dir.path, "ev_p20260301.")[0].find("copy.zst") != std::string::npos
                        ? files_with(dir.path, "ev_p20260301.")[0]
                        : files_with(dir.path, "ev_p20260301.")[1];
  {
    std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x55');
  }
  const auto damaged = db.partman({"restore", id, "--into", "back_again"});
  INFO(damaged.out << damaged.err);
  CHECK(damaged.exit_code == 5);
  CHECK_FALSE(table_exists(db, "back_again"));
}

TEST_CASE("archive: restore refuses a manifest of another shape with exit 5 and names it, and makes no table")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 10);
  REQUIRE(db.partman({"apply", "--at", k_at}).exit_code == 0);
  const auto id = db.scalar("SELECT id FROM partman.archive WHERE partition_name = 'ev_p20260301'");
  const auto manifest = files_with(dir.path, "ev_p20260301." + id + ".manifest.json");
  REQUIRE(manifest.size() == 1);
  // Valid JSON each (anyone who can write to the storage can change it): it once escaped as a JSON
  // library error, exit 1.
  for (const std::string bad : {"[]", R"({"format": "partman-archive", "version": 1})",
                                R"({"format": "partman-archive", "version": "1", "columns": []})",
                                R"({"format": "partman-archive", "version": 1, "columns": {"name": "id"}})",
                                R"({"format": "partman-archive", "version": 1, "columns": [{"name": "id"}]})",
                                R"({"format": "partman-archive", "version": 1, "columns": [{"name": "id", )"
                                R"("type": 20, "not_null": true}]})"}) {
    INFO(bad);
    std::ofstream(manifest[0], std::ios::trunc) << bad;
    const auto r = db.partman({"restore", id, "--into", "back"});
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "the manifest file://" + manifest[0] +
                              " is not a partman archive manifest this version reads"));
    CHECK_FALSE(table_exists(db, "back"));
  }
  // A column type that is SQL of its own: refused before anything runs, never a second statement.
  for (const std::string type : {"bigint); CREATE TABLE pwned (i int", "bigint DEFAULT pg_sleep(0)"}) {
    INFO(type);
    std::ofstream(manifest[0], std::ios::trunc)
        << nlohmann::json{{"format", "partman-archive"},
                          {"version", 1},
                          {"columns", {{{"name", "id"}, {"type", type}, {"not_null", false}}}}}
               .dump();
    const auto r = db.partman({"restore", id, "--into", "back"});
    CHECK(r.exit_code == 5);
    CHECK(contains(r.err, "which is no type name of this database"));
    CHECK_FALSE(table_exists(db, "back"));
    CHECK_FALSE(table_exists(db, "pwned"));
  }
}

TEST_CASE("archive: storage out of space keeps the table and leaves no partial file, a rerun completes")
{
  TempDir dir;
  // A real small filesystem: tmpfs of 64 KiB (the tests run as root, as tests/run does in CI).
  REQUIRE(mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=64k") == 0);
  struct Unmount
  {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{dir.path.string()};
  TestDb db;
  set_up(db, dir.uri(), 2000); // md5 text does not compress below 64 KiB
  const auto before = digests(db);
  const auto full = db.partman({"apply", "--at", k_at});
  INFO(full.out << full.err);
  CHECK(full.exit_code == 3);
  CHECK(contains(full.out, "No space left on device"));
  for (const auto& p : k_expired) {
    CHECK(table_exists(db, p));
    CHECK(table_digest(db, p) == before.at(p));
  }
  CHECK(files_with(dir.path, ".tmp").empty());
  CHECK(files_with(dir.path, ".copy.zst").empty());

  REQUIRE(mount("tmpfs", dir.path.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
  archive_and_restore_all(db, before);
}

namespace {

// Returns the temporary files in `dir` (recursively): a writer's data before it is renamed into place.
std::vector<std::string> temp_files(const fs::path& dir)
{
  std::vector<std::string> out;
  std::error_code ec; // files come and go while partman writes
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (contains(it->path().filename().string(), ".tmp"))
      out.push_back(it->path().string());
  }
  return out;
}

// After runs were killed: one apply to completion archives every expired partition exactly once, each
// archive restoring what its partition held, and leaves no temporary file in the folder `dir`.
void check_converged(TestDb& db, const fs::path& dir, const std::map<std::string, std::string>& before)
{
  const auto apply = db.partman({"apply", "--at", k_at});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);
  for (const auto& p : k_expired)
    CHECK_FALSE(table_exists(db, p));
  const auto list = archives(db);
  std::map<std::string, int> dropped;
  for (const auto& a : list) {
    CHECK(a.at("state") == "dropped");
    const std::string partition = a.at("partition").get<std::string>();
    const std::string name = partition.substr(10, partition.size() - 11);
    ++dropped[name];
    const std::string restored = "back_" + name;
    const auto r = db.partman({"restore", std::to_string(a.at("id").get<long long>()), "--into", restored});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(table_digest(db, restored) == before.at(name));
  }
  CHECK(dropped == std::map<std::string, int>{{"ev_p20260301", 1}, {"ev_p20260302", 1}, {"ev_p20260303", 1}});
  CHECK(temp_files(dir).empty());
}

} // namespace

TEST_CASE("archive: apply killed at random moments converges, every archive verified, no row lost")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 60000);
  const auto before = digests(db);
  std::mt19937 rng(Catch::rngSeed());
  int killed_mid_work = 0;
  // Kill runs while work remains (each run goes further, or redoes what the kill cut off), at most 12.
  for (int i = 0; i < 12; ++i) {
    if (partman::test::action_count(db.partman({"plan", "--at", k_at, "-f", "json"}).out) == 0)
      break;
    const auto started = db.start_partman({"apply", "--at", k_at});
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 300)(rng)));
    kill(started.pid, SIGKILL);
    killed_mid_work += partman::test::finish_command(started).exit_code == 128 + SIGKILL;
    // The killed client's backend ends when it notices; wait for it so the next run does not queue on it.
    partman::test::wait_for_orphans(db);
  }
  INFO("killed " << killed_mid_work << " runs mid-work");
  CHECK(killed_mid_work >= 3);
  check_converged(db, dir.path, before);
}

TEST_CASE("archive: a run killed while it writes a copy leaves a partial file, and the next run removes it")
{
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 60000);
  const auto before = digests(db);
  // Killed as soon as the first copy's temporary file is there (a killed process runs no clean-up); a kill
  // that lands just after the rename leaves none, so try again, at most 5 times.
  std::vector<std::string> left;
  for (int attempt = 0; attempt < 5 && left.empty(); ++attempt) {
    const auto started = db.start_partman({"apply", "--at", k_at});
    for (int i = 0; i < 60000 && temp_files(dir.path).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    kill(started.pid, SIGKILL);
    partman::test::finish_command(started);
    partman::test::wait_for_orphans(db);
    left = temp_files(dir.path);
  }
  REQUIRE(left.size() == 1);
  check_converged(db, dir.path, before);
}

namespace {

// The S3 location of this test's archives, on the server tests/s3_temp.sh started.
std::string s3_uri(const TestDb& db)
{
  const char* base = std::getenv("PARTMAN_TEST_S3_URI");
  REQUIRE(base != nullptr); // tests/run always starts the S3 server; run the tests through it
  return std::string(base) + "/archive-" + db.name();
}

// Polls until `sql` returns `value` (at most 20 s); returns whether it did.
bool wait_for(TestDb& db, const std::string& sql, const std::string& value)
{
  for (int i = 0; i < 4000; ++i) {
    if (db.scalar(sql) == value)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

} // namespace

TEST_CASE("archive to S3: exported, verified, dropped, and restored value for value")
{
  TestDb db;
  set_up(db, s3_uri(db), 300);
  const auto before = digests(db);
  archive_and_restore_all(db, before);
  const auto list = archives(db);
  CHECK(contains(list.back().at("data").get<std::string>(), "s3://partman-test/archive-"));
}

TEST_CASE("archive to S3: unreachable storage and an upload killed half-way keep the table, a rerun "
          "completes")
{
  TestDb db;
  set_up(db, s3_uri(db), 60000);
  const auto before = digests(db);

  // Nothing listens on port 9 of loopback.
  const auto unreachable = db.partman({"apply", "--at", k_at}, {{"AWS_ENDPOINT_URL", "http://127.0.0.1:9"}});
  INFO(unreachable.out << unreachable.err);
  CHECK(unreachable.exit_code == 3);
  CHECK(contains(unreachable.out, "127.0.0.1:9"));
  CHECK_FALSE(contains(unreachable.out + unreachable.err, "S3RVER\n"));
  for (const auto& p : k_expired) {
    CHECK(table_exists(db, p));
    CHECK(table_digest(db, p) == before.at(p));
  }
  CHECK(db.scalar("SELECT string_agg(DISTINCT state, ',') FROM partman.archive") == "failed");

  // Killed while the first partition is being uploaded.
  const auto started = db.start_partman({"apply", "--at", k_at});
  CHECK(wait_for(db, "SELECT state FROM partman.archive WHERE partition_name = 'ev_p20260301'", "detached"));
  kill(started.pid, SIGKILL);
  partman::test::finish_command(started);
  CHECK(table_exists(db, "ev_p20260301"));
  archive_and_restore_all(db, before);
}
