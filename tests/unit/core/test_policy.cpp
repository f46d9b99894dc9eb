// Policy checks that need no database: what a LIST values query may be.
#include <catch2/catch.hpp>

#include "partman/core/policy.hpp"

using partman::core::check_values_query;

TEST_CASE("a values query must start as one query: SELECT, WITH, VALUES or TABLE")
{
  for (const char* ok : {"SELECT code FROM regions", "  select 1", "WITH r AS (SELECT 1) SELECT * FROM r",
                         "VALUES ('eu'), ('us')", "TABLE regions", "(SELECT 1)", "-- regions\nSELECT code",
                         "/* regions */ SELECT code"})
    CHECK(check_values_query(ok).empty());
  for (const char* bad :
       {"DELETE FROM regions RETURNING code", "CREATE TABLE t AS SELECT 1", "", "  ", "/* unterminated",
        "-- only a comment", "COMMIT; SELECT 1", "CALL p()", "SELECTED"}) {
    INFO(bad);
    const std::string problem = check_values_query(bad);
    CHECK(problem.find("--values-query must be one SELECT") == 0);
    CHECK(problem.find("HINT:") != std::string::npos);
  }
}
