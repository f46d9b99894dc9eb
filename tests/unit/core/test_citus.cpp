// The planner's choices for a parent that Citus distributes, in memory: statements one per message, a short
// DETACH or DROP instead of DETACH ... CONCURRENTLY, the new table distributed before rows move into it,
// batches bounded by key ranges, and what plan says; a plain parent's plan stays as it was.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "partman/core/citus.hpp"
#include "partman/core/fingerprint.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

namespace {

// Returns true when one of `a`'s statements contains `text`.
bool any_statement_has(const Action& a, const std::string& text)
{
  for (const auto& s : a.sql) {
    if (s.find(text) != std::string::npos)
      return true;
  }
  return false;
}

// Returns the position of the first statement of `a` that starts with `prefix` (a.sql.size(): none).
std::size_t position_of(const Action& a, const std::string& prefix)
{
  for (std::size_t i = 0; i < a.sql.size(); ++i) {
    if (a.sql[i].rfind(prefix, 0) == 0)
      return i;
  }
  return a.sql.size();
}

// Returns public.events distributed by Citus on tenant_id (as pg_dist_partition tells), with two old
// partitions; `column` empty: a Citus table not distributed by a column (reference or local).
ParentSnapshot citus_parent(const std::string& column = "tenant_id")
{
  auto parent = make_parent("public", "events");
  parent.distribution.citus = true;
  parent.distribution.column = column;
  parent.properties.columns = {"tenant_id", "created_at", "payload"};
  parent.children.push_back(
      make_child("public", "events_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261002", "2026-10-02 00:00:00+00:00", "2026-10-03 00:00:00+00:00"));
  return parent;
}

// Returns a daily policy for public.events, premake 1, retention 30 days with `removal`.
Policy daily(RetentionAction removal = RetentionAction::drop)
{
  auto policy = make_policy("public", "events", "1 day", 1);
  policy.retention = period("30 days");
  policy.retention_action = removal;
  if (removal == RetentionAction::archive)
    policy.archive_to = "file:///backup";
  return policy;
}

const Micros k_now = at("2026-11-25 04:20Z");

} // namespace

TEST_CASE("citus: a plain parent's plan is as before: one message per action, DETACH CONCURRENTLY, ctid")
{
  auto parent = citus_parent();
  parent.distribution = {};
  const ParentPlan pp = plan_parent(parent, daily(), k_now, {50, true});
  REQUIRE(pp.error.empty());
  CHECK(pp.distributed.empty());
  for (const auto& a : pp.actions) {
    INFO(a.name);
    CHECK_FALSE(a.per_statement);
    CHECK_FALSE(any_statement_has(a, "create_distributed_table"));
  }
  CHECK(pp.actions.back().kind == ActionKind::drop);
  CHECK(pp.actions.back().sql.front().find(" CONCURRENTLY") != std::string::npos);

  parent.children.push_back(make_default("public", "events_default"));
  const ParentPlan with_default = plan_parent(parent, daily(), k_now, {50, true});
  const Action& create = with_default.actions.front();
  REQUIRE(create.move);
  CHECK_FALSE(create.move->key_ranges);
  CHECK(create.move->batch_sql.find("ctid") != std::string::npos);
}

TEST_CASE("citus: creates go one statement per message and are attached as they are")
{
  const ParentPlan pp = plan_parent(citus_parent(), daily(), k_now, {50, true});
  REQUIRE(pp.error.empty());
  CHECK(pp.distributed == "distributed by Citus on \"tenant_id\"");
  const Action& create = pp.actions.front();
  REQUIRE(create.kind == ActionKind::create);
  CHECK(create.per_statement);
  CHECK(create.transactional);
  // Nothing moves into it: Citus distributes it, colocated, when it is attached.
  CHECK_FALSE(any_statement_has(create, "create_distributed_table"));
  CHECK(position_of(create, "CREATE TABLE") <
        position_of(create, "ALTER TABLE \"public\".\"events\" ATTACH"));
  CHECK(std::string(create.locks) == k_citus_create_locks);
  CHECK(std::string(create.locks).find("Citus") != std::string::npos);
}

