#include <catch2/catch.hpp>
#include <stdexcept>

#include "partman/core/archive_state.hpp"

using namespace partman::core;

TEST_CASE("every archive state reads back from the text the archive table stores")
{
  for (const ArchiveState state : {ArchiveState::detaching, ArchiveState::detached, ArchiveState::written,
                                   ArchiveState::verified, ArchiveState::dropped, ArchiveState::failed}) {
    const auto parsed = parse_archive_state(to_string(state));
    REQUIRE(parsed);
    CHECK(*parsed == state);
    CHECK(archive_state_sql(state) == "'" + std::string(to_string(state)) + "'");
  }
  // The list sql/003_archive.sql checks, in its order.
  CHECK(std::string(to_string(ArchiveState::detaching)) == "detaching");
  CHECK(std::string(to_string(ArchiveState::failed)) == "failed");
}

TEST_CASE("an archive state the table should not hold is named in the error")
{
  const auto parsed = parse_archive_state("exported");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().find("'exported'") != std::string::npos);
  CHECK_THROWS_WITH(stored_archive_state("Dropped", 17),
                    Catch::Contains("archive #17") && Catch::Contains("'Dropped'"));
}

TEST_CASE("only written, verified and dropped archives hold a complete copy")
{
  CHECK(has_complete_copy(ArchiveState::written));
  CHECK(has_complete_copy(ArchiveState::verified));
  CHECK(has_complete_copy(ArchiveState::dropped));
  CHECK_FALSE(has_complete_copy(ArchiveState::detaching));
  CHECK_FALSE(has_complete_copy(ArchiveState::detached));
  CHECK_FALSE(has_complete_copy(ArchiveState::failed));
}
