#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "partman/core/clock.hpp"

using namespace partman::core;
using partman::test::at;

TEST_CASE("clock: a time given ahead of the server's clock holds removals back")
{
  const Micros server = at("2026-12-05 10:00:00Z");
  CHECK(check_clock(at("2026-12-05 10:00:00Z"), false, server, server).refusal.empty());
  CHECK(check_clock(at("2026-11-05 10:00:00Z"), false, server, server).refusal.empty());
  const ClockCheck ahead = check_clock(at("2026-12-05 10:00:01Z"), false, server, server);
  CHECK(ahead.warning.empty());
  CHECK(ahead.refusal ==
        "its removals are judged at 2026-12-05T10:00:01Z, later than the server's clock "
        "(2026-12-05T10:00:00Z), when partitions may not have expired yet, so only its creates "
        "are applied; HINT: rerun with --force to remove them anyway");
}

TEST_CASE("clock: a host clock more than 5 minutes from the server's warns, and holds removals it judges")
{
  const Micros server = at("2026-12-05 10:00:00Z");
  for (const char* host : {"2026-12-05 10:05:00Z", "2026-12-05 09:55:00Z", "2026-12-05 10:00:00.5Z"}) {
    INFO(host);
    const ClockCheck c = check_clock(at(host), true, server, at(host));
    CHECK(c.warning.empty());
    CHECK(c.refusal.empty());
  }
  const ClockCheck fast =
      check_clock(at("2026-12-05 12:00:00Z"), true, server, at("2026-12-05 12:00:00.25Z"));
  CHECK(fast.warning == "this host's clock (2026-12-05T12:00:00Z) and the server's (2026-12-05T10:00:00Z) "
                        "differ by 7200 seconds; removals judged by this host's clock wait for --force");
  CHECK(fast.refusal == "this host's clock (2026-12-05T12:00:00Z) and the server's (2026-12-05T10:00:00Z) "
                        "differ by more than 5 minutes, so only its creates are applied; HINT: set the clock "
                        "right (NTP), or rerun with --force");
  const ClockCheck slow = check_clock(at("2026-12-05 09:50:00Z"), true, server, at("2026-12-05 09:50:00Z"));
  CHECK(!slow.warning.empty());
  CHECK(!slow.refusal.empty());
  // With --at the host's clock decides nothing: the warning is all.
  const ClockCheck given = check_clock(at("2026-12-01Z"), false, server, at("2026-12-05 12:00:00Z"));
  CHECK(!given.warning.empty());
  CHECK(given.refusal.empty());
}
