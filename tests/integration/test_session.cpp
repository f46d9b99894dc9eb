// Connection strings as partman reads them: a --dsn-file's lines, and a password masked in libpq's messages.
#include <catch2/catch.hpp>
#include <sstream>

#include "harness.hpp"
#include "partman/db/session.hpp"
#include "util.hpp"

using partman::test::contains;

TEST_CASE("session: a --dsn-file lists one conninfo a line and skips blank lines, comments and spaces")
{
  std::istringstream in("# fleet\n  host=a dbname=x  \r\n\n\t\npostgresql://u@b/y\n   # indented comment\n");
  CHECK(partman::db::read_dsn_list(in) == std::vector<std::string>{"host=a dbname=x", "postgresql://u@b/y"});
}

TEST_CASE("session: a password is masked wherever it shows, also one the mask itself holds")
{
  using partman::db::mask_password;
  CHECK(mask_password("password \"s3cret\" refused for s3cret\n", "password=s3cret") ==
        "password \"********\" refused for ********");
  CHECK(mask_password("no secret here \n", "host=a") == "no secret here");
  // A password of stars once made the masking loop for ever (each mask held the password again).
  CHECK(mask_password("socket \"/tmp/*x\" failed", "password=*") == "socket \"/tmp/********x\" failed");
  CHECK(mask_password("** and **", "password=**") == "******** and ********");
}

TEST_CASE("session: a connection error that holds a password of stars ends, exit 4, masked")
{
  partman::test::TestDb db;
  const auto r =
      db.partman({"-d", "host=/tmp/partman-no-such-*-folder password=* connect_timeout=5", "status"});
  CHECK(r.exit_code == 4);
  CHECK(contains(r.err, "cannot connect to the database"));
  CHECK(contains(r.err, "/tmp/partman-no-such-********-folder"));
}
