// Lock timeouts against a real server: an action that takes ACCESS EXCLUSIVE on a parent or its default
// partition waits at most --exclusive-lock-timeout and is retried --exclusive-retries times; the others keep
// --lock-timeout and --retries. Each run below has --lock-timeout 0 (wait forever), so only the exclusive
// timeout can end a wait: were it not applied, the run would wait until the holder lets go (after a minute)
// and then succeed, which the checks on outcomes catch; no check here is on a duration. And the back-off
// between attempts, as computed.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "harness.hpp"
#include "partman/db/executor.hpp"
#include "util.hpp"

using partman::test::children_of;
using partman::test::CommandResult;
using partman::test::contains;
using partman::test::default_parent;
using partman::test::TestDb;

namespace {

// Runs partman with `args` on `db` while another session holds the lock `hold` takes (a LOCK TABLE) in an
// open transaction; the holder lets go once partman has ended, or after a minute.
CommandResult run_while_held(TestDb& db, const std::string& hold, const std::vector<std::string>& args)
{
  pqxx::connection holder("dbname=" + db.name());
  pqxx::work tx(holder);
  tx.exec(hold);
  auto ended = std::async(std::launch::async, [started = db.start_partman(args)] {
    return partman::test::finish_command(started);
  });
  if (ended.wait_for(std::chrono::minutes(1)) == std::future_status::timeout)
    tx.abort();
  return ended.get();
}

} // namespace

TEST_CASE("beside a default partition a drop waits on a reader of the parent at most the exclusive lock "
          "timeout per attempt and is deferred after the exclusive retries")
{
  TestDb db;
  default_parent(db, {"--retention", "2 days", "--retention-action", "drop"});
  const std::vector<std::string> apply{"apply",      "--at",
                                       "2026-01-13", "--lock-timeout",
                                       "0",          "--retries",
                                       "0",          "--exclusive-lock-timeout",
                                       "50ms",       "--exclusive-retries",
                                       "2"};

  // What apply runs, plan prints: the drop's transaction sets its own lock_timeout first.
  const auto sql =
      db.partman({"plan", "--at", "2026-01-13", "-f", "sql", "--exclusive-lock-timeout", "50ms"});
  INFO(sql.out << sql.err);
  CHECK(contains(sql.out, "BEGIN;\nSET LOCAL lock_timeout = '50ms';\nLOCK TABLE ONLY \"public\".\"ev\" IN "
                          "ACCESS EXCLUSIVE MODE;\n"));
  CHECK(contains(sql.out, "SET lock_timeout = '1s';\n"));

  // A report holds ACCESS SHARE on the parent (not on the default partition): the creates, which lock the
  // parent in SHARE UPDATE EXCLUSIVE mode, pass; the drop, which needs ACCESS EXCLUSIVE on it, cannot.
  const std::string last = db.scalar("SELECT max(id) FROM partman.history");
  const auto r = run_while_held(db, "LOCK TABLE ONLY ev IN ACCESS SHARE MODE", apply);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "created \"public\".\"ev_p20260115\""));
  CHECK(contains(r.out, "deferred: drop \"public\".\"ev_p20260110\": gave up after 3 attempts under the "
                        "exclusive lock timeout (50ms): "));
  CHECK(contains(r.out, "lock timeout"));
  CHECK(contains(r.err, "retry 1 of 2"));
  CHECK(contains(r.err, "retry 2 of 2"));
  CHECK(children_of(db, {"ev"}) ==
        "ev_default,ev_p20260110,ev_p20260111,ev_p20260112,ev_p20260113,ev_p20260114,ev_p20260115");
  CHECK(
      db.scalar("SELECT string_agg(action || ' ' || partition_name || ' ' || outcome, ', ' ORDER BY id) FROM "
                "partman.history WHERE id > " +
                last) ==
      "create ev_p20260113 ok, create ev_p20260114 ok, create ev_p20260115 ok, drop ev_p20260110 deferred");
  CHECK(db.scalar("SELECT error FROM partman.history WHERE outcome = 'deferred'")
            .rfind("gave up after 3 attempts under the exclusive lock timeout (50ms): ", 0) == 0);

  // Once the reader is gone, the drop goes through.
  const auto again = db.partman(apply);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "dropped \"public\".\"ev_p20260110\""));
  CHECK(db.scalar("SELECT to_regclass('ev_p20260110') IS NULL") == "t");
}

