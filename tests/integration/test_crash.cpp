// Crash convergence: apply killed with SIGKILL at random moments (also while it waits on a lock held by a
// reader, and with retention detaching into a retention schema), then one apply to completion must reach
// exactly the target: no action left, the expected partitions, no leftover table, no pending detach, and
// every row of a kept partition (or of a table the retention schema keeps) still there.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "harness.hpp"
#include "util.hpp"

using partman::test::TestDb;

namespace {

// "Now" of every apply and plan below, and the instant the history is made at (4 days earlier).
const char* const k_at = "2026-03-15 12:00";
const char* const k_history_at = "2026-03-11 12:00";
// Parents with a default partition (retention detaches in one transaction), then parents without one
// (retention uses DETACH ... CONCURRENTLY and then DROP TABLE, statement by statement).
constexpr int k_with_default = 6;
constexpr int k_without_default = 2;
constexpr int k_parents = k_with_default + k_without_default;
constexpr int k_kills = 15;

std::string parent_name(int i)
{
  return "ev_" + std::to_string(i);
}

bool has_default(int i)
{
  return i < k_with_default;
}

// Returns the last `n` lines of `text` that hold `part` (what follows `part`, cut at 100 bytes), joined
// with " | ".
std::string last_lines_with(const std::string& text, const std::string& part, std::size_t n)
{
  std::vector<std::string> found;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (partman::test::contains(line, part))
      found.push_back(line.substr(line.find(part) + part.size(), 100));
  }
  std::string out;
  for (std::size_t i = found.size() > n ? found.size() - n : 0; i < found.size(); ++i)
    out += (out.empty() ? "" : " | ") + found[i];
  return out;
}

// Returns the number of actions per kind in `plan --format json` output.
std::map<std::string, int> count_actions(const std::string& json)
{
  std::map<std::string, int> out;
  const auto doc = nlohmann::json::parse(json);
  const auto& parents = doc["parents"];
  for (const auto& p : parents) {
    const auto& actions = p["actions"];
    for (const auto& a : actions)
      ++out[a["action"].get<std::string>()];
  }
  return out;
}

