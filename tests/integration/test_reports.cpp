// Run reports that machines read: apply --format json as one document, and several databases (one of them
// unreachable) as one document for status, plan and apply.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::TestDb;

TEST_CASE("apply --format json is one document with every parent's actions, counts and duration")
{
  TestDb db;
  partman::test::run(db, {"install"});
  partman::test::managed_parent(db, "ev", {"--interval", "daily", "--premake", "2"});
  const auto r = db.partman({"apply", "--at", "2026-03-01", "-f", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.at("format") == "partman-run");
  CHECK(doc.at("at") == "2026-03-01T00:00:00Z");
  CHECK(doc.at("done").at("created") == 3);
  CHECK(doc.at("exit_code") == 0);
  CHECK(doc.at("seconds").get<double>() > 0);
  REQUIRE(doc.at("parents").size() == 1);
  const auto& parent = doc.at("parents")[0];
  CHECK(parent.at("parent") == "\"public\".\"ev\"");
  CHECK(parent.at("status") == "ok");
  REQUIRE(parent.at("actions").size() == 3);
  CHECK(parent.at("actions")[0].at("action") == "create");
  CHECK(parent.at("actions")[0].at("status") == "ok");
  CHECK(parent.at("actions")[0].at("partition") == "\"public\".\"ev_p20260301\"");

  // Text mode says how long the run took.
  const auto text = db.partman({"apply", "--at", "2026-03-02"});
  CHECK(contains(text.out, " parent(s) failed or deferred; "));
}

TEST_CASE("several databases with --format json give one document, one entry per database")
{
  TestDb db1;
  TestDb db2;
  for (TestDb* db : {&db1, &db2}) {
    partman::test::run(*db, {"install"});
    partman::test::managed_parent(*db, "ev", {"--interval", "daily", "--premake", "2"});
  }
  const std::vector<std::string> dsns = {"-d", "dbname=" + db1.name(),
                                         "-d", "dbname=" + db2.name(),
                                         "-d", "host=127.0.0.1 port=1 dbname=x user=someone password=secret"};
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"apply", "--at", "2026-03-01", "-f", "json"},
        {"status", "--at", "2026-03-01", "-f", "json"},
        {"plan", "--at", "2026-03-01", "-f", "json"}}) {
    std::vector<std::string> argv = {PARTMAN_BIN};
    argv.insert(argv.end(), dsns.begin(), dsns.end());
    argv.insert(argv.end(), command.begin(), command.end());
    const auto r = partman::test::run_command(argv);
    INFO(command.front() << "\n" << r.out << r.err);
    CHECK(r.exit_code == 3);
    const auto doc = nlohmann::json::parse(r.out); // one document, valid for jq
    CHECK(doc.at("format") == "partman-fleet");
    CHECK(doc.at("exit_code") == 3);
    const auto& databases = doc.at("databases");
    REQUIRE(databases.size() == 3);
    CHECK(databases[0].at("exit_code") == 0);
    CHECK(databases[0].at("report").is_object());
    CHECK(databases[1].at("database").get<std::string>().find(db2.name()) != std::string::npos);
    CHECK(databases[2].at("exit_code") == 4);
    CHECK(databases[2].at("report").is_null());
    CHECK(databases[2].at("error").get<std::string>().find("127.0.0.1") != std::string::npos);
    CHECK_FALSE(contains(r.out + r.err, "secret"));
    CHECK(contains(r.err, "someone@127.0.0.1:1/x: exit 4"));
  }
}

TEST_CASE("log lines carry a UTC timestamp off a terminal, and --log-format json writes one object a line")
{
  TestDb db;
  partman::test::run(db, {"install"});
  partman::test::managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--start", "2026-03-01"});
  partman::test::run(db, {"apply", "--at", "2026-03-03"});
  partman::test::run(db, {"manage", "ev", "--retention", "1 day", "--retention-action", "drop"});
  // A reader holds the parent: the drop of 03-01 meets the lock timeout, is retried once (a warning), and
  // is deferred.
  pqxx::connection reader("dbname=" + db.name());
  pqxx::work hold(reader);
  hold.exec("LOCK TABLE ev IN ACCESS SHARE MODE");
  const std::vector<std::string> quick = {"--lock-timeout",
                                          "50ms",
                                          "--exclusive-lock-timeout",
                                          "50ms",
                                          "--retries",
                                          "1",
                                          "--exclusive-retries",
                                          "1",
                                          "--at",
                                          "2026-03-03",
                                          "--force"};
  std::vector<std::string> text_args = {"apply"};
  text_args.insert(text_args.end(), quick.begin(), quick.end());
  const auto text = db.partman(text_args);
  INFO(text.out << text.err);
  CHECK(text.exit_code == 3);
  std::istringstream lines(text.err);
  std::size_t warnings = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!contains(line, "partman: warning: "))
      continue;
    ++warnings;
    // 2026-12-05T10:00:00.123Z partman: warning: ...
    CHECK(line.size() > 25);
    CHECK(line[4] == '-');
    CHECK(line[10] == 'T');
    CHECK(line[23] == 'Z');
  }
  CHECK(warnings >= 1);

  std::vector<std::string> json_args = {"--log-format", "json", "apply"};
  json_args.insert(json_args.end(), quick.begin(), quick.end());
  const auto json = db.partman(json_args);
  INFO(json.out << json.err);
  CHECK(json.exit_code == 3);
  std::istringstream json_lines(json.err);
  std::size_t objects = 0;
  for (std::string line; std::getline(json_lines, line);) {
    if (line.empty() || line.front() != '{')
      continue;
    const auto doc = nlohmann::json::parse(line);
    CHECK(doc.at("time").get<std::string>().back() == 'Z');
    CHECK(doc.contains("level"));
    CHECK(doc.contains("message"));
    objects += doc.at("level") == "warning";
  }
  CHECK(objects >= 1);
  hold.abort();
}