TEST_CASE("a create whose rows move out of the default partition in batches waits on a reader of the default "
          "partition at most the exclusive lock timeout for its attach while the rows wait in the new table")
{
  TestDb db;
  default_parent(db);
  db.exec("INSERT INTO ev (id, at) SELECT g, '2026-01-13 00:00+00'::timestamptz + g * interval '1 second' "
          "FROM generate_series(1, 3000) g");
  db.exec("ANALYZE ev_default");
  const std::vector<std::string> apply{"apply",      "--at",
                                       "2026-01-12", "--batch-size",
                                       "700",        "--lock-timeout",
                                       "0",          "--exclusive-lock-timeout",
                                       "50ms",       "--exclusive-retries",
                                       "1"};

  // The batches (ROW EXCLUSIVE on the default partition) pass a reader's ACCESS SHARE; the attach's
  // transaction, which locks the default partition in ACCESS EXCLUSIVE mode, cannot.
  const auto r = run_while_held(db, "LOCK TABLE ONLY ev_default IN ACCESS SHARE MODE", apply);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out, "deferred: create \"public\".\"ev_p20260113\": gave up after 2 attempts under the "
                        "exclusive lock timeout (50ms): "));
  CHECK(contains(r.out, "skipped: create \"public\".\"ev_p20260114\""));
  CHECK(contains(r.err, "retry 1 of 1"));
  CHECK(children_of(db, {"ev"}) == "ev_default,ev_p20260110,ev_p20260111,ev_p20260112");
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_p20260113") == "3000");
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_default") == "0");

  const auto again = db.partman(apply);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(children_of(db, {"ev"}) ==
        "ev_default,ev_p20260110,ev_p20260111,ev_p20260112,ev_p20260113,ev_p20260114");
  CHECK(db.scalar("SELECT count(*) FROM ev WHERE tableoid = 'ev_p20260113'::regclass") == "3000");
  CHECK(db.scalar("SELECT count(DISTINCT id) FROM ev") == "3000");
}

TEST_CASE("a bad --exclusive-lock-timeout is refused before anything changes")
{
  TestDb db;
  default_parent(db);
  const std::string before = children_of(db, {"ev"});
  const std::string history = db.scalar("SELECT count(*) FROM partman.history");
  for (const std::string bad : {"soon", "-5", ""}) {
    for (const char* command : {"apply", "plan", "drain-default"}) {
      std::vector<std::string> args{command, "--at", "2026-01-12", "--exclusive-lock-timeout", bad};
      if (std::string(command) == "drain-default")
        args.insert(args.begin() + 1, "ev");
      const auto r = db.partman(args);
      INFO(command << " '" << bad << "': " << r.out << r.err);
      CHECK(r.exit_code == 2);
      CHECK(contains(r.err, bad.empty() ? "--exclusive-lock-timeout: empty"
                                        : "invalid exclusive lock timeout '" + bad + "'"));
    }
  }
  // A bad --lock-timeout is named as such, even beside a good exclusive one.
  const auto plain = db.partman({"apply", "--at", "2026-01-12", "--lock-timeout", "soon"});
  CHECK(plain.exit_code == 2);
  CHECK(contains(plain.err, "invalid lock timeout 'soon'"));
  CHECK(children_of(db, {"ev"}) == before);
  CHECK(db.scalar("SELECT count(*) FROM partman.history") == history);
}