// Parents with partitions from 2026-02-19 to 2026-03-15, rows in them (and one far-future row in each default
// partition), then the policy becomes premake 10, retention 7 days (drop). Returns, per parent, the rows in
// the partitions retention keeps ([2026-03-08, 2026-03-16)).
std::vector<std::string> set_up(TestDb& db)
{
  REQUIRE(db.partman({"install"}).exit_code == 0);
  for (int i = 0; i < k_parents; ++i) {
    const std::string p = parent_name(i);
    db.exec("CREATE TABLE " + p +
            " (id bigint NOT NULL, ts timestamptz NOT NULL, payload text) PARTITION BY RANGE (ts)");
    if (has_default(i))
      db.exec("CREATE TABLE " + p + "_default PARTITION OF " + p + " DEFAULT");
    const auto r =
        db.partman({"manage", p, "--interval", "daily", "--premake", "4", "--start", "2026-02-19"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  const auto history = db.partman({"apply", "--at", k_history_at});
  INFO(history.out << history.err);
  REQUIRE(history.exit_code == 0);
  std::vector<std::string> kept_rows;
  for (int i = 0; i < k_parents; ++i) {
    const std::string p = parent_name(i);
    // A row every 61 + 7i minutes, so each parent holds a different count.
    db.exec("INSERT INTO " + p +
            " (id, ts, payload) SELECT row_number() OVER (), t, 'x' FROM generate_series('2026-02-19 "
            "00:00+00'::timestamptz, '2026-03-15 23:59+00', interval '" +
            std::to_string(61 + 7 * i) + " minutes') AS t");
    if (has_default(i))
      db.exec("INSERT INTO " + p + " (id, ts, payload) VALUES (0, '2030-01-01 00:00+00', 'default')");
    kept_rows.push_back(db.scalar("SELECT count(*) FROM " + p +
                                  " WHERE ts >= '2026-03-08 00:00+00' AND ts < '2026-03-16 00:00+00'"));
    const auto r =
        db.partman({"manage", p, "--premake", "10", "--retention", "7 days", "--retention-action", "drop"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  // Per parent: 10 to create (03-16 to 03-25) and 17 to drop (02-19 to 03-07).
  const auto plan = db.partman({"plan", "--at", k_at, "-f", "json"});
  INFO(plan.err);
  REQUIRE(plan.exit_code == 0);
  const auto counts = count_actions(plan.out);
  CHECK(counts.at("create") == 10 * k_parents);
  CHECK(counts.at("drop") == 17 * k_parents);
  return kept_rows;
}

// Kills `kills` applies at `at` at random moments; with `hold_lock`, every other run is killed while a
// reader holds ACCESS SHARE on a parent with and one without a default partition. Returns what each run was
// doing, for the report on failure.
std::string kill_applies(TestDb& db, unsigned seed, bool hold_lock, int kills = k_kills,
                         const char* at = k_at)
{
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 150);
  // What each killed run was doing, for the report on failure (an action logs all its statements before it
  // runs the first, and two parents are worked on at once).
  std::string log;
  int finished_before_kill = 0;
  for (int run = 0; run < kills; ++run) {
    std::unique_ptr<pqxx::connection> holder;
    std::unique_ptr<pqxx::nontransaction> holder_tx;
    const bool locked = hold_lock && run % 2 == 0;
    if (locked) {
      holder = std::make_unique<pqxx::connection>("dbname=" + db.name());
      holder_tx = std::make_unique<pqxx::nontransaction>(*holder);
      holder_tx->exec("BEGIN");
      holder_tx->exec("LOCK TABLE ONLY " + parent_name(0) + ", " + parent_name(k_parents - 1) +
                      " IN ACCESS SHARE MODE");
    }
    const int delay = delay_ms(rng);
    const auto started = db.start_partman({"-v", "apply", "--at", at});
    REQUIRE(started.pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    kill(started.pid, SIGKILL);
    const auto r = partman::test::finish_command(started);
    const bool killed = r.exit_code == 128 + SIGKILL;
    finished_before_kill += !killed;
    if (holder_tx) {
      holder_tx->exec("ROLLBACK");
      holder_tx.reset();
      holder.reset();
    }
    log += "run " + std::to_string(run + 1) + (locked ? " (locked)" : "") + ", killed after " +
           std::to_string(delay) + " ms" +
           (killed ? "" : " (had exited " + std::to_string(r.exit_code) + ")") +
           "; last statements logged: " + last_lines_with(r.err, "partman: debug: ", 2) + "\n";
  }
  const long orphan_ms = partman::test::wait_for_orphans(db);
  return log + "waited " + std::to_string(orphan_ms) + " ms for the killed runs' backends to end; " +
         std::to_string(finished_before_kill) + " run(s) finished before their kill";
}

// Returns the tables and partitioned tables of the public schema that are not partitions, other than those
// named by `parents` (a regular expression), and the partitions left pending a detach.
std::string leftovers(TestDb& db, const std::string& parents)
{
  return partman::test::join_lines(db.column(
             "SELECT c.relname || ' (' || c.relkind::text || ')' FROM pg_class c WHERE c.relnamespace = "
             "'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname !~ " +
             db.conn().quote(parents) + " ORDER BY 1")) +
         partman::test::join_lines(db.column(
             "SELECT inhrelid::regclass::text || ' (pending)' FROM pg_inherits WHERE inhdetachpending"));
}

// Kills applies at random moments (see kill_applies), then checks convergence.
void kill_and_converge(unsigned seed, bool hold_lock)
{
  TestDb db;
  const auto kept_rows = set_up(db);
  INFO(kill_applies(db, seed, hold_lock));

  // One apply to completion converges.
  const auto apply = db.partman({"apply", "--at", k_at});
  INFO("final apply:\n" << apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  const auto plan = db.partman({"plan", "--at", k_at, "-f", "json"});
  INFO("plan after it:\n" << plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(count_actions(plan.out).empty());

  // Exactly the expected partitions: 2026-03-08 to 2026-03-25, and the default partition where there is one.
  for (int i = 0; i < k_parents; ++i) {
    const std::string p = parent_name(i);
    std::vector<std::string> expected;
    for (int day = 8; day <= 25; ++day)
      expected.push_back(p + "_p202603" + (day < 10 ? "0" : "") + std::to_string(day));
    if (has_default(i))
      expected.push_back(p + "_default");
    std::sort(expected.begin(), expected.end());
    const auto actual =
        db.column("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE "
                  "i.inhparent = '" +
                  p + "'::regclass ORDER BY c.relname COLLATE \"C\"");
    CHECK(partman::test::join_lines(actual) == partman::test::join_lines(expected));
  }
  // No table left behind that is not attached, and no detach left pending.
  CHECK(leftovers(db, "^ev_[0-9]+$") == "");
  // Every row of a kept partition is still there, and nothing else but the default partition's row.
  for (int i = 0; i < k_parents; ++i) {
    const std::string p = parent_name(i);
    CHECK(db.scalar("SELECT count(*) FROM " + p +
                    " WHERE ts >= '2026-03-08 00:00+00' AND ts < '2026-03-16 00:00+00'") == kept_rows[i]);
    CHECK(db.scalar("SELECT count(*) FROM " + p) ==
          std::to_string(std::stol(kept_rows[i]) + (has_default(i) ? 1 : 0)));
  }
}

} // namespace

TEST_CASE("apply killed at random moments converges on the next run")
{
  kill_and_converge(20260315, false);
}

TEST_CASE("apply killed while waiting on a reader's lock converges on the next run")
{
  kill_and_converge(20260316, true);
}

TEST_CASE("apply killed at random moments converges when retention detaches into a retention schema")
{
  TestDb db;
  set_up(db);
  // Every row is kept: in a partition, a default partition, or a table moved to the retention schema.
  std::vector<std::string> rows;
  for (int i = 0; i < k_parents; ++i)
    rows.push_back(db.scalar("SELECT count(*) FROM " + parent_name(i)));
  // The creates first, so that the killed runs have only detaches to do (17 per parent).
  for (int i = 0; i < k_parents; ++i)
    REQUIRE(db.partman({"manage", parent_name(i), "--retention", "none"}).exit_code == 0);
  REQUIRE(db.partman({"apply", "--at", k_at}).exit_code == 0);
  db.exec("CREATE SCHEMA kept");
  for (int i = 0; i < k_parents; ++i) {
    const auto r = db.partman({"manage", parent_name(i), "--retention", "7 days", "--retention-action",
                               "detach", "--retention-schema", "kept"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  INFO(kill_applies(db, 20260317, false, 8));

  const auto apply = db.partman({"apply", "--at", k_at});
  INFO("final apply:\n" << apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(count_actions(db.partman({"plan", "--at", k_at, "-f", "json"}).out).empty());
  CHECK(leftovers(db, "^ev_[0-9]+$") == "");
  for (int i = 0; i < k_parents; ++i) {
    const std::string p = parent_name(i);
    // The 17 expired partitions (02-19 to 03-07) are in the retention schema, and nothing else of p.
    const auto kept = db.column("SELECT relname FROM pg_class WHERE relnamespace = 'kept'::regnamespace AND "
                                "relkind = 'r' AND relname LIKE '" +
                                p + "\\_%' ORDER BY relname COLLATE \"C\"");
    std::vector<std::string> expected;
    for (int day = 19; day <= 28; ++day)
      expected.push_back(p + "_p202602" + std::to_string(day));
    for (int day = 1; day <= 7; ++day)
      expected.push_back(p + "_p2026030" + std::to_string(day));
    CHECK(partman::test::join_lines(kept) == partman::test::join_lines(expected));
    // Each row once: the ids of a parent are 0 (its default partition's row) and 1 to n.
    std::string all = "SELECT id FROM " + p;
    for (const auto& t : kept)
      all += " UNION ALL SELECT id FROM kept." + t;
    CHECK(db.scalar("SELECT count(*) || '/' || count(DISTINCT id) FROM (" + all + ") r") ==
          rows[i] + "/" + rows[i]);
  }
}

TEST_CASE("apply killed at random moments converges with sub-partitions: new months with their days, days "
          "expiring inside months")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec(
      "CREATE TABLE events (id bigint NOT NULL, ts timestamptz NOT NULL, PRIMARY KEY (id, ts)) PARTITION BY "
      "RANGE (ts)");
  REQUIRE(db.partman({"manage", "events", "--interval", "monthly", "--premake", "1"}).exit_code == 0);
  REQUIRE(db.partman({"manage", "events", "--subpartition-by", "RANGE (ts)", "--interval", "daily",
                      "--retention", "10 days", "--retention-action", "drop"})
              .exit_code == 0);
  REQUIRE(db.partman({"apply", "--at", "2026-02-20 12:00"}).exit_code == 0); // February and March
  db.exec("INSERT INTO events SELECT g, '2026-02-10'::timestamptz + g * interval '37 minutes' FROM "
          "generate_series(0, 1900) g");
  const std::string kept = db.scalar("SELECT count(*) FROM events WHERE ts >= '2026-03-05'");
  // On March 15th: April comes with its 30 days; the days of February and March before the 5th expire.
  const char* const at = "2026-03-15 12:00";
  INFO(kill_applies(db, 20261125, false, 8, at));
  const auto apply = db.partman({"apply", "--at", at});
  INFO("final apply:\n" << apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(count_actions(db.partman({"plan", "--at", at, "-f", "json"}).out).empty());
  CHECK(
      db.scalar("SELECT string_agg(c.relname || ':' || (SELECT count(*) FROM pg_inherits j WHERE j.inhparent "
                "= c.oid), ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'events'::regclass") ==
      "events_p202602:0,events_p202603:27,events_p202604:30");
  CHECK(leftovers(db, "^events(_p20260[234])?$") == "");
  CHECK(db.scalar("SELECT count(*) FROM events") == kept);
}
