// The worker's change token: another value after every change a plan could follow, the same value after
// what no plan follows (rows written, VACUUM, ANALYZE), so that a quiet turn is never wrong.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "partman/run/known_catalog.hpp"
#include "util.hpp"

using partman::test::run;
using partman::test::TestDb;

namespace {

// Returns the token of the test database now.
std::string token(TestDb& db)
{
  return partman::run::read_change_token(db.conn(), "partman").token;
}

} // namespace

TEST_CASE("change token: changed by partition DDL, policies and runs, not by rows or statistics")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  run(db, {"manage", "ev", "--interval", "1 day", "--premake", "2", "--default-partition"});
  run(db, {"apply"});
  std::string t = token(db);
  CHECK(token(db) == t);

  // What no plan follows.
  db.exec("INSERT INTO ev SELECT g, now() FROM generate_series(1, 100) g");
  db.exec("INSERT INTO ev VALUES (0, '1999-01-01')"); // into the default partition
  db.exec("ANALYZE ev");
  CHECK(token(db) == t);

  // Each of these must give another token.
  const std::string partition = db.scalar("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
                                          "i.inhrelid WHERE i.inhparent = 'ev'::regclass AND c.relname <> "
                                          "'ev_default' ORDER BY 1 DESC LIMIT 1");
  const std::vector<std::string> changes{
      "ALTER TABLE ev DETACH PARTITION " + partition,
      "ALTER TABLE ev ATTACH PARTITION " + partition + " FOR VALUES FROM ('2099-01-01') TO ('2099-01-02')",
      "ALTER TABLE " + partition + " RENAME TO renamed_partition",
      "DROP TABLE renamed_partition",
      "CREATE TABLE ev_extra PARTITION OF ev FOR VALUES FROM ('2098-01-01') TO ('2098-01-02')",
      "UPDATE partman.policy SET premake = 3",
      "INSERT INTO partman.history (run_id, parent_schema, parent_table, action, sql, outcome) VALUES "
      "(gen_random_uuid(), 'public', 'ev', 'create', '-', 'ok')",
      "CREATE TABLE other (a int) PARTITION BY LIST (a)",
  };
  for (const auto& sql : changes) {
    INFO(sql);
    db.exec(sql);
    const std::string next = token(db);
    CHECK(next != t);
    t = next;
  }
}
