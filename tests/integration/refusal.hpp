// What the SQL API refuses, as text: a function in the test database that runs a call and returns its error
// (header only: tests/CMakeLists.txt globs *.cpp).
#pragma once

#include <string>

#include "util.hpp"

namespace partman::test {

// Installs partman and creates, in the test database, refusal(call): runs `call` and returns "accepted", or
// the SQLSTATE, the message and "; HINT: " and the hint of the error it raised (what the statement changed
// is rolled back).
inline void install_with_refusal(TestDb& db)
{
  run(db, {"install"});
  db.exec(R"sql(
    CREATE FUNCTION refusal(call text) RETURNS text LANGUAGE plpgsql AS $$
    DECLARE
        m text;
        h text;
        s text;
    BEGIN
        EXECUTE call;
        RETURN 'accepted';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT, s = RETURNED_SQLSTATE;
        RETURN s || ' ' || m || CASE WHEN h <> '' THEN '; HINT: ' || h ELSE '' END;
    END
    $$)sql");
}

// Returns what refusal() says of `call`.
inline std::string refusal(TestDb& db, const std::string& call)
{
  return db.scalar("SELECT refusal(" + db.conn().quote(call) + ")");
}

} // namespace partman::test
