// Safety nets against a real server: saved plans, the removal guard, several databases at once, and a
// connection lost in the middle of an apply.
#include <catch2/catch.hpp>
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "harness.hpp"
#include "util.hpp"

using partman::test::action_count;
using partman::test::CommandResult;
using partman::test::contains;
using partman::test::TestDb;

namespace {

// Installs partman and creates a timestamptz parent `table` managed with `manage_args`.
void installed_parent(TestDb& db, const std::string& table, const std::vector<std::string>& manage_args)
{
  const auto inst = db.partman({"install"});
  INFO(inst.err);
  REQUIRE(inst.exit_code == 0);
  partman::test::managed_parent(db, table, manage_args);
}

// The number of actions `partman plan --at at` would take now.
std::size_t planned_actions(TestDb& db, const std::string& at)
{
  const auto r = db.partman({"plan", "--at", at, "--format", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return action_count(r.out);
}

int count_of(TestDb& db, const std::string& sql)
{
  return std::stoi(db.scalar(sql));
}

int partition_count(TestDb& db, const std::string& parent)
{
  return count_of(db, "SELECT count(*) FROM pg_inherits WHERE inhparent = " + db.conn().quote(parent) +
                          "::regclass");
}

int inherits_count(TestDb& db)
{
  return count_of(db, "SELECT count(*) FROM pg_inherits");
}

// A temporary path for `--out` (the file exists, empty; the caller unlinks it).
struct TempPath
{
  std::string path = partman::test::write_temp_file("");
  TempPath() = default;
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  ~TempPath() { unlink(path.c_str()); }
};

} // namespace

TEST_CASE("a saved plan is applied exactly, and refused once the catalog has moved on")
{
  TestDb db;
  installed_parent(db, "ev", {"--interval", "daily", "--premake", "2"});

  SECTION("apply --plan runs the saved plan")
  {
    TempPath file;
    const auto plan = db.partman({"plan", "--at", "2026-03-01", "--out", file.path});
    INFO(plan.out << plan.err);
    REQUIRE(plan.exit_code == 0);
    const auto saved = nlohmann::json::parse(partman::test::read_file(file.path));
    REQUIRE(saved.contains("fingerprint"));
    CHECK(saved.at("fingerprint").is_string());
    CHECK(!saved.at("fingerprint").get<std::string>().empty());
    CHECK(saved.at("format") == "partman-plan");
    const std::size_t actions = action_count(partman::test::read_file(file.path));
    CHECK(actions == 3);
    CHECK(partition_count(db, "ev") == 0);

    const auto applied = db.partman({"apply", "--plan", file.path});
    INFO(applied.out << applied.err);
    REQUIRE(applied.exit_code == 0);
    CHECK(partition_count(db, "ev") == 3);
    CHECK(db.scalar("SELECT to_regclass('public.ev_p20260301') IS NOT NULL") == "t");
    CHECK(db.scalar("SELECT to_regclass('public.ev_p20260303') IS NOT NULL") == "t");
    CHECK(planned_actions(db, "2026-03-01") == 0);
  }

  SECTION("a partition made by hand after the plan makes it stale")
  {
    TempPath file;
    REQUIRE(db.partman({"plan", "--at", "2026-03-01", "--out", file.path}).exit_code == 0);
    db.exec("CREATE TABLE ev_hand PARTITION OF ev FOR VALUES FROM ('2026-04-01') TO ('2026-04-02')");
    const int before = inherits_count(db);
    const auto r = db.partman({"apply", "--plan", file.path});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "changed since"));
    CHECK(inherits_count(db) == before);
    CHECK(partition_count(db, "ev") == 1);
  }

  SECTION("a policy change after the plan makes it stale")
  {
    TempPath file;
    REQUIRE(db.partman({"plan", "--at", "2026-03-01", "--out", file.path}).exit_code == 0);
    REQUIRE(db.partman({"manage", "ev", "--premake", "5"}).exit_code == 0);
    const int before = inherits_count(db);
    const auto r = db.partman({"apply", "--plan", file.path});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "changed since"));
    CHECK(inherits_count(db) == before);
  }

  SECTION("--plan does not mix with PARENT or --at")
  {
    TempPath file;
    REQUIRE(db.partman({"plan", "--at", "2026-03-01", "--out", file.path}).exit_code == 0);
    const auto with_parent = db.partman({"apply", "--plan", file.path, "ev"});
    INFO(with_parent.out << with_parent.err);
    CHECK(with_parent.exit_code == 2);
    CHECK(contains(with_parent.err, "drop PARENT and --at"));
    const auto with_at = db.partman({"apply", "--plan", file.path, "--at", "2026-03-01"});
    INFO(with_at.out << with_at.err);
    CHECK(with_at.exit_code == 2);
    CHECK(contains(with_at.err, "drop PARENT and --at"));
    CHECK(inherits_count(db) == 0);
  }
}

