#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "partman/core/names.hpp"

using namespace partman::core;
using partman::test::wall;

namespace {

Interval iv(const std::string& text)
{
  auto r = parse_partition_interval(text);
  REQUIRE(r);
  return *r;
}

std::string suffix(const std::string& interval, const std::string& local)
{
  return partition_suffix(iv(interval), wall(local));
}

// Returns true when `s` is well-formed UTF-8.
bool valid_utf8(const std::string& s)
{
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size())
      return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return false;
    }
    i += n;
  }
  return true;
}

} // namespace

TEST_CASE("quote_ident doubles double quotes and keeps everything else")
{
  CHECK(quote_ident("events") == "\"events\"");
  CHECK(quote_ident("Events") == "\"Events\"");
  CHECK(quote_ident("my table") == "\"my table\"");
  CHECK(quote_ident("a\"b") == "\"a\"\"b\"");
  CHECK(quote_ident("\"") == "\"\"\"\"");
  CHECK(quote_ident("it's") == "\"it's\"");
  CHECK(quote_ident("") == "\"\"");
  CHECK(quote_ident("größe") == "\"größe\"");
  CHECK(quote_qualified("public", "events") == "\"public\".\"events\"");
  CHECK(quote_qualified("My Schema", "we\"ird") == "\"My Schema\".\"we\"\"ird\"");
}

TEST_CASE("quote_literal doubles single quotes and leaves backslashes alone")
{
  CHECK(quote_literal("2026-11-25 00:00:00+01:00") == "'2026-11-25 00:00:00+01:00'");
  CHECK(quote_literal("it's") == "'it''s'");
  CHECK(quote_literal("''") == "''''''");
  CHECK(quote_literal("a\\b") == "'a\\b'");
  CHECK(quote_literal("") == "''");
}

TEST_CASE("partition_suffix per unit")
{
  CHECK(suffix("1 year", "2026-01-01") == "p2026");
  CHECK(suffix("2 years", "2026-01-01") == "p2026");
  CHECK(suffix("1 month", "2026-11-01") == "p202611");
  CHECK(suffix("1 month", "2028-02-01") == "p202802");
  CHECK(suffix("quarterly", "2026-04-01") == "p202604");
  CHECK(suffix("1 day", "2026-11-25") == "p20261125");
  CHECK(suffix("1 day", "2028-02-29") == "p20280229");
  CHECK(suffix("1 day", "1969-12-31") == "p19691231");
  CHECK(suffix("1 hour", "2026-11-25 04:00") == "p20261125_0400");
  CHECK(suffix("15 minutes", "2026-11-25 04:15") == "p20261125_0415");
  CHECK(suffix("15 minutes", "2026-11-25 23:45") == "p20261125_2345");
}

TEST_CASE("partition_suffix: ISO weeks and ISO years")
{
  CHECK(suffix("1 week", "2026-11-23") == "p2026w48");
  CHECK(suffix("1 week", "2026-12-28") == "p2026w53");
  CHECK(suffix("1 week", "2027-01-01") == "p2026w53");
  CHECK(suffix("1 week", "2027-01-03") == "p2026w53");
  CHECK(suffix("1 week", "2027-01-04") == "p2027w01");
  CHECK(suffix("1 week", "2025-12-29") == "p2026w01"); // Monday of ISO week 2026-W01
  CHECK(suffix("1 week", "2026-01-01") == "p2026w01");
  CHECK(suffix("1 week", "2024-12-30") == "p2025w01");
  CHECK(suffix("1 week", "2026-01-05") == "p2026w02");
  CHECK(suffix("1 week", "2020-12-28") == "p2020w53");
}

TEST_CASE("child_name: short parents get parent_suffix")
{
  CHECK(child_name("events", "p20261125") == "events_p20261125");
  CHECK(child_prefix("events", 9) == "events_");
  CHECK(child_name("My Events", "p2026") == "My Events_p2026");
  const std::string fits(53, 'a'); // 53 + 1 + 9 = 63 bytes exactly
  CHECK(child_name(fits, "p20261125") == fits + "_p20261125");
  CHECK(child_name(fits, "p20261125").size() == 63);
}

TEST_CASE("child_name: long parents are cut and given a hash of the full name")
{
  const std::string x = std::string(60, 'a') + "x";
  const std::string y = std::string(60, 'a') + "y";
  CHECK(child_name(x, "p20261125") == std::string(44, 'a') + "_639dd84b_p20261125");
  CHECK(child_name(y, "p20261125") == std::string(44, 'a') + "_629dd6b8_p20261125");
  CHECK(child_name(x, "p20261125").size() == 63);
  CHECK(child_name(x, "p20261125") != child_name(y, "p20261125"));
  CHECK(child_prefix(x, 9) == std::string(44, 'a') + "_639dd84b_");
  // One byte too long for the plain form.
  const std::string just_over(54, 'b');
  CHECK(child_name(just_over, "p20261125").size() == 63);
  CHECK(child_name(just_over, "p20261125").rfind(std::string(44, 'b') + "_", 0) == 0);
  // The cut depends on the suffix length; the result always fits.
  const std::string parent = "measurements_from_the_north_sea_platform_sensors_v2"; // 51 bytes
  CHECK(child_name(parent, "p20261125") == parent + "_p20261125");
  CHECK(child_name(parent, "p20261125_0415") ==
        "measurements_from_the_north_sea_platfor_14083766_p20261125_0415");
  for (const char* sfx : {"p2026", "p202611", "p2026w48", "p20261125", "p20261125_0415"}) {
    INFO(sfx);
    for (std::size_t len = 40; len <= 100; ++len) {
      const std::string name = child_name(std::string(len, 'z'), sfx);
      CHECK(name.size() <= k_max_identifier_bytes);
      CHECK(name.size() >= name.find(sfx) + std::string(sfx).size());
      CHECK(name.compare(name.size() - std::string(sfx).size(), std::string::npos, sfx) == 0);
      CHECK(child_prefix(std::string(len, 'z'), std::string(sfx).size()) + sfx == name);
    }
  }
}

TEST_CASE("child_name: multibyte UTF-8 parents are never cut inside a character")
{
  std::string umlauts;
  for (int i = 0; i < 40; ++i)
    umlauts += "ä"; // 2 bytes each, 80 bytes in all
  std::string u22, u23;
  for (int i = 0; i < 22; ++i)
    u22 += "ä";
  u23 = u22 + "ä";
  CHECK(child_name(umlauts, "p20261125") == u22 + "_15772185_p20261125"); // room 44: 22 whole
  CHECK(child_name(umlauts, "p202611") == u23 + "_15772185_p202611");     // room 46: 23 whole
  CHECK(child_name(umlauts, "p2026w48") == u22 + "_15772185_p2026w48");   // room 45: cut back to 44
  CHECK(child_name(umlauts, "p2026w48").size() == 62);
  for (const char* ch : {"ä", "€", "😀"}) { // 2, 3 and 4 bytes
    for (std::size_t count = 10; count <= 40; ++count) {
      std::string parent;
      for (std::size_t i = 0; i < count; ++i)
        parent += ch;
      for (const char* sfx : {"p2026", "p202611", "p2026w48", "p20261125", "p20261125_0415"}) {
        INFO(parent << " " << sfx);
        const std::string name = child_name(parent, sfx);
        CHECK(name.size() <= k_max_identifier_bytes);
        CHECK(valid_utf8(name));
      }
    }
  }
  // Two long multibyte parents that share their first 60 bytes still get different names.
  std::string a = umlauts + "a", b = umlauts + "b";
  CHECK(child_name(a, "p20261125") != child_name(b, "p20261125"));
}
