#include "partman/core/status.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"

namespace partman::core {

namespace {

std::string human_bytes(std::int64_t bytes)
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

std::string rows_text(const Child& c)
{
  if (c.counted_rows)
    return std::to_string(*c.counted_rows);
  if (c.estimated_rows < 0)
    return "?";
  return "~" + std::to_string(static_cast<long long>(c.estimated_rows));
}

std::string pad(std::string s, std::size_t width)
{
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s;
}

} // namespace

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
  }
  return "?";
}

ParentStatus make_status(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  ParentStatus st;
  st.policy = &policy;
  st.parent = &parent;
  st.error = check_parent_shape(parent);
  auto zone = find_zone(policy.timezone);
  if (st.error.empty() && !zone)
    st.error = zone.error();
  if (!st.error.empty())
    return st;
  const bool tz = parent.key_type == KeyType::timestamptz;
  const Micros now_key = tz ? now : to_local(*zone, now);
  std::optional<Micros> cutoff;
  if (policy.retention) {
    const Micros local_cutoff = subtract_period(to_local(*zone, now), *policy.retention);
    cutoff = tz ? to_utc(*zone, local_cutoff) : local_cutoff;
  }
  for (const auto& c : parent.children) {
    PartitionStatus ps;
    ps.child = &c;
    ps.from = c.lower ? bound_text(parent.key_type, *zone, *c.lower) : "MINVALUE";
    ps.to = c.upper ? bound_text(parent.key_type, *zone, *c.upper) : "MAXVALUE";
    if (c.is_default)
      ps.state = PartitionState::default_partition;
    else if (c.detach_pending)
      ps.state = PartitionState::detach_pending;
    else if (cutoff && c.upper && *c.upper <= *cutoff)
      ps.state = PartitionState::expired;
    else if (c.lower && *c.lower > now_key)
      ps.state = PartitionState::future;
    else if (!c.upper || *c.upper > now_key)
      ps.state = PartitionState::current;
    st.partitions.push_back(ps);
  }
  std::stable_sort(st.partitions.begin(), st.partitions.end(),
                   [](const PartitionStatus& a, const PartitionStatus& b) {
                     if (a.child->is_default != b.child->is_default)
                       return b.child->is_default;
                     const auto& la = a.child->lower;
                     const auto& lb = b.child->lower;
                     if (!la || !lb)
                       return !la && lb;
                     return *la < *lb;
                   });
  return st;
}

std::string render_status_text(const std::vector<ParentStatus>& statuses)
{
  std::string out;
  for (const auto& st : statuses) {
    const Policy& pol = *st.policy;
    if (!out.empty())
      out += "\n";
    out += quote_qualified(pol.schema, pol.table) + ": " + pol.interval.text() + ", premake " +
           std::to_string(pol.premake);
    if (pol.retention)
      out += ", retention " + pol.retention->text() + " (" + to_string(pol.retention_action) +
             (pol.retention_action == RetentionAction::archive ? " to " + pol.archive_to : "") + ")";
    out += ", time zone " + pol.timezone + "\n";
    if (!st.error.empty()) {
      out += "  ! error: " + st.error + "\n";
      continue;
    }
    std::size_t width = 9;
    for (const auto& p : st.partitions)
      width = std::max(width, quote_qualified(p.child->schema, p.child->name).size());
    out += "  " + pad("partition", width) + "  " + pad("from", 29) + "  " + pad("to", 29) + "  " +
           pad("state", 14) + "  " + pad("rows", 10) + "  size\n";
    std::size_t counts[6] = {0, 0, 0, 0, 0, 0};
    for (const auto& p : st.partitions) {
      ++counts[static_cast<int>(p.state)];
      const bool def = p.child->is_default;
      out += "  " + pad(quote_qualified(p.child->schema, p.child->name), width) + "  " +
             pad(def ? "DEFAULT" : p.from, 29) + "  " + pad(def ? "" : p.to, 29) + "  " +
             pad(to_string(p.state), 14) + "  " + pad(rows_text(*p.child), 10) + "  " +
             human_bytes(p.child->bytes) + "\n";
    }
    out += "  " + std::to_string(st.partitions.size()) +
           " partition(s): " + std::to_string(counts[static_cast<int>(PartitionState::past)]) + " past, " +
           std::to_string(counts[static_cast<int>(PartitionState::current)]) + " current, " +
           std::to_string(counts[static_cast<int>(PartitionState::future)]) + " future, " +
           std::to_string(counts[static_cast<int>(PartitionState::expired)]) + " expired\n";
    for (const auto& p : st.partitions) {
      if (p.child->is_default)
        out += "  default partition " + quote_qualified(p.child->schema, p.child->name) + " holds " +
               rows_text(*p.child) + " row(s)\n";
    }
  }
  if (statuses.empty())
    out = "no managed parents; HINT: register one with 'partman manage PARENT --interval ...'\n";
  return out;
}

std::string render_status_json(const std::vector<ParentStatus>& statuses, Micros now)
{
  nlohmann::json parents = nlohmann::json::array();
  for (const auto& st : statuses) {
    const Policy& pol = *st.policy;
    nlohmann::json parts = nlohmann::json::array();
    std::optional<std::int64_t> default_rows;
    for (const auto& p : st.partitions) {
      const Child& c = *p.child;
      if (c.is_default)
        default_rows = c.counted_rows;
      parts.push_back({{"partition", quote_qualified(c.schema, c.name)},
                       {"default", c.is_default},
                       {"from", c.is_default ? nlohmann::json(nullptr) : nlohmann::json(p.from)},
                       {"to", c.is_default ? nlohmann::json(nullptr) : nlohmann::json(p.to)},
                       {"state", to_string(p.state)},
                       {"estimated_rows", c.estimated_rows < 0
                                              ? nlohmann::json(nullptr)
                                              : nlohmann::json(static_cast<long long>(c.estimated_rows))},
                       {"bytes", c.bytes}});
    }
    parents.push_back(
        {{"parent", quote_qualified(pol.schema, pol.table)},
         {"policy",
          {{"interval", pol.interval.text()},
           {"premake", pol.premake},
           {"retention", pol.retention ? nlohmann::json(pol.retention->text()) : nlohmann::json(nullptr)},
           {"retention_action", to_string(pol.retention_action)},
           {"retention_schema",
            pol.retention_schema.empty() ? nlohmann::json(nullptr) : nlohmann::json(pol.retention_schema)},
           {"archive_to", pol.archive_to.empty() ? nlohmann::json(nullptr) : nlohmann::json(pol.archive_to)},
           {"timezone", pol.timezone}}},
         {"error", st.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.error)},
         {"partitions", parts},
         {"default_rows", default_rows ? nlohmann::json(*default_rows) : nlohmann::json(nullptr)}});
  }
  const nlohmann::json doc = {
      {"format", "partman-status"}, {"version", 1}, {"at", iso_utc(now)}, {"parents", parents}};
  return doc.dump(2) + "\n";
}

} // namespace partman::core
