#include <catch2/catch.hpp>

#include "harness.hpp"

using partman::test::TestDb;

TEST_CASE("install, manage, plan, apply: a daily parent converges and a second apply does nothing")
{
  TestDb db;
  db.exec("CREATE TABLE events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  REQUIRE(db.partman({"install"}).exit_code == 0);
  REQUIRE(db.partman({"manage", "events", "--interval", "daily", "--premake", "3"}).exit_code == 0);
  const auto plan = db.partman({"plan", "--at", "2026-11-25 10:00"});
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.out.find("events_p20261128") != std::string::npos);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "0");
  REQUIRE(db.partman({"apply", "--at", "2026-11-25 10:00"}).exit_code == 0);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "4");
  const auto again = db.partman({"plan", "--at", "2026-11-25 10:00", "--format", "json"});
  CHECK(again.out.find("\"actions\": []") != std::string::npos);
}
