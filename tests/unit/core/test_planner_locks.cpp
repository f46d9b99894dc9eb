// Which actions the planner marks as taking ACCESS EXCLUSIVE on a parent or its default partition (they run
// under the shorter exclusive lock timeout), and the statement that gives them that timeout.
#include <catch2/catch.hpp>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

namespace {

// Returns true when one of `a`'s statements locks `schema`.`name` in ACCESS EXCLUSIVE mode.
bool locks_exclusively(const Action& a, const std::string& schema, const std::string& name)
{
  const std::string statement = lock_sql(schema, name, "ACCESS EXCLUSIVE");
  for (const auto& s : a.sql) {
    if (s == statement)
      return true;
  }
  return false;
}

// Checks every action of `pp`: marked exclusive exactly when it locks the parent or the default partition
// `def` (may be null) in ACCESS EXCLUSIVE mode, and then a single transaction; returns how many are.
std::size_t check_marks(const ParentPlan& pp, const ParentSnapshot& parent, const Child* def)
{
  std::size_t exclusive = 0;
  for (const auto& a : pp.actions) {
    INFO(to_string(a.kind) << " " << a.name);
    const bool locks = locks_exclusively(a, parent.schema, parent.table) ||
                       (def && locks_exclusively(a, def->schema, def->name));
    CHECK(a.exclusive == locks);
    if (a.exclusive)
      CHECK(a.transactional);
    exclusive += a.exclusive;
  }
  return exclusive;
}

} // namespace

TEST_CASE("planner: actions beside a default partition are marked exclusive and the others are not")
{
  auto parent = make_parent("app", "Events");
  auto policy = make_policy("app", "Events", "1 day", 2);
  policy.retention = period("30 days");
  parent.children.push_back(
      make_child("app", "Events_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  parent.children.push_back(
      make_child("app", "Events_p20261002", "2026-10-02 00:00:00+00:00", "2026-10-03 00:00:00+00:00"));
  const Micros now = at("2026-11-25 04:20Z");
  const RetentionAction removal =
      GENERATE(RetentionAction::drop, RetentionAction::detach, RetentionAction::archive);
  policy.retention_action = removal;
  if (removal == RetentionAction::archive)
    policy.archive_to = "file:///backup";
  INFO("retention action " << static_cast<int>(removal));

  SECTION("without a default partition: creates, concurrent detaches and finalizes are not")
  {
    parent.children[1].detach_pending = true;
    const ParentPlan pp = plan_parent(parent, policy, now, {50, true});
    REQUIRE(pp.error.empty());
    REQUIRE(pp.actions.size() == 5); // three creates, a detach, a finalize
    CHECK(check_marks(pp, parent, nullptr) == 0);
  }
  SECTION("with a default partition: every create and removal is")
  {
    parent.children.push_back(make_default("Side", "Events_default"));
    const ParentPlan pp = plan_parent(parent, policy, now, {50, true});
    REQUIRE(pp.error.empty());
    REQUIRE(pp.actions.size() == 5); // three creates, two removals
    CHECK(check_marks(pp, parent, &parent.children.back()) == 5);
  }
  SECTION("the create of the default partition itself is not (there is none yet to lock)")
  {
    policy.default_partition = true;
    const ParentPlan pp = plan_parent(parent, policy, now, {50, true});
    REQUIRE(pp.error.empty());
    REQUIRE(!pp.actions.empty());
    CHECK(pp.actions.back().name == "Events_default");
    CHECK(check_marks(pp, parent, nullptr) == 0);
  }
}

TEST_CASE("planner: a drain step's create beside the default partition is marked exclusive")
{
  auto parent = make_parent("public", "events");
  const auto policy = make_policy("public", "events", "1 day", 1);
  parent.children.push_back(make_default("public", "events_default"));
  const DrainStep s = plan_drain_range(parent, policy, at("2026-11-25 04:20Z"), at("2026-11-20 10:00Z"));
  REQUIRE(s.plan.actions.size() == 1);
  CHECK(check_marks(s.plan, parent, &parent.children.back()) == 1);
}

TEST_CASE("planner: the exclusive lock timeout is set locally and for exclusive actions only")
{
  Action a;
  CHECK(exclusive_timeout_sql(a, "100ms").empty());
  a.exclusive = true;
  CHECK(exclusive_timeout_sql(a, "100ms") == "SET LOCAL lock_timeout = '100ms';\n");
  CHECK(exclusive_timeout_sql(a, "it's") == "SET LOCAL lock_timeout = 'it''s';\n");
  CHECK(exclusive_timeout_sql(a, "").empty()); // empty: the session's lock_timeout
}
