#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "partman/core/health.hpp"

using namespace partman::core;
using partman::test::at;

namespace {

// A daily parent with premake 4, all four partitions ahead, a default partition, and a run an hour ago.
ParentHealth healthy(Micros now)
{
  ParentHealth h;
  h.parent = "\"public\".\"ev\"";
  h.premake = 4;
  h.ahead = 4;
  h.default_name = "\"public\".\"ev_default\"";
  h.default_rows = 0;
  h.run.last_run = now - 60 * k_micros_per_minute;
  h.run.last_success = h.run.last_run;
  return h;
}

// Returns "LEVEL message" per finding.
std::vector<std::string> judged(const ParentHealth& h, const HealthLimits& limits, Micros now)
{
  std::vector<std::string> out;
  for (const auto& f : judge_health(h, limits, now))
    out.push_back(std::string(to_string(f.level)) + " " + f.message);
  return out;
}

} // namespace

TEST_CASE("health: a parent within its limits has no finding")
{
  const Micros now = at("2026-11-25 12:00");
  CHECK(judged(healthy(now), {}, now).empty());
}

TEST_CASE("health: partitions ahead are judged against the limits, capped by the premake")
{
  const Micros now = at("2026-11-25 12:00");
  auto h = healthy(now);
  h.ahead = 1;
  CHECK(judged(h, {}, now) == std::vector<std::string>{"WARNING 1 partition(s) ahead of now, fewer than 2"});
  h.ahead = 0;
  CHECK(judged(h, {}, now) == std::vector<std::string>{"CRITICAL 0 partition(s) ahead of now, fewer than 1"});
  HealthLimits strict;
  strict.warning = 10;
  strict.critical = 6;
  h.ahead = 4; // premake 4: the limits become 4 and 4
  CHECK(judged(h, strict, now).empty());
  h.ahead = 3;
  CHECK(judged(h, strict, now) ==
        std::vector<std::string>{"CRITICAL 3 partition(s) ahead of now, fewer than 4"});
  h.ahead.reset(); // LIST: nothing ahead to judge
  CHECK(judged(h, strict, now).empty());
}

TEST_CASE("health: runs, archives, default rows and errors, the worst first")
{
  const Micros now = at("2026-11-25 12:00");
  auto h = healthy(now);
  h.default_rows = 12;
  h.run.last_success = now - 3 * k_micros_per_day;
  h.run.last_error = "failed: lock timeout";
  h.run.failed_archives = 2;
  CHECK(
      judged(h, {}, now) ==
      std::vector<std::string>{"CRITICAL last successful run 3 days ago, more than 26 h; last error: failed: "
                               "lock timeout",
                               "CRITICAL 2 failed archive(s)",
                               "WARNING about 12 row(s) in default partition \"public\".\"ev_default\", "
                               "more than 0"});
  h = healthy(now);
  h.run = {};
  h.error = "relation is gone";
  CHECK(judged(h, {}, now) == std::vector<std::string>{"CRITICAL cannot be planned: relation is gone",
                                                       "CRITICAL no successful run recorded"});
}

TEST_CASE("health: ages for people")
{
  CHECK(age_text(45 * k_micros_per_second) == "45 s");
  CHECK(age_text(12 * k_micros_per_minute) == "12 min");
  CHECK(age_text(30 * 60 * k_micros_per_minute) == "30 h");
  CHECK(age_text(3 * k_micros_per_day) == "3 days");
  CHECK(age_text(-5) == "0 s");
}
