// Shared fixtures of the tests of children and default partitions: parents public.ev and public.l, and what
// a parent carries besides its partitions.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

namespace partman::test {

// The "now" of these tests.
inline const core::Micros k_now = at("2026-11-25 04:20Z");

// Returns a daily parent public.ev with one partition for today and a default partition.
inline core::ParentSnapshot parent_with_default()
{
  auto p = make_parent("public", "ev");
  p.key_column = "at";
  p.children.push_back(
      make_child("public", "ev_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  p.children.push_back(make_default("public", "ev_default"));
  p.properties.columns = {"id", "at", "note"};
  return p;
}

// Returns the parent's properties as a parent with everything PostgreSQL does not carry would have them.
inline core::ParentProperties rich_properties()
{
  core::ParentProperties p;
  p.owner = "app owner";
  p.session_user = "partman";
  p.grants = {{"reader", "SELECT", false},
              {"writer", "INSERT", true},
              {"writer", "UPDATE", true},
              {"", "SELECT", false},
              {"writer", "DELETE", false}};
  p.tablespace = "fast disk";
  p.replica_identity = 'i';
  p.replica_index = "USING btree (id, at)";
  p.comment = "events, it's here";
  p.template_found = true;
  p.template_indexes = {{"ev_tpl_email_key", "USING btree (email)"},
                        {"by_code", "USING btree (lower(code)) WHERE (code IS NOT NULL)"}};
  return p;
}

// Returns public.ev with today's partition, so that a plan with premake 1 creates tomorrow's only.
inline core::ParentSnapshot parent_with_today()
{
  auto p = make_parent("public", "ev");
  p.key_column = "at";
  p.children.push_back(
      make_child("public", "ev_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  return p;
}

// Returns parent public.`table` partitioned on key `column` of `type` (BY LIST for text) with a default
// partition, and a policy of `shape` for it.
inline std::pair<core::ParentSnapshot, core::Policy> shaped_with_default(const std::string& table,
                                                                         core::KeyType type,
                                                                         const std::string& column,
                                                                         core::Shape shape)
{
  auto parent = make_parent("public", table, type);
  parent.strategy = shape == core::Shape::list ? core::Strategy::list : core::Strategy::range;
  parent.key_column = column;
  parent.children.push_back(make_default("public", table + "_default"));
  core::Policy policy;
  policy.schema = "public";
  policy.table = table;
  policy.shape = shape;
  return {parent, policy};
}

// Returns LIST parent public.l (with a default partition) with partition l_eu for value 'eu', and a LIST
// policy for it.
inline std::pair<core::ParentSnapshot, core::Policy> list_with_eu()
{
  auto [parent, policy] = shaped_with_default("l", core::KeyType::text, "region", core::Shape::list);
  core::Child eu;
  eu.schema = "public";
  eu.name = "l_eu";
  eu.rare.get_or_make().values = {"eu"};
  parent.children.push_back(eu);
  return {parent, policy};
}

// Returns the one action of a plan that must create one partition and do nothing else.
inline core::Action only_create(const core::ParentPlan& pp)
{
  REQUIRE(pp.error.empty());
  REQUIRE(pp.actions.size() == 1);
  REQUIRE(pp.actions[0].kind == core::ActionKind::create);
  return pp.actions[0];
}

} // namespace partman::test
