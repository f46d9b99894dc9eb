// Run reports that machines read: apply --format json as one document, and several databases (one of them
// unreachable) as one document for status, plan and apply.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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
