// Shared fixtures of the tests of integer, epoch and LIST policies: their parents, policies and partitions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "partman/core/planner.hpp"
#include "planner_helpers.hpp"

namespace partman::test {

// Returns a RANGE parent on an integer key of `type`.
inline core::ParentSnapshot int_parent(const std::string& table, core::KeyType type = core::KeyType::bigint)
{
  auto p = make_parent("public", table, type);
  p.key_column = "id";
  return p;
}

// Returns a policy of `shape` for public.`table`.
inline core::Policy shaped_policy(const std::string& table, core::Shape shape)
{
  core::Policy p;
  p.schema = "public";
  p.table = table;
  p.shape = shape;
  return p;
}

// Returns an integer policy of width `width`.
inline core::Policy int_policy(const std::string& table, std::int64_t width, int premake = 3)
{
  core::Policy p = shaped_policy(table, core::Shape::integer);
  p.width = width;
  p.premake = premake;
  return p;
}

// Returns a range partition with integer bounds (empty: MINVALUE / MAXVALUE).
inline core::Child int_child(const std::string& name, std::optional<std::int64_t> lo,
                             std::optional<std::int64_t> hi)
{
  core::Child c;
  c.schema = "public";
  c.name = name;
  c.lower = lo;
  c.upper = hi;
  c.estimated_rows = 0;
  return c;
}

// Returns a LIST parent on a key of `type`.
inline core::ParentSnapshot list_parent(const std::string& table, core::KeyType type = core::KeyType::text)
{
  auto p = make_parent("public", table, type);
  p.strategy = core::Strategy::list;
  p.key_column = "region";
  return p;
}

// Returns a LIST policy of `values`.
inline core::Policy list_policy(const std::string& table, const std::vector<std::string>& values,
                                core::ListRetention retention = core::ListRetention::keep)
{
  core::Policy p = shaped_policy(table, core::Shape::list);
  p.values = values;
  p.list_retention = retention;
  return p;
}

// Returns a LIST partition of `values`.
inline core::Child list_child(const std::string& name, const std::vector<std::string>& values)
{
  core::Child c;
  c.schema = "public";
  c.name = name;
  c.rare.get_or_make().values = values;
  c.estimated_rows = 0;
  return c;
}

// Returns `parent` with the plan's creates added, as the catalog would show them afterwards (integer
// bounds, or LIST values).
inline core::ParentSnapshot after_creates(core::ParentSnapshot parent, const core::ParentPlan& pp)
{
  for (const auto& a : pp.actions) {
    if (a.kind != core::ActionKind::create)
      continue;
    if (!a.values.empty()) {
      parent.children.push_back(list_child(a.name, a.values));
      continue;
    }
    const auto bound = [](const std::string& text) {
      return text == "MINVALUE" || text == "MAXVALUE" ? std::optional<std::int64_t>{} : std::stoll(text);
    };
    parent.children.push_back(int_child(a.name, bound(a.from), bound(a.to)));
  }
  return parent;
}

// Returns the last statement of the action (the ATTACH of a create).
inline std::string attach_of(const core::Action& a)
{
  return a.sql.back();
}

} // namespace partman::test
