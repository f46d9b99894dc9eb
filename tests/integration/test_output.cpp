// Output that people and machines read: status --summary and --state, RFC 3339 in JSON, the same parent keys
// in plan and status JSON, no escape codes where the terminal cannot take them, the progress bar's end,
// --help's examples and PARENT note, and a quiet apply.
#include <catch2/catch.hpp>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive_util.hpp"
#include "harness.hpp"
#include "util.hpp"

using partman::test::CommandResult;
using partman::test::contains;
using partman::test::TempDir;
using partman::test::TestDb;

namespace {

// Runs partman on `db` with TERM=`term` and its standard output and error on a pseudo-terminal; returns
// what it wrote there (in `out`).
CommandResult run_on_terminal(TestDb& db, const std::vector<std::string>& args, const std::string& term)
{
  int terminal = -1;
  const pid_t pid = forkpty(&terminal, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("PGDATABASE", db.name().c_str(), 1);
    setenv("TERM", term.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(PARTMAN_BIN)};
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(PARTMAN_BIN, argv.data());
    _exit(127);
  }
  CommandResult r;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(terminal, buf, sizeof buf);
    if (n > 0)
      r.out.append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break; // EIO: the program has ended and closed its side
  }
  close(terminal);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Archives 3 partitions (archive_util's set_up) with `apply`, its output on a pseudo-terminal with
// TERM=`term`; with `term` empty, its output to files and TERM=xterm.
CommandResult archive_on_terminal(const std::string& term)
{
  using namespace partman::test::archive;
  TempDir dir;
  TestDb db;
  set_up(db, dir.uri(), 400);
  const std::vector<std::string> apply{"apply", "--at", k_at};
  const auto r = term.empty() ? db.partman(apply, {{"TERM", "xterm"}}) : run_on_terminal(db, apply, term);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

// Runs `partman ARGS --help` and returns what it printed.
std::string help_of(std::vector<std::string> args)
{
  std::vector<std::string> argv{PARTMAN_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--help");
  const auto r = partman::test::run_command(argv);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

} // namespace

TEST_CASE("status --summary is a line per parent and --state filters, in text and json")
{
  TestDb db;
  partman::test::default_parent(db); // ev: 10th to 12th and a default partition
  partman::test::managed_parent(db, "logs", {"--interval", "daily", "--premake", "1"});
  partman::test::run(db, {"apply", "logs", "--at", "2026-01-20"});
  db.exec("INSERT INTO ev (id, at) VALUES (1, '2030-01-01 00:00+00'), (2, '2030-01-02 00:00+00')");
  // At the 11th: ev's 10th is past, its 11th current and its 12th future; logs' 20th and 21st are future.
  const auto text = partman::test::run(db, {"status", "--summary", "--at", "2026-01-11"});
  CHECK(contains(text.out,
                 "\"public\".\"ev\": 4 partition(s): 1 past, 1 current, 1 future, 0 expired; from "
                 "2026-01-10 00:00:00+00:00 to 2026-01-13 00:00:00+00:00; default partition holds 2 "
                 "row(s)\n"));
  CHECK(contains(text.out,
                 "\"public\".\"logs\": 2 partition(s): 0 past, 0 current, 2 future, 0 expired; from "
                 "2026-01-20 00:00:00+00:00 to 2026-01-22 00:00:00+00:00\n"));
  CHECK(!contains(text.out, "ev_p2026")); // no partition lines

  const auto json = nlohmann::json::parse(
      partman::test::run(db, {"status", "--summary", "--at", "2026-01-11", "-f", "json"}).out);
  CHECK(json.at("at") == "2026-01-11T00:00:00Z");
  REQUIRE(json.at("parents").size() == 2);
  const auto& ev = json.at("parents").at(0);
  CHECK(ev.at("parent") == "\"public\".\"ev\"");
  CHECK_FALSE(ev.contains("partitions"));
  CHECK(ev.at("counts").at("past") == 1);
  CHECK(ev.at("counts").at("current") == 1);
  CHECK(ev.at("counts").at("default") == 1);
  CHECK(ev.at("oldest_bound") == "2026-01-10T00:00:00+00:00");
  CHECK(ev.at("newest_bound") == "2026-01-13T00:00:00+00:00");
  CHECK(ev.at("default_rows") == 2);

  // Only partitions in the states asked for, and only parents that have one.
  const auto past = partman::test::run(db, {"status", "--state", "past,default", "--at", "2026-01-11"});
  CHECK(contains(past.out, "\"public\".\"ev_p20260110\""));
  CHECK(contains(past.out, "\"public\".\"ev_default\""));
  CHECK(!contains(past.out, "ev_p20260111"));
  CHECK(!contains(past.out, "logs"));
  const auto future = nlohmann::json::parse(
      partman::test::run(db, {"status", "--state", "future", "--at", "2026-01-11", "-f", "json"}).out);
  REQUIRE(future.at("parents").size() == 2);
  const auto& ev_future = future.at("parents").at(0).at("partitions");
  REQUIRE(ev_future.size() == 1);
  CHECK(ev_future.at(0).at("partition") == "\"public\".\"ev_p20260112\"");
  CHECK(ev_future.at(0).at("from") == "2026-01-12T00:00:00+00:00");
  CHECK(ev_future.at(0).at("to") == "2026-01-13T00:00:00+00:00");
  const auto none = partman::test::run(db, {"status", "--state", "expired", "--at", "2026-01-11"});
  CHECK(none.out == "no managed parent has a partition in state expired\n");

  // A state that does not exist: exit 2, the name quoted, the states listed.
  const auto bad = db.partman({"status", "--state", "future,old"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--state: unknown state 'old'; HINT: a comma-separated list of past, current"));
  CHECK(bad.out.empty());
}

TEST_CASE("plan and status and apply JSON: RFC 3339 times and the same keys for a parent")
{
  TestDb db;
  partman::test::default_parent(db);
  const auto plan =
      nlohmann::json::parse(partman::test::run(db, {"plan", "--at", "2026-01-11", "-f", "json"}).out);
  const auto status =
      nlohmann::json::parse(partman::test::run(db, {"status", "--at", "2026-01-11", "-f", "json"}).out);
  const auto& in_plan = plan.at("parents").at(0);
  const auto& in_status = status.at("parents").at(0);
  for (const char* key :
       {"parent", "schema", "table", "level", "partition_of", "summary", "status", "error"}) {
    INFO(key);
    CHECK(in_plan.at(key) == in_status.at(key));
  }
  CHECK(in_plan.at("actions").at(0).at("bounds").at("from") == "2026-01-13T00:00:00+00:00");
  CHECK(in_status.at("partitions").at(0).at("from") == "2026-01-10T00:00:00+00:00");

  const auto apply =
      nlohmann::json::parse(partman::test::run(db, {"apply", "--at", "2026-01-11", "-f", "json"}).out);
  CHECK(apply.at("at") == "2026-01-11T00:00:00Z");
  const auto& in_run = apply.at("parents").at(0);
  for (const char* key : {"parent", "schema", "table", "level", "partition_of", "summary", "error"}) {
    INFO(key);
    CHECK(in_run.at(key) == in_status.at(key));
  }
  CHECK(in_run.at("actions").at(0).at("bounds") ==
        nlohmann::json{{"from", "2026-01-13T00:00:00+00:00"}, {"to", "2026-01-14T00:00:00+00:00"}});
}

TEST_CASE("the archive progress bar: escape codes only on a terminal that takes them, 100% at the end")
{
  SECTION("a terminal that takes escape codes: a bar redrawn in place, ending at 100% with the time taken")
  {
    const auto r = archive_on_terminal("xterm");
    CHECK(contains(r.out, "\r\x1b[K[########################] 100% export \"public\".\"ev_p20260301\""));
    // The bar's last state says how long the export took, not how long it still takes.
    const std::size_t end = r.out.find("100% export \"public\".\"ev_p20260301\"");
    REQUIRE(end != std::string::npos);
    const std::string last = r.out.substr(end, r.out.find('\n', end) - end);
    CHECK(contains(last, "/s  in "));
    CHECK(!contains(last, "ETA"));
  }
  SECTION("TERM=dumb: plain log lines, no escape codes")
  {
    const auto r = archive_on_terminal("dumb");
    CHECK(contains(r.out, "3 archived"));
    CHECK(contains(r.out, ": started, about "));
    CHECK(!contains(r.out, "\x1b"));
  }
  SECTION("standard error not a terminal: no escape codes")
  {
    const auto r = archive_on_terminal("");
    CHECK(contains(r.err, ": started, about "));
    CHECK(!contains(r.out + r.err, "\x1b"));
  }
}

TEST_CASE("--help ends with examples, and explains PARENT only where a command takes one")
{
  const std::vector<std::pair<std::vector<std::string>, bool>> commands = {
      {{}, false},
      {{"install"}, false},
      {{"manage"}, true},
      {{"unmanage"}, true},
      {{"plan"}, true},
      {{"apply"}, true},
      {{"status"}, true},
      {{"archive"}, false},
      {{"archive", "list"}, true},
      {{"restore"}, false},
      {{"import-pg-partman"}, true},
      {{"drain-default"}, true},
      {{"check"}, true},
      {{"worker"}, false},
  };
  for (const auto& [command, takes_parent] : commands) {
    std::string name = "partman";
    for (const auto& word : command)
      name += " " + word;
    INFO(name);
    const std::string help = help_of(command);
    CHECK(contains(help, "PARENT is a table name") == takes_parent);
    // The examples come last, after the exit codes, and use the command.
    const std::size_t examples = help.rfind("\nExamples:\n");
    REQUIRE(examples != std::string::npos);
    CHECK(help.find("Exit codes:") < examples);
    const std::string tail = help.substr(examples);
    CHECK(contains(tail, "\n  partman "));
    if (!command.empty())
      CHECK(contains(tail, "\n  " + name));
  }
}

TEST_CASE("a quiet apply: a refused parent's skipped actions on one line and no empty batches, -v keeps both")
{
  TestDb db;
  partman::test::run(db, {"install"});
  partman::test::managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--start", "2026-01-01"});
  partman::test::run(db, {"apply", "--at", "2026-01-06"});
  partman::test::run(
      db, {"manage", "ev", "--start", "none", "--retention", "2 days", "--retention-action", "drop"});
  // At the 20th all 7 partitions expire: the removal guard refuses their drops, the 2 creates run.
  const auto quiet = partman::test::run(db, {"apply", "--at", "2026-01-20"}, 3);
  CHECK(contains(quiet.out, "  refused: "));
  CHECK(contains(quiet.out, "  skipped: 7 action(s) held back by the refusal (-v lists them)\n"));
  CHECK(!contains(quiet.out, "skipped: drop"));
  CHECK(contains(quiet.out, "  created \"public\".\"ev_p20260120\""));
  const auto verbose = partman::test::run(db, {"-v", "apply", "--at", "2026-01-20"}, 3);
  CHECK(contains(verbose.out, "  skipped: drop \"public\".\"ev_p20260101\"\n"));
  CHECK(contains(verbose.out, "  skipped: drop \"public\".\"ev_p20260107\"\n"));
  CHECK(!contains(verbose.out, "held back by the refusal"));

  // Rows of the next range in the default partition, exactly one batch: the second batch moves none.
  TestDb moved;
  partman::test::default_parent(moved); // applied at the 10th: the 10th to the 12th
  moved.exec("INSERT INTO ev (id, at) SELECT g, '2026-01-13 00:00+00'::timestamptz + g * interval '1 second' "
             "FROM generate_series(1, 700) g; ANALYZE ev_default");
  const auto batches = partman::test::run(moved, {"apply", "--at", "2026-01-11", "--batch-size", "700"});
  INFO(batches.out << batches.err);
  CHECK(!contains(batches.err, "moved 0 rows"));
  CHECK(contains(batches.out, "(moved 700 rows out of the default partition before the attach)"));
  moved.exec("INSERT INTO ev (id, at) SELECT g, '2026-01-14 00:00+00'::timestamptz + g * interval '1 second' "
             "FROM generate_series(1, 700) g; ANALYZE ev_default");
  const auto detail = partman::test::run(moved, {"-v", "apply", "--at", "2026-01-12", "--batch-size", "700"});
  CHECK(contains(detail.err, "moved 0 rows out of \"public\".\"ev_default\" (700 so far; the last ones move "
                             "with the attach)"));
}
