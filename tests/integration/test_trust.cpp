// What partman shows and what it takes on trust: a password given with -d is hidden from ps while it runs,
// names with control characters cannot act on the terminal, small input mistakes are refused clearly
// (exit 2), and a killed drain-default leaves no history row that never resolves.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::managed_parent;
using partman::test::run;
using partman::test::TestDb;

namespace {

const char* const k_at = "2026-01-10 12:00";

// Returns what ps shows of process `pid`: its arguments, separated by spaces.
std::string command_line(int pid)
{
  std::string text = partman::test::read_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : text) {
    if (c == '\0')
      c = ' ';
  }
  return text;
}

// Waits until a partman session of the test database waits on a lock; returns false after 30 s.
bool wait_for_lock_wait(TestDb& db)
{
  for (int i = 0; i < 1500; ++i) {
    if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                  "application_name = 'partman' AND wait_event_type = 'Lock'") != "0")
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Returns true when `text` holds a control character other than the newlines that end its lines.
bool has_raw_controls(const std::string& text)
{
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n') || c == 0x7f)
      return true;
  }
  return false;
}

// Returns true when a line of `text` starts with `prefix`.
bool has_line(const std::string& text, const std::string& prefix)
{
  return text.rfind(prefix, 0) == 0 || contains(text, "\n" + prefix);
}

} // namespace

TEST_CASE("a password given with -d cannot be read from /proc/PID/cmdline while partman runs")
{
  TestDb db;
  run(db, {"install"});
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "2"});
  const std::string port = std::getenv("PGPORT");
  const std::vector<std::vector<std::string>> forms{
      {"-d", "password=topsecret1 connect_timeout=10"},
      {"--dsn=connect_timeout=10 password='top secret2'"},
      {"-d", "postgresql://postgres:topsecret3@127.0.0.1:" + port + "/" + db.name() + "?connect_timeout=10"},
      {"-vdpassword=topsecret4"}};
  pqxx::connection holder("dbname=" + db.name());
  for (const auto& form : forms) {
    INFO(form.back());
    // apply waits for the parent's lock, which this test holds, so there is time to look at it.
    pqxx::work hold(holder);
    hold.exec("LOCK TABLE ev IN ACCESS EXCLUSIVE MODE");
    std::vector<std::string> args = form;
    for (const char* a : {"apply", "--at", k_at, "--lock-timeout", "60s"})
      args.emplace_back(a);
    const auto started = db.start_partman(args);
    const bool waiting = wait_for_lock_wait(db);
    const std::string shown = command_line(started.pid);
    hold.abort();
    const auto r = partman::test::finish_command(started);
    INFO(shown << "\n" << r.out << r.err);
    REQUIRE(waiting);
    CHECK(contains(shown, " apply --at "));
    CHECK_FALSE(contains(shown, "topsecret"));
    CHECK_FALSE(contains(shown, "top secret"));
    CHECK(contains(shown, "***"));
    CHECK(r.exit_code == 0);
    CHECK_FALSE(contains(r.out + r.err, "topsecret"));
    db.exec("DELETE FROM partman.history");
    db.exec("DO $$ DECLARE r record; BEGIN FOR r IN SELECT inhrelid::regclass AS c FROM pg_inherits LOOP "
            "EXECUTE 'DROP TABLE ' || r.c; END LOOP; END $$");
  }
}

TEST_CASE("control characters in names are escaped in text output, and kept exact in SQL and JSON")
{
  TestDb db;
  run(db, {"install"});
  // A name that would clear the screen and start a line of its own that looks like a plan line.
  const std::string name = "ev\x1b[2J\n  - drop important";
  const std::string parent = db.conn().quote_name(name);
  db.exec("CREATE TABLE " + parent + " (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  const std::string shown = "\"ev\\x1b[2J\\n  - drop important\"";
  const auto check_text = [&](const partman::test::CommandResult& r) {
    INFO(r.out << r.err);
    CHECK_FALSE(has_raw_controls(r.out));
    CHECK_FALSE(has_raw_controls(r.err));
    CHECK_FALSE(has_line(r.out, "  - drop important"));
    CHECK_FALSE(has_line(r.err, "  - drop important"));
  };

  const auto manage =
      run(db, {"manage", parent, "--interval", "daily", "--premake", "1", "--default-partition"});
  check_text(manage);
  CHECK(contains(manage.out, "managing \"public\"." + shown));

  const auto plan = run(db, {"plan", "--at", k_at});
  check_text(plan);
  CHECK(contains(plan.out, "\"public\"." + shown + " ("));
  CHECK(contains(plan.out, "2 to create")); // manage made the default partition
  // SQL is the truth and JSON escapes by itself: the name is exact in both.
  CHECK(contains(run(db, {"plan", "--at", k_at, "-f", "sql"}).out, "\"public\".\"" + name + "\""));
  const auto doc = nlohmann::json::parse(run(db, {"plan", "--at", k_at, "-f", "json"}).out);
  CHECK(doc["parents"][0]["table"] == name);

  const auto apply = run(db, {"apply", "--at", k_at, "-v"});
  check_text(apply);
  CHECK(contains(apply.out, "created \"public\".\"ev\\x1b[2J\\n  - drop important_p20260110\""));
  CHECK(contains(apply.err, "partman: debug: \"public\"." + shown + ": LOCK TABLE"));

  const auto status = run(db, {"status", "--at", k_at});
  check_text(status);
  CHECK(contains(status.out, "\"public\".\"ev\\x1b[2J\\n  - drop important_default\""));

  const auto drain = run(db, {"drain-default", parent, "--at", k_at});
  check_text(drain);

  // An error message that quotes the name.
  const auto refused = db.partman({"manage", parent, "--interval", "1000"});
  check_text(refused);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, shown));

  const auto unmanage = run(db, {"unmanage", parent});
  check_text(unmanage);
  CHECK(contains(unmanage.out, "no longer managing \"public\"." + shown));
}

