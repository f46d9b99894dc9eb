#include <catch2/catch.hpp>

#include "partman/core/strategy.hpp"

using namespace partman::core;

TEST_CASE("strategy: partstrat codes and SQL names, in one place")
{
  for (const auto s : {Strategy::none, Strategy::range, Strategy::list, Strategy::hash})
    CHECK(parse_strategy(strategy_code(s)) == s);
  CHECK(parse_strategy('r') == Strategy::range);
  CHECK(parse_strategy('l') == Strategy::list);
  CHECK(parse_strategy('h') == Strategy::hash);
  CHECK(parse_strategy('x') == Strategy::none);
  CHECK(parse_strategy('\0') == Strategy::none);
  CHECK(std::string(to_string(Strategy::range)) == "RANGE");
  CHECK(std::string(to_string(Strategy::list)) == "LIST");
  CHECK(std::string(to_string(Strategy::hash)) == "HASH");
  CHECK(std::string(to_string(Strategy::none)).empty());
}