TEST_CASE("citus: removals are a short DETACH or DROP under ACCESS EXCLUSIVE, never CONCURRENTLY")
{
  const RetentionAction removal =
      GENERATE(RetentionAction::drop, RetentionAction::detach, RetentionAction::archive);
  INFO("retention action " << to_string(removal));
  auto parent = citus_parent();
  const bool with_default = GENERATE(false, true);
  if (with_default)
    parent.children.push_back(make_default("public", "events_default"));
  INFO("default partition: " << with_default);
  const ParentPlan pp = plan_parent(parent, daily(removal), k_now, {50, true});
  REQUIRE(pp.error.empty());
  std::size_t removals = 0;
  for (const auto& a : pp.actions) {
    if (a.kind == ActionKind::create)
      continue;
    ++removals;
    INFO(a.name);
    CHECK(a.per_statement);
    CHECK(a.transactional);
    CHECK_FALSE(a.concurrent_detach);
    CHECK(a.exclusive); // under the short exclusive lock timeout, retried more often
    CHECK_FALSE(any_statement_has(a, "CONCURRENTLY"));
    CHECK(a.sql.front() == lock_sql("public", "events", "ACCESS EXCLUSIVE"));
    CHECK(any_statement_has(a, "\"events_default\"") == with_default);
    if (removal == RetentionAction::drop) {
      CHECK(a.sql.back() == "DROP TABLE \"public\".\"" + a.name + "\""); // as drop_old_time_partitions
      CHECK_FALSE(any_statement_has(a, "DETACH"));
      CHECK(std::string(a.locks) == k_citus_drop_locks);
    } else {
      CHECK(a.sql.back() ==
            "ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"" + a.name + "\"");
      CHECK(std::string(a.locks) == k_citus_detach_locks);
      CHECK(a.archive_to.empty() == (removal != RetentionAction::archive));
    }
  }
  CHECK(removals == 2);
}

TEST_CASE("citus: beside a default partition the new table is distributed before rows move, by key ranges")
{
  auto parent = citus_parent();
  parent.children.push_back(make_default("public", "events_default"));
  const ParentPlan pp = plan_parent(parent, daily(RetentionAction::detach), k_now, {50, true, 500});
  REQUIRE(pp.error.empty());
  const Action& create = pp.actions.front();
  REQUIRE(create.kind == ActionKind::create);
  REQUIRE(create.move);
  const DefaultMove& m = *create.move;
  CHECK(create.per_statement);
  CHECK(std::string(create.locks) == k_citus_create_default_locks);

  // Distributed, colocated with the parent, as the last statement of the setup (its own transaction when
  // rows move in batches), so that every row moved lands on the workers.
  const std::string distribute = "SELECT create_distributed_table('\"public\".\"" + create.name +
                                 "\"', 'tenant_id', colocate_with => '\"public\".\"events\"')";
  const std::size_t at = position_of(create, "SELECT create_distributed_table(");
  REQUIRE(at < create.sql.size());
  CHECK(create.sql[at] == distribute);
  CHECK(at == m.setup_from + m.setup_count - 1);
  CHECK(position_of(create, "CREATE TABLE") == m.setup_from);

  // The last rows move inside the attach's transaction, copied then deleted (both pushed down to the
  // shards), after the distribution and before the attach; no ctid anywhere.
  const std::size_t copy = position_of(create, "INSERT INTO \"public\".\"" + create.name + "\"");
  const std::size_t del = position_of(create, "DELETE FROM ONLY \"public\".\"events_default\"");
  const std::size_t attach = position_of(create, "ALTER TABLE \"public\".\"events\" ATTACH");
  CHECK(at < copy);
  CHECK(copy + 1 == del);
  CHECK(del < attach);
  CHECK(create.sql[copy].find(" FROM ONLY \"public\".\"events_default\" WHERE " + m.condition) !=
        std::string::npos);
  CHECK_FALSE(any_statement_has(create, "ctid"));
  CHECK_FALSE(any_statement_has(create, "WITH moved"));

  // The batches: SHARE on the default partition, the next bound, copy and delete of (start, end].
  REQUIRE(m.key_ranges);
  const KeyRangeBatches& b = *m.key_ranges;
  CHECK(b.lock_sql == "LOCK TABLE ONLY \"public\".\"events_default\" IN SHARE MODE");
  CHECK(b.next_sql ==
        "SELECT \"created_at\" FROM ONLY \"public\".\"events_default\" WHERE " + m.condition +
            " AND coalesce(\"created_at\" > $1, true) ORDER BY \"created_at\" OFFSET 499 LIMIT 1");
  const std::string where =
      m.condition + " AND coalesce(\"created_at\" > $1, true) AND coalesce(\"created_at\" <= $2, true)";
  CHECK(b.copy_sql ==
        "INSERT INTO \"public\".\"" + create.name +
            "\" (\"tenant_id\", \"created_at\", \"payload\") SELECT \"tenant_id\", \"created_at\", "
            "\"payload\" FROM ONLY \"public\".\"events_default\" WHERE " +
            where);
  CHECK(b.delete_sql == "DELETE FROM ONLY \"public\".\"events_default\" WHERE " + where);
  CHECK(m.batch_sql.find("ctid") == std::string::npos);
  CHECK(m.batch_sql == batches_text(b));
}

