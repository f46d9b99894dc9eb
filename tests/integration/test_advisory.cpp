// A run releases its parent locks and nothing else: the worker's leader lock, held by a session of its own
// in production, stays held even when the same session takes and releases parent locks.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "harness.hpp"
#include "partman/db/executor.hpp"

using partman::test::TestDb;

namespace {

long long advisory_locks(pqxx::connection& conn)
{
  pqxx::nontransaction tx(conn);
  return tx.exec("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")[0][0]
      .as<long long>();
}

} // namespace

TEST_CASE(
    "unlocking the parents releases their locks, negative hashes too, and keeps any other advisory lock")
{
  TestDb db;
  db.exec("CREATE TABLE public.a (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  pqxx::connection conn("dbname=" + db.name());
  {
    pqxx::nontransaction tx(conn);
    tx.exec("SELECT pg_advisory_lock(28791, 0)"); // the worker's leader lock ('pw', 0)
  }
  // Names whose hashes fall on both sides of zero.
  std::vector<partman::db::TableName> parents;
  for (int i = 0; i < 8; ++i)
    parents.emplace_back("public", "t" + std::to_string(i));
  CHECK(partman::db::lock_parents(conn, parents).empty());
  CHECK(advisory_locks(conn) == 9);
  partman::db::unlock_parents(conn);
  CHECK(advisory_locks(conn) == 1);
  pqxx::nontransaction tx(conn);
  CHECK(tx.exec("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND "
                "classid = 28791 AND objid = 0")[0][0]
            .as<int>() == 1);
}
