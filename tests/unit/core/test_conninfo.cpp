// Passwords in connection strings: found in every form libpq reads, and hidden in place.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "partman/core/conninfo.hpp"

using namespace partman::core;

namespace {

// Returns the passwords password_spans finds in `dsn`.
std::vector<std::string> passwords(const std::string& dsn)
{
  std::vector<std::string> out;
  for (const auto& [begin, end] : password_spans(dsn))
    out.push_back(dsn.substr(begin, end - begin));
  return out;
}

// Returns `dsn` as hide_passwords leaves it, checking that it kept its size in memory.
std::string hidden(const std::string& dsn)
{
  std::vector<char> buffer(dsn.begin(), dsn.end());
  buffer.push_back('\0');
  hide_passwords(buffer.data());
  for (std::size_t i = std::strlen(buffer.data()); i < buffer.size(); ++i)
    CHECK(buffer[i] == '\0');
  return buffer.data();
}

using Strings = std::vector<std::string>;

} // namespace

TEST_CASE("conninfo: passwords of conninfo strings")
{
  CHECK(passwords("host=db password=s3cret dbname=app") == Strings{"s3cret"});
  CHECK(passwords("password=s3cret") == Strings{"s3cret"});
  CHECK(passwords("host=db password = 's3 cr\\'et' dbname=app") == Strings{"s3 cr\\'et"});
  CHECK(passwords("password=a\\ b host=x") == Strings{"a\\ b"});
  CHECK(passwords("  host=db\tpassword=x1  ") == Strings{"x1"});
  CHECK(passwords("password= host=db") == Strings{"host=db"}); // as libpq reads it: the value after '= '
  CHECK(passwords("passfile=/p host=password") == Strings{});
  CHECK(passwords("host=db dbname=app") == Strings{});
  CHECK(passwords("app") == Strings{}); // a database name
  CHECK(passwords("") == Strings{});
  CHECK(passwords("host=db garbage") == Strings{}); // libpq refuses it; nothing to find
  // libpq's PQconnectdb reads a dbname as a name, even one that looks like a connection string.
  CHECK(passwords("dbname='postgresql://u:inner@h/d' password=outer") == Strings{"outer"});
  CHECK(passwords("dbname='host=h password=deep'") == Strings{});
}

TEST_CASE("conninfo: passwords of URIs")
{
  CHECK(passwords("postgresql://maint:s3cret@db.example:5432/app") == Strings{"s3cret"});
  CHECK(passwords("postgres://maint:s3cret@db/app") == Strings{"s3cret"});
  CHECK(passwords("postgresql://maint:p%40ss@db/app?sslmode=require") == Strings{"p%40ss"});
  CHECK(passwords("postgresql://maint@db/app?password=q1&sslmode=require&password=q2") ==
        Strings{"q1", "q2"});
  CHECK(passwords("postgresql://maint:a@db/app?password=b") == Strings{"a", "b"});
  CHECK(passwords("postgresql://maint@db/app") == Strings{});
  CHECK(passwords("postgresql://db/app?user=me") == Strings{});
  CHECK(passwords("postgresql:///app") == Strings{});
  // A ':' after the '/' is not in the credentials.
  CHECK(passwords("postgresql://db/app:x@y") == Strings{});
  CHECK(passwords("postgresql://u:@db/app") == Strings{""});
}

TEST_CASE("conninfo: hide_passwords overwrites them in place and never grows the text")
{
  CHECK(hidden("host=db password=s3cret dbname=app") == "host=db password=*** dbname=app");
  CHECK(hidden("password='a b c d' host=x") == "password='***' host=x");
  CHECK(hidden("password=ab host=x") == "password=** host=x");
  CHECK(hidden("postgresql://maint:s3cret@db/app?password=zz&x=1") ==
        "postgresql://maint:***@db/app?password=**&x=1");
  CHECK(hidden("postgresql://u:@db/app") == "postgresql://u:@db/app");
  CHECK(hidden("app") == "app");
  CHECK(hidden("host=db dbname=app") == "host=db dbname=app");
  CHECK(hidden("host=h password=first password=second") == "host=h password=*** password=***");
}