TEST_CASE("citus: an interrupted move is adopted without distributing its table again")
{
  auto parent = citus_parent();
  parent.children.push_back(make_default("public", "events_default"));
  const ParentPlan first = plan_parent(parent, daily(), k_now, {50, true});
  parent.unfinished_moves.push_back(first.actions.front().name);
  parent.taken_names.push_back(first.actions.front().name);
  const ParentPlan pp = plan_parent(parent, daily(), k_now, {50, true});
  const Action& create = pp.actions.front();
  REQUIRE(create.move);
  CHECK(create.move->resume);
  CHECK(create.move->key_ranges);
  CHECK_FALSE(any_statement_has(create, "CREATE TABLE"));
  CHECK_FALSE(any_statement_has(create, "create_distributed_table"));
  CHECK(create.per_statement);
}

TEST_CASE("citus: a Citus table not distributed by a column is not distributed, and batches on its key")
{
  auto parent = citus_parent("");
  parent.children.push_back(make_default("public", "events_default"));
  const ParentPlan pp = plan_parent(parent, daily(), k_now, {50, true});
  REQUIRE(pp.error.empty());
  CHECK(pp.distributed.find("a Citus table") == 0);
  const Action& create = pp.actions.front();
  CHECK(create.per_statement);
  CHECK_FALSE(any_statement_has(create, "create_distributed_table"));
  REQUIRE(create.move);
  REQUIRE(create.move->key_ranges);
  CHECK(create.move->key_ranges->next_sql.find("ORDER BY \"created_at\"") != std::string::npos);
}

TEST_CASE("citus: a LIST parent's batches are bounded by the distribution column")
{
  auto parent = citus_parent();
  parent.children.clear();
  parent.strategy = Strategy::list;
  parent.key_column = "region";
  parent.key_type = KeyType::text;
  parent.key_type_name = "text";
  parent.children.push_back(make_default("public", "events_default"));
  CHECK(batch_column(parent) == "tenant_id");
  Policy policy;
  policy.schema = "public";
  policy.table = "events";
  policy.shape = Shape::list;
  policy.values = {"eu"};
  const ParentPlan pp = plan_parent(parent, policy, k_now, {50, true});
  REQUIRE(pp.error.empty());
  REQUIRE(pp.actions.size() == 1);
  REQUIRE(pp.actions.front().move);
  REQUIRE(pp.actions.front().move->key_ranges);
  const KeyRangeBatches& b = *pp.actions.front().move->key_ranges;
  CHECK(
      b.next_sql.find("\"region\" IN ('eu') AND coalesce(\"tenant_id\" > $1, true) ORDER BY \"tenant_id\"") !=
      std::string::npos);
  parent.strategy = Strategy::range;
  CHECK(batch_column(parent) == "region"); // a RANGE parent: its partition key
}

TEST_CASE("citus: a level-2 policy on a distributed parent cannot be planned (Citus has no multi-level)")
{
  auto policy = daily();
  Policy sub = make_policy("public", "events", "1 day", 1);
  sub.level = 2;
  sub.partition_key = "created_at";
  policy.sub = std::make_shared<const Policy>(sub);
  const ParentPlan pp = plan_parent(citus_parent(), policy, k_now, {50, true});
  CHECK(pp.actions.empty());
  CHECK(pp.error.find("Citus does not support multi-level partitioned tables") != std::string::npos);
  CHECK(pp.error.find("--subpartition-by none") != std::string::npos);
}

