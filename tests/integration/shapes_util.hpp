// Helpers shared by the tests of integer, epoch and LIST parents: their set-up, where rows landed, and
// partition bounds as the server deparses them (header only: tests/CMakeLists.txt globs *.cpp).
#pragma once

#include <string>

#include "harness.hpp"
#include "util.hpp"

namespace partman::test::shapes {

// Returns "partition|min|max|count" lines: where the rows of `table` landed.
inline std::string placement(TestDb& db, const std::string& table, const std::string& key)
{
  return join_lines(db.column("SELECT tableoid::regclass::text || '|' || min(" + key +
                              ")::text || '|' || max(" + key + ")::text || '|' || count(*) FROM " + table +
                              " GROUP BY tableoid ORDER BY 1"));
}

// Returns the bound of partition `name` as the server deparses it.
inline std::string bound_of(TestDb& db, const std::string& name)
{
  return db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = to_regclass(" +
                   db.conn().quote(name) + ")");
}

// Installs partman in `db` and runs `tables` (the test's tables).
inline void set_up(TestDb& db, const std::string& tables)
{
  run(db, {"install"});
  db.exec(tables);
}

} // namespace partman::test::shapes