namespace {

// A parent with no default partition and 7 daily partitions, 2026-01-01 to 2026-01-07, then a 2-day drop
// retention: at 2026-01-20 all 7 expire and 2 are created (7 of 9 > 50%).
void guard_setup(TestDb& db)
{
  installed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--start", "2026-01-01"});
  const auto first = db.partman({"apply", "--at", "2026-01-06"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(partition_count(db, "ev") == 7);
  const auto m =
      db.partman({"manage", "ev", "--start", "none", "--retention", "2 days", "--retention-action", "drop"});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
}

} // namespace

TEST_CASE("the removal guard refuses a plan that drops most partitions unless forced")
{
  const std::string at = "2026-01-20";

  SECTION("refused, then forced")
  {
    TestDb db;
    guard_setup(db);
    const auto plan = db.partman({"plan", "--at", at});
    INFO(plan.out << plan.err);
    CHECK(plan.exit_code == 3);
    CHECK(contains(plan.out, "refused"));
    CHECK(partition_count(db, "ev") == 7);

    const auto apply = db.partman({"apply", "--at", at});
    INFO(apply.out << apply.err);
    CHECK(apply.exit_code == 3);
    // The creates still happen, nothing is dropped.
    CHECK(partition_count(db, "ev") == 9);
    CHECK(db.scalar("SELECT to_regclass('public.ev_p20260101') IS NOT NULL") == "t");
    CHECK(db.scalar("SELECT to_regclass('public.ev_p20260121') IS NOT NULL") == "t");

    const auto forced = db.partman({"apply", "--at", at, "--force"});
    INFO(forced.out << forced.err);
    CHECK(forced.exit_code == 0);
    CHECK(partition_count(db, "ev") == 2);
    CHECK(db.scalar("SELECT to_regclass('public.ev_p20260101') IS NULL") == "t");
    CHECK(planned_actions(db, at) == 0);
  }

  SECTION("--max-removal 100 lets it through")
  {
    TestDb db;
    guard_setup(db);
    const auto apply = db.partman({"apply", "--at", at, "--max-removal", "100"});
    INFO(apply.out << apply.err);
    CHECK(apply.exit_code == 0);
    CHECK(!contains(apply.out, "refused"));
    CHECK(partition_count(db, "ev") == 2);
  }
}

TEST_CASE("several databases are applied in one run, and one unreachable database does not stop the others")
{
  TestDb db1;
  TestDb db2;
  installed_parent(db1, "ev", {"--interval", "daily", "--premake", "2"});
  installed_parent(db2, "ev", {"--interval", "daily", "--premake", "2"});
  const std::string dsn1 = "dbname=" + db1.name();
  const std::string dsn2 = "dbname=" + db2.name();

  const auto both =
      partman::test::run_command({PARTMAN_BIN, "-d", dsn1, "-d", dsn2, "apply", "--at", "2026-03-01"});
  INFO(both.out << both.err);
  CHECK(both.exit_code == 0);
  CHECK(contains(both.out + both.err, "== database 1 of 2"));
  CHECK(contains(both.out + both.err, "== database 2 of 2"));
  CHECK(partition_count(db1, "ev") == 3);
  CHECK(partition_count(db2, "ev") == 3);

  const auto three =
      partman::test::run_command({PARTMAN_BIN, "-d", dsn1, "-d", dsn2, "-d", "host=127.0.0.1 port=1 dbname=x",
                                  "apply", "--at", "2026-03-05"});
  INFO(three.out << three.err);
  CHECK(three.exit_code == 3);
  CHECK(contains(three.out + three.err, "(exit 4)"));
  CHECK(contains(three.out + three.err, "== database 3 of 3"));
  // 2026-03-05 to 2026-03-07 are new.
  CHECK(partition_count(db1, "ev") == 6);
  CHECK(partition_count(db2, "ev") == 6);
  CHECK(planned_actions(db1, "2026-03-05") == 0);
  CHECK(planned_actions(db2, "2026-03-05") == 0);

  const std::string dsn_file =
      partman::test::write_temp_file("# the two test databases\n" + dsn1 + "\n" + dsn2 + "\n");
  const auto from_file =
      partman::test::run_command({PARTMAN_BIN, "--dsn-file", dsn_file, "apply", "--at", "2026-03-10"});
  unlink(dsn_file.c_str());
  INFO(from_file.out << from_file.err);
  CHECK(from_file.exit_code == 0);
  CHECK(contains(from_file.out + from_file.err, "== database 2 of 2"));
  CHECK(partition_count(db1, "ev") == 9);
  CHECK(partition_count(db2, "ev") == 9);

  const auto manage = partman::test::run_command(
      {PARTMAN_BIN, "-d", dsn1, "-d", dsn2, "manage", "ev", "--interval", "daily", "--premake", "7"});
  INFO(manage.out << manage.err);
  CHECK(manage.exit_code == 2);
  CHECK(db1.scalar("SELECT premake FROM partman.policy") == "2");
  CHECK(db2.scalar("SELECT premake FROM partman.policy") == "2");
}

TEST_CASE("apply reconnects after its connection is terminated and finishes the plan")
{
  const std::string at = "2026-06-01";
  const int delays_ms[] = {200, 60, 20};
  bool reconnected = false;
  for (const int delay : delays_ms) {
    TestDb db;
    // 2026-02-01 to 2026-06-06: 126 daily partitions to create.
    installed_parent(db, "ev", {"--interval", "daily", "--premake", "5", "--start", "2026-02-01"});
    const std::size_t expected = planned_actions(db, at);
    REQUIRE(expected == 126);

    const auto child = db.start_partman({"apply", "--parallel", "1", "--at", at});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'partman' "
            "AND datname = " +
            db.conn().quote(db.name()));
    const auto r = partman::test::finish_command(child);
    INFO("delay " << delay << " ms\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    if (!contains(r.out, "reconnecting")) {
      // It finished before the terminate: try again sooner.
      CHECK(partition_count(db, "ev") == static_cast<int>(expected));
      continue;
    }
    reconnected = true;
    CHECK(planned_actions(db, at) == 0);
    CHECK(partition_count(db, "ev") == static_cast<int>(expected));
    break;
  }
  CHECK(reconnected);
}
