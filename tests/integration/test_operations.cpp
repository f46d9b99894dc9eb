// The operations of partman/run called directly, with a plain request and a report, beside the same work
// through the binary: both see and change the same database the same way.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "partman/core/errors.hpp"
#include "partman/run/archives.hpp"
#include "partman/run/drain_default.hpp"
#include "partman/run/manage.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::run;
using partman::test::TestDb;

namespace {

// 2026-03-01 00:00 UTC, in microseconds since 1970.
constexpr partman::core::Micros k_march_first = 1772323200LL * 1000000;

// Returns a manage request for parent `parent` of the test database.
partman::run::ManageRequest manage_request(TestDb& db, const std::string& parent)
{
  partman::run::ManageRequest r;
  r.dsn = "dbname=" + db.name();
  r.options.parent = parent;
  return r;
}

// Records what a drain says as it goes.
struct Recorder : partman::run::DrainObserver
{
  std::vector<std::string> events;
  void started(const partman::run::DrainReport& r) override
  {
    events.push_back("started " + std::to_string(r.held));
  }
  void creating(const std::string& /*range*/, const std::string& partition) override
  {
    events.push_back("creating " + partition);
  }
  void action_done(const partman::run::DrainAction& a) override
  {
    events.push_back("done " + a.partition + " " + std::to_string(a.moved));
  }
};

} // namespace

TEST_CASE("manage, drain-default and unmanage called as operations report what they did")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  db.exec("CREATE INDEX ON ev (at)");

  // Invalid options: a UsageError, and nothing is written.
  auto bad = manage_request(db, "ev");
  bad.options.interval = "daily";
  bad.options.premake = "two";
  CHECK_THROWS_AS(partman::run::manage(bad), partman::UsageError);
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");

  auto request = manage_request(db, "ev");
  request.options.interval = "daily";
  request.options.premake = "1";
  request.options.retention = "30 days";
  request.options.default_partition = true;
  const auto managed = partman::run::manage(request);
  CHECK(managed.change == partman::run::ManageReport::Change::inserted);
  CHECK(managed.policy.premake == 1);
  CHECK(managed.policy.default_partition);
  CHECK(managed.parent.key_column == "at");
  // The binary sees the policy the operation saved, and updating it again is an update.
  run(db, {"apply", "--at", "2026-03-01"});
  request.options = {};
  request.options.parent = "ev";
  request.options.premake = "2";
  CHECK(partman::run::manage(request).change == partman::run::ManageReport::Change::updated);
  CHECK(contains(run(db, {"manage", "ev", "--premake", "1"}).out,
                 "updated the policy of \"public\".\"ev\": 1 day on \"at\" (timestamp with time zone), "
                 "premake 1"));

  // Rows for two days ahead, and some long before any partition: drain what fits, report what stays.
  db.exec("INSERT INTO ev SELECT g, '2026-03-10'::timestamptz + g * interval '1 hour' FROM "
          "generate_series(0, 29) g");
  // (1990 has expired under the retention of 30 days.)
  db.exec("INSERT INTO ev SELECT g, '1990-01-01'::timestamptz + g * interval '1 day' FROM "
          "generate_series(1, 3) g");
  partman::run::DrainRequest drain;
  drain.dsn = "dbname=" + db.name();
  drain.parent = "ev";
  drain.now = k_march_first;
  drain.batch_size = 7;
  Recorder recorder;
  const auto drained = partman::run::drain_default(drain, recorder);
  CHECK(drained.complete());
  CHECK(drained.held == 33);
  CHECK(drained.created == 2);
  CHECK(drained.moved == 30);
  CHECK(drained.left == 3);
  CHECK(drained.null_keys == 0);
  REQUIRE(drained.examples.size() == 3);
  CHECK(drained.examples.front() == "1990-01-02 00:00:00+00");
  CHECK(recorder.events == std::vector<std::string>{"started 33", "creating \"public\".\"ev_p20260310\"",
                                                    "done \"public\".\"ev_p20260310\" 24",
                                                    "creating \"public\".\"ev_p20260311\"",
                                                    "done \"public\".\"ev_p20260311\" 6"});
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_default") == "3");
  // The binary, after it, finds nothing more to move.
  CHECK(
      contains(run(db, {"drain-default", "ev", "--at", "2026-03-01"}).out,
               "0 partition(s) created, 0 rows moved in batches; 3 rows stay in \"public\".\"ev_default\""));

  // No archives yet.
  partman::run::ArchiveListRequest list;
  list.dsn = "dbname=" + db.name();
  CHECK(partman::run::list_archives(list).archives.empty());

  partman::run::UnmanageRequest unmanage;
  unmanage.dsn = "dbname=" + db.name();
  unmanage.parent = "ev";
  const auto removed = partman::run::unmanage(unmanage);
  CHECK(removed.schema == "public");
  CHECK(removed.table == "ev");
  CHECK_THROWS_AS(partman::run::unmanage(unmanage), partman::UsageError);
  CHECK(contains(run(db, {"unmanage", "ev"}, 2).err, "\"public\".\"ev\" is not managed by partman"));
}