TEST_CASE("small input mistakes are refused with exit 2, naming what is wrong")
{
  TestDb db;
  SECTION("an unknown command is named, with the nearest command when one is close")
  {
    const auto unknown = db.partman({"frobnicate"});
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "unknown command 'frobnicate'"));
    CHECK_FALSE(contains(unknown.err, "did you mean"));
    const auto typo = db.partman({"--schema", "x", "plna", "--at", k_at});
    CHECK(typo.exit_code == 2);
    CHECK(contains(typo.err, "unknown command 'plna'; HINT: did you mean 'plan'?"));
    CHECK(contains(db.partman({"stauts"}).err, "did you mean 'status'?"));
    CHECK(contains(db.partman({}).err, "A subcommand is required"));
  }
  SECTION("--at with an offset beyond 15:59")
  {
    run(db, {"install"});
    managed_parent(db, "ev", {"--interval", "daily"});
    for (const std::string cmd : {"plan", "apply", "status"}) {
      INFO(cmd);
      const auto r = db.partman({cmd, "--at", "2026-01-10T00:00+25:00"});
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, "'2026-01-10T00:00+25:00'"));
      CHECK(contains(r.err, "offset +25:00"));
    }
    CHECK(db.partman({"plan", "--at", "2026-01-10T00:00+15:59"}).exit_code == 0);
    CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "0");
  }
  SECTION("RANGE on a text or uuid key names the type")
  {
    run(db, {"install"});
    db.exec("CREATE TABLE t (k text) PARTITION BY RANGE (k); CREATE TABLE u (k uuid) PARTITION BY RANGE (k);"
            "CREATE TABLE v (k varchar(20)) PARTITION BY RANGE (k)");
    for (const auto& [table, type] :
         {std::pair<std::string, std::string>{"t", "text"}, {"u", "uuid"}, {"v", "character varying(20)"}}) {
      INFO(table);
      const auto r = db.partman({"manage", table, "--interval", "daily"});
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, "its key is of type " + type + ", not timestamptz, timestamp or date"));
      CHECK(contains(r.err, "BY LIST"));
    }
    CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
  }
  SECTION("install into a schema name PostgreSQL reserves")
  {
    for (const std::string schema : {"pg_toast", "pg_catalog", "pg_mine", "information_schema"}) {
      INFO(schema);
      const auto r = db.partman({"--schema", schema, "install"});
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, "'" + schema + "'"));
      CHECK(contains(r.err, "reserves"));
    }
    CHECK(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'pg_mine'") == "0");
  }
}

TEST_CASE("a killed drain-default's started history row is closed by the run that adopts its table")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--default-partition"});
  run(db, {"apply", "--at", "2026-03-01"});
  db.exec("INSERT INTO ev SELECT g, '2026-03-10'::timestamptz + g * interval '1 second' FROM "
          "generate_series(1, 500) g");
  // The drain creates the day's table and records it as 'started', then waits to move rows out of the
  // default partition, whose lock this test holds; it is killed there.
  bool waiting = false;
  {
    pqxx::connection holder("dbname=" + db.name());
    pqxx::work hold(holder);
    hold.exec("LOCK TABLE ev_default IN SHARE MODE");
    const auto started = db.start_partman(
        {"drain-default", "ev", "--batch-size", "100", "--at", "2026-03-01", "--lock-timeout", "60s"});
    waiting = wait_for_lock_wait(db);
    kill(started.pid, SIGKILL);
    partman::test::finish_command(started);
    // Its server process would go on with the batch once the lock is free: end it first.
    hold.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
              "application_name = 'partman'");
  }
  partman::test::wait_for_orphans(db);
  REQUIRE(waiting);
  REQUIRE(db.scalar("SELECT outcome || ' ' || partition_name FROM partman.history WHERE action = 'create' "
                    "ORDER BY id DESC LIMIT 1") == "started ev_p20260310");
  REQUIRE(db.scalar("SELECT relispartition FROM pg_class WHERE relname = 'ev_p20260310'") == "f");

  const auto again = run(db, {"drain-default", "ev", "--at", "2026-03-01"});
  INFO(again.out << again.err);
  CHECK(contains(again.out, "1 partition(s) created, 500 rows moved"));
  CHECK(db.scalar("SELECT relispartition FROM pg_class WHERE relname = 'ev_p20260310'") == "t");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome = 'started'") == "0");
  const std::string adopter = db.scalar("SELECT run_id FROM partman.history WHERE partition_name = "
                                        "'ev_p20260310' AND outcome = 'ok'");
  REQUIRE_FALSE(adopter.empty());
  CHECK(
      db.scalar("SELECT outcome || ': ' || error FROM partman.history WHERE partition_name = 'ev_p20260310' "
                "AND outcome <> 'ok'") == "failed: interrupted; adopted by run " + adopter);
}
