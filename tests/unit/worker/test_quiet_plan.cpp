// A worker's turn on an unchanged catalog: the known catalog planned again in memory is quiet only while
// nothing is due, and never for plans that follow data.
#include <catch2/catch.hpp>

#include "../core/planner_helpers.hpp"
#include "partman/run/known_catalog.hpp"

using namespace partman;
using namespace partman::test;

namespace {

// Returns a known catalog of public.events (daily, premake 2) with partitions for 2026-12-05 to 12-07.
run::KnownCatalog three_days()
{
  run::KnownCatalog known;
  known.token = "t";
  auto parent = make_parent("public", "events");
  for (const char* day : {"05", "06", "07"}) {
    const std::string next = std::to_string(std::stoi(day) + 1);
    parent.children.push_back(make_child(
        "public", std::string("events_p202612") + day, std::string("2026-12-") + day + " 00:00:00+00",
        "2026-12-" + (next.size() == 1 ? "0" + next : next) + " 00:00:00+00"));
  }
  known.snapshot.push_back(parent);
  known.policies.push_back(make_policy("public", "events", "1 day", 2));
  return known;
}

} // namespace

TEST_CASE("quiet plan: nothing due on the known catalog, then the next day's create is due")
{
  const auto known = three_days();
  const auto quiet = run::quiet_plan(known, at("2026-12-05 12:00Z"), {});
  REQUIRE(quiet);
  REQUIRE(quiet->parents.size() == 1);
  CHECK(quiet->parents[0].actions.empty());
  // A day later premake 2 needs 12-08: the turn must read the catalog and run.
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-06 00:00:01Z"), {}));
}

TEST_CASE("quiet plan: a retention that comes due ends quietness")
{
  auto known = three_days();
  known.policies[0].retention = period("1 day");
  CHECK(run::quiet_plan(known, at("2026-12-05 12:00Z"), {}));
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-07 00:00:01Z"), {}));
}

TEST_CASE("quiet plan: never for an integer policy, a values query, or pending work")
{
  auto known = three_days();
  known.policies[0].shape = core::Shape::integer;
  CHECK_FALSE(run::plans_from_catalog_alone(known.policies));
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-05 12:00Z"), {}));

  known = three_days();
  known.policies[0].values_query = "SELECT 1";
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-05 12:00Z"), {}));

  known = three_days();
  auto sub = known.policies[0];
  sub.shape = core::Shape::integer;
  known.policies[0].sub = std::make_shared<core::Policy>(sub);
  CHECK_FALSE(run::plans_from_catalog_alone(known.policies));

  known = three_days();
  known.snapshot[0].interrupted.push_back("events_p20261201");
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-05 12:00Z"), {}));

  known = three_days();
  known.snapshot[0].archives.push_back(core::PendingArchive{});
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-05 12:00Z"), {}));
}

TEST_CASE("quiet plan: removals held back by the guard are not quiet")
{
  auto known = three_days();
  known.policies[0].retention = period("1 day");
  core::PlanOptions guard;
  guard.hold_removals = "the removal window 01:00-05:00 UTC is closed";
  CHECK_FALSE(run::quiet_plan(known, at("2026-12-07 12:00Z"), guard));
}
