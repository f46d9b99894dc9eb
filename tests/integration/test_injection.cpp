// User text that reaches the server as a query runs as exactly one statement, inside the read-only
// transaction it was meant for: a stored values query cannot end that transaction and write.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::run;
using partman::test::TestDb;

namespace {

// A values query that closes partman's wrapping query, commits, and creates a table read-write before it
// opens a new wrapping query that ends the text as partman would.
const char* const k_escape =
    "SELECT code FROM regions) AS q(x)) d; COMMIT; BEGIN READ WRITE; CREATE TABLE pwned "
    "(i int); SELECT d.v, d.v FROM (SELECT DISTINCT q.x::text AS v FROM (SELECT 'eu'";

bool pwned(TestDb& db)
{
  return db.scalar("SELECT to_regclass('pwned') IS NOT NULL") == "t";
}

} // namespace

TEST_CASE("a values query runs as one statement: manage refuses more, and a stored one cannot leave its "
          "read-only transaction")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE regions (code text); INSERT INTO regions VALUES ('eu'), ('us'); "
          "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); "
          "CREATE TABLE other (k int NOT NULL) PARTITION BY LIST (k)");
  run(db, {"manage", "sales", "--values-query", "SELECT code FROM regions"});
  run(db, {"manage", "other", "--values", "1"});
  const std::string policy =
      db.scalar("SELECT values_query FROM partman.policy WHERE parent_table = 'sales'");

  // manage: refused with exit 2, nothing created, the policy unchanged.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {k_escape, "more than one statement"},
      {"SELECT 'eu'; SELECT 'us'", "more than one statement"},
      {"DELETE FROM regions RETURNING code", "must be one SELECT"},
      {"/* a comment */ CREATE TABLE pwned AS SELECT 1", "must be one SELECT"},
  };
  for (const auto& [query, message] : refused) {
    const auto r = db.partman({"manage", "sales", "--values-query", query});
    INFO(query << "\n" << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, message));
  }
  CHECK_FALSE(pwned(db));
  CHECK(db.scalar("SELECT count(*) FROM regions") == "2");
  CHECK(db.scalar("SELECT values_query FROM partman.policy WHERE parent_table = 'sales'") == policy);

  // Stored by hand: plan, status and apply fail that parent only, and write nothing.
  db.exec("UPDATE partman.policy SET values_query = " + db.conn().quote(k_escape) +
          " WHERE parent_table = 'sales'");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"plan"}, {"status"}, {"apply"}, {"plan", "-f", "json"}}) {
    const auto r = db.partman(args);
    INFO(args.front() << "\n" << r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(contains(r.out, "more than one statement"));
    CHECK_FALSE(pwned(db));
  }
  CHECK(db.scalar("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE "
                  "'other_%'") == "other_1");
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'sales_%'") == "0");
}
