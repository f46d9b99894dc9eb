#include "partman/core/status.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"

namespace partman::core {

std::string human_bytes(std::uint64_t bytes)
{
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

const char* to_string(PartitionState state)
{
  switch (state) {
  case PartitionState::past:
    return "past";
  case PartitionState::current:
    return "current";
  case PartitionState::future:
    return "future";
  case PartitionState::expired:
    return "expired";
  case PartitionState::default_partition:
    return "default";
  case PartitionState::detach_pending:
    return "detach-pending";
  case PartitionState::listed:
    return "listed";
  case PartitionState::unlisted:
    return "unlisted";
  }
  return "?";
}

Result<std::vector<PartitionState>> parse_states(const std::string& list)
{
  std::vector<PartitionState> out;
  std::size_t from = 0;
  while (from <= list.size()) {
    const std::size_t comma = std::min(list.find(',', from), list.size());
    const std::string name = list.substr(from, comma - from);
    std::size_t i = 0;
    while (i < k_state_count && name != to_string(static_cast<PartitionState>(i)))
      ++i;
    if (i == k_state_count) {
      std::string names;
      for (std::size_t j = 0; j < k_state_count; ++j)
        names += (j == 0 ? "" : ", ") + std::string(to_string(static_cast<PartitionState>(j)));
      return Error{"unknown state '" + name + "'; HINT: a comma-separated list of " + names};
    }
    out.push_back(static_cast<PartitionState>(i));
    from = comma + 1;
  }
  return out;
}

namespace {

// Returns where a partition stands whatever its shape, or nothing when its bounds or values decide.
std::optional<PartitionState> fixed_state(const Child& c)
{
  if (c.is_default)
    return PartitionState::default_partition;
  if (c.detach_pending)
    return PartitionState::detach_pending;
  return std::nullopt;
}

// Adds the partitions of a LIST parent: listed, or holding only values the policy no longer lists.
void classify_list(const ParentSnapshot& parent, const Policy& policy, ParentStatus& st)
{
  const auto& wanted = policy.values_query.empty() ? policy.values : parent.queried_values;
  const std::unordered_set<std::string> listed(wanted.begin(), wanted.end());
  for (const auto& c : parent.children) {
    PartitionStatus ps;
    ps.child = &c;
    ps.from = "IN (" + values_text(parent.key_type, c.values()) +
              (c.null_value ? (c.values().empty() ? "NULL" : ", NULL") : "") + ")";
    const bool any_listed = std::any_of(c.values().begin(), c.values().end(),
                                        [&](const std::string& v) { return listed.count(v) > 0; });
    ps.state = fixed_state(c).value_or(any_listed ? PartitionState::listed : PartitionState::unlisted);
    st.partitions.push_back(ps);
  }
}

// Adds the partitions of a RANGE parent: past, current (holding now, or an integer key's largest value),
// future or expired.
void classify_range(const ParentSnapshot& parent, const Policy& policy, Micros now, ParentStatus& st)
{
  const Zone zone = policy.timezone.rules();
  const KeyPosition pos = key_position(parent, policy, now);
  for (const auto& c : parent.children) {
    PartitionStatus ps;
    ps.child = &c;
    ps.from = c.lower ? bound_text(parent.key_type, zone, *c.lower) : "MINVALUE";
    ps.to = c.upper ? bound_text(parent.key_type, zone, *c.upper) : "MAXVALUE";
    if (policy.shape == Shape::epoch) {
      ps.from_time = bound_for_people(parent, policy, c.lower, "MINVALUE");
      ps.to_time = bound_for_people(parent, policy, c.upper, "MAXVALUE");
    }
    if (auto fixed = fixed_state(c))
      ps.state = *fixed;
    else if (pos.cutoff && c.upper && *c.upper <= *pos.cutoff)
      ps.state = PartitionState::expired;
    else if (!pos.now || (c.lower && *c.lower > *pos.now))
      ps.state = PartitionState::future;
    else if (!c.upper || *c.upper > *pos.now)
      ps.state = PartitionState::current;
    st.partitions.push_back(ps);
  }
}

} // namespace

ParentStatus make_status(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  ParentStatus st;
  st.policy = &policy;
  st.parent = &parent;
  st.error = check_parent_shape(parent);
  if (st.error.empty())
    st.error = check_policy_fits(policy, parent.strategy, parent.key_type, parent.key_type_name);
  if (st.error.empty() && policy.shape == Shape::list && !policy.values_query.empty())
    st.error = parent.values_error;
  if (!st.error.empty())
    return st;
  if (policy.shape == Shape::list)
    classify_list(parent, policy, st);
  else
    classify_range(parent, policy, now, st);
  std::stable_sort(st.partitions.begin(), st.partitions.end(),
                   [](const PartitionStatus& a, const PartitionStatus& b) {
                     if (a.child->is_default != b.child->is_default)
                       return b.child->is_default;
                     const auto& la = a.child->lower;
                     const auto& lb = b.child->lower;
                     if (!la && !lb)
                       return a.child->name < b.child->name;
                     if (!la || !lb)
                       return !la && lb;
                     return *la < *lb;
                   });
  return st;
}

} // namespace partman::core