TEST_CASE("citus: what finishes interrupted work goes one statement per message too")
{
  auto parent = citus_parent();
  parent.interrupted.push_back("events_p20260901");
  parent.taken_names.push_back("events_p20260901");
  const ParentPlan pp = plan_parent(parent, daily(), k_now, {50, true});
  REQUIRE(pp.error.empty());
  bool found = false;
  for (const auto& a : pp.actions) {
    CHECK(a.per_statement);
    found = found || (a.name == "events_p20260901" &&
                      a.sql == std::vector<std::string>{"DROP TABLE \"public\".\"events_p20260901\""});
  }
  CHECK(found);
}

TEST_CASE("citus: drain-default's step on a distributed parent distributes, batches by key range")
{
  auto parent = citus_parent();
  parent.children.push_back(make_default("public", "events_default"));
  const DrainStep step = plan_drain_range(parent, daily(), k_now, key("2026-11-20 10:00:00+00:00"));
  REQUIRE(step.stays.empty());
  REQUIRE(step.plan.actions.size() == 1);
  const Action& create = step.plan.actions.front();
  CHECK(create.per_statement);
  REQUIRE(create.move);
  CHECK(create.move->batched);
  CHECK(create.move->key_ranges);
  CHECK(any_statement_has(create, "create_distributed_table"));
}

TEST_CASE("citus: plan says the distributed path in text, SQL and JSON")
{
  auto parent = citus_parent();
  parent.children.push_back(make_default("public", "events_default"));
  Plan plan;
  plan.at = k_now;
  plan.parents.push_back(plan_parent(parent, daily(), k_now, {50, true}));
  set_move_estimates(plan, {1440, 0});

  const std::string text = render_text(plan);
  CHECK(text.find("  distributed by Citus on \"tenant_id\": statements go one per message") !=
        std::string::npos);
  CHECK(text.find("locks: " + std::string(k_citus_create_default_locks)) != std::string::npos);
  CHECK(text.find("locks: " + std::string(k_citus_drop_locks)) != std::string::npos);
  CHECK(text.find("(each its own transaction, bounded by key ranges)") != std::string::npos);

  const std::string sql = render_sql(plan, "1s", "100ms");
  CHECK(sql.find("-- distributed by Citus on \"tenant_id\"") != std::string::npos);
  CHECK(sql.find("SELECT create_distributed_table(") != std::string::npos);
  CHECK(sql.find(" CONCURRENTLY;\n") == std::string::npos);
  CHECK(sql.find("DROP TABLE \"public\".\"events_p20261001\";") != std::string::npos);

  const auto json = nlohmann::json::parse(render_json(plan));
  const auto& p = json["parents"][0];
  CHECK(p["distributed"] == "distributed by Citus on \"tenant_id\"");
  for (const auto& a : p["actions"])
    CHECK(a["per_statement"] == true);
  CHECK(p["actions"][0]["move"]["batches_by"] == "key range");
  CHECK(p["actions"][0]["move"]["batched"] == true);

  parent.distribution = {};
  Plan plain;
  plain.parents.push_back(plan_parent(parent, daily(), k_now, {50, true}));
  const auto plain_json = nlohmann::json::parse(render_json(plain));
  CHECK(plain_json["parents"][0]["distributed"].is_null());
  CHECK(plain_json["parents"][0]["actions"][0]["per_statement"] == false);
  CHECK(plain_json["parents"][0]["actions"][0]["move"]["batches_by"] == "ctid");
  CHECK(render_text(plain).find("Citus") == std::string::npos);
}

TEST_CASE("citus: distribution is in the fingerprint only where there is one")
{
  auto parent = citus_parent();
  const auto policy = daily();
  const std::string distributed = fingerprint({parent}, {policy});
  parent.distribution.column = "other";
  CHECK(fingerprint({parent}, {policy}) != distributed);
  parent.distribution = {};
  const std::string plain = fingerprint({parent}, {policy});
  CHECK(plain != distributed);
  parent.distribution.column = "ignored without citus";
  CHECK(fingerprint({parent}, {policy}) == plain);
}
