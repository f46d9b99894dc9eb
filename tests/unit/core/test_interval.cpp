#include <catch2/catch.hpp>

#include "partman/core/interval.hpp"

using namespace partman::core;

TEST_CASE("aliases and canonical text")
{
  CHECK(parse_partition_interval("daily")->text() == "1 day");
  CHECK(parse_partition_interval("quarterly")->text() == "3 months");
  CHECK(parse_partition_interval("60 minutes")->text() == "1 hour");
  CHECK(!parse_partition_interval("7 minutes"));
}
