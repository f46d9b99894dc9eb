// Shared helpers for the planner, render and status tests: hand-built snapshots and policies.
#pragma once

#include <string>
#include <vector>

#include "helpers.hpp"
#include "partman/core/planner.hpp"

namespace partman::test {

// Returns an existing RANGE-partitioned parent on one column of `type`, with no children.
inline core::ParentSnapshot make_parent(const std::string& schema, const std::string& table,
                                        core::KeyType type = core::KeyType::timestamptz)
{
  core::ParentSnapshot p;
  p.schema = schema;
  p.table = table;
  p.exists = true;
  p.partitioned = true;
  p.strategy = core::Strategy::range;
  p.key_count = 1;
  p.key_column = "created_at";
  p.key_type = type;
  switch (type) {
  case core::KeyType::timestamptz:
    p.key_type_name = "timestamp with time zone";
    break;
  case core::KeyType::timestamp:
    p.key_type_name = "timestamp without time zone";
    break;
  case core::KeyType::date:
    p.key_type_name = "date";
    break;
  case core::KeyType::smallint:
    p.key_type_name = "smallint";
    break;
  case core::KeyType::integer:
    p.key_type_name = "integer";
    break;
  case core::KeyType::bigint:
    p.key_type_name = "bigint";
    break;
  case core::KeyType::text:
    p.key_type_name = "text";
    break;
  case core::KeyType::uuid:
    p.key_type_name = "uuid";
    break;
  case core::KeyType::unsupported:
    p.key_type_name = "numeric";
    break;
  }
  return p;
}

// Returns a policy for schema.table with `interval`, `premake` and `timezone`.
inline core::Policy make_policy(const std::string& schema, const std::string& table,
                                const std::string& interval, int premake = 4,
                                const std::string& timezone = "UTC")
{
  core::Policy p;
  p.schema = schema;
  p.table = table;
  auto iv = core::parse_partition_interval(interval);
  if (!iv)
    throw std::runtime_error(iv.error());
  p.interval = *iv;
  p.premake = premake;
  p.timezone = core::NamedZone(timezone);
  return p;
}

inline core::Interval period(const std::string& text)
{
  auto p = core::parse_period(text);
  if (!p)
    throw std::runtime_error(p.error());
  return *p;
}

// Returns the key value of a bound literal as the planner writes it (an offset when there is one,
// else a wall-clock time).
inline core::Micros key(const std::string& text)
{
  return at(text, "UTC");
}

// Returns a partition child with bounds given as bound literals; an empty text is MINVALUE / MAXVALUE.
inline core::Child make_child(const std::string& schema, const std::string& name, const std::string& from,
                              const std::string& to)
{
  core::Child c;
  c.schema = schema;
  c.name = name;
  if (!from.empty())
    c.lower = key(from);
  if (!to.empty())
    c.upper = key(to);
  c.estimated_rows = 0;
  c.bytes = 8192;
  return c;
}

inline core::Child make_default(const std::string& schema, const std::string& name)
{
  core::Child c;
  c.schema = schema;
  c.name = name;
  c.is_default = true;
  return c;
}

// Returns one line per action: "create NAME [FROM, TO)" or "drop SCHEMA.NAME" and so on.
inline std::vector<std::string> actions_of(const core::ParentPlan& pp)
{
  std::vector<std::string> out;
  for (const auto& a : pp.actions) {
    std::string line = std::string(core::to_string(a.kind)) + " " + a.schema + "." + a.name;
    if (!a.from.empty())
      line += " [" + a.from + ", " + a.to + ")";
    out.push_back(line);
  }
  return out;
}

// Returns the names of the plan's creates.
inline std::vector<std::string> created(const core::ParentPlan& pp)
{
  std::vector<std::string> out;
  for (const auto& a : pp.actions) {
    if (a.kind == core::ActionKind::create)
      out.push_back(a.name);
  }
  return out;
}

// Returns one line per note: "LEVEL: MESSAGE".
inline std::vector<std::string> notes_of(const core::ParentPlan& pp)
{
  std::vector<std::string> out;
  for (const auto& n : pp.notes)
    out.push_back(std::string(core::to_string(n.level)) + ": " + n.message);
  return out;
}

// Returns `parent` with the plan's creates added as children, as the catalog would show them afterwards.
inline core::ParentSnapshot with_creates(core::ParentSnapshot parent, const core::ParentPlan& pp)
{
  for (const auto& a : pp.actions) {
    if (a.kind == core::ActionKind::create)
      parent.children.push_back(make_child(a.schema, a.name, a.from, a.to));
  }
  return parent;
}

} // namespace partman::test
