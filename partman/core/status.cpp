#include "partman/core/status.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/printable.hpp"
#include "partman/core/render.hpp"

namespace partman::core {

namespace {

std::string rows_text(const Child& c)
{
  if (c.counted_rows())
    return std::to_string(*c.counted_rows());
  if (c.estimated_rows < 0)
    return "?";
  return "~" + std::to_string(c.estimated_count());
}

std::string pad(std::string s, std::size_t width)
{
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s;
}

} // namespace

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

namespace {

// Appends the lines of `block` to `out`, a level-2 parent's indented under its parent's.
void append_block(std::string& out, const std::string& block, int level)
{
  if (level < 2) {
    out += block;
    return;
  }
  std::size_t from = 0;
  while (from < block.size()) {
    const std::size_t end = block.find('\n', from);
    const std::size_t stop = end == std::string::npos ? block.size() : end + 1;
    out.append("    ").append(block, from, stop - from);
    from = stop;
  }
}

} // namespace

std::string render_status_text(const std::vector<ParentStatus>& statuses)
{
  // Names, bounds and values from the catalog go into lines that append_line escapes for the terminal.
  std::string all;
  for (const auto& st : statuses) {
    const Policy& pol = *st.policy;
    if (!all.empty())
      all += "\n";
    std::string out;
    std::string head = quote_qualified(pol.schema, pol.table);
    if (pol.level == 2)
      head += " (a partition of " + quote_qualified(st.parent->outer_schema, st.parent->outer_table) +
              ", under its level-2 policy)";
    if (pol.shape == Shape::time) {
      head += ": " + pol.interval.text() + ", premake " + std::to_string(pol.premake);
      if (pol.retention)
        head += ", retention " + pol.retention->text() + " (" + to_string(pol.retention_action) +
                (pol.retention_action == RetentionAction::archive ? " to " + pol.archive_to : "") + ")";
      append_line(out, head + ", time zone " + pol.timezone.name());
      if (pol.sub)
        append_line(out, "  partitions sub-partitioned BY " + sub_partition_clause(*pol.sub) + ": " +
                             policy_summary(*pol.sub));
    } else {
      append_line(out, head + ": " + policy_summary(pol));
    }
    if (!st.error.empty()) {
      append_line(out, "  ! error: " + st.error);
      append_block(all, out, pol.level);
      continue;
    }
    std::size_t width = 9;
    for (const auto& p : st.partitions)
      width = std::max(width, printable(quote_qualified(p.child->schema, p.child->name)).size());
    append_line(out, "  " + pad("partition", width) + "  " + pad("from", 29) + "  " + pad("to", 29) + "  " +
                         pad("state", 14) + "  " + pad("rows", 10) + "  size");
    std::size_t counts[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    const auto count_of = [&counts](PartitionState state) {
      return std::to_string(counts[static_cast<int>(state)]);
    };
    for (const auto& p : st.partitions) {
      ++counts[static_cast<int>(p.state)];
      const bool def = p.child->is_default;
      const bool epoch = pol.shape == Shape::epoch;
      // Cells are made printable before they are padded, so that the columns line up.
      append_line(out, "  " + pad(printable(quote_qualified(p.child->schema, p.child->name)), width) + "  " +
                           pad(printable(def     ? "DEFAULT"
                                         : epoch ? p.from_time
                                                 : p.from),
                               29) +
                           "  " +
                           pad(printable(def     ? ""
                                         : epoch ? p.to_time
                                                 : p.to),
                               29) +
                           "  " + pad(to_string(p.state), 14) + "  " + pad(rows_text(*p.child), 10) + "  " +
                           human_bytes(p.child->bytes));
    }
    std::string total = "  " + std::to_string(st.partitions.size()) + " partition(s): ";
    if (pol.shape == Shape::list)
      total +=
          count_of(PartitionState::listed) + " listed, " + count_of(PartitionState::unlisted) + " unlisted";
    else
      total += count_of(PartitionState::past) + " past, " + count_of(PartitionState::current) + " current, " +
               count_of(PartitionState::future) + " future, " + count_of(PartitionState::expired) +
               " expired";
    append_line(out, total);
    if (pol.shape == Shape::integer)
      append_line(out, st.parent->key_max ? "  largest value " + std::to_string(*st.parent->key_max)
                                          : "  the partitions hold no rows");
    for (const auto& p : st.partitions) {
      if (p.child->is_default)
        append_line(out, "  default partition " + quote_qualified(p.child->schema, p.child->name) +
                             " holds " + rows_text(*p.child) + " row(s)");
    }
    append_block(all, out, pol.level);
  }
  if (statuses.empty())
    all = "no managed parents; HINT: register one with 'partman manage PARENT --interval ...'\n";
  return all;
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
        default_rows = c.counted_rows();
      parts.push_back(
          {{"partition", quote_qualified(c.schema, c.name)},
           {"default", c.is_default},
           {"from", c.is_default ? nlohmann::json(nullptr) : nlohmann::json(p.from)},
           {"to", c.is_default || pol.shape == Shape::list ? nlohmann::json(nullptr) : nlohmann::json(p.to)},
           {"from_time", p.from_time.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.from_time)},
           {"to_time", p.to_time.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.to_time)},
           {"values",
            pol.shape == Shape::list && !c.is_default ? nlohmann::json(c.values()) : nlohmann::json(nullptr)},
           {"state", to_string(p.state)},
           {"estimated_rows",
            c.estimated_rows < 0 ? nlohmann::json(nullptr) : nlohmann::json(c.estimated_count())},
           {"bytes", c.bytes}});
    }
    const auto null_or = [](bool null, const nlohmann::json& value) {
      return null ? nlohmann::json(nullptr) : value;
    };
    const bool integer = pol.shape == Shape::integer;
    const bool list = pol.shape == Shape::list;
    nlohmann::json policy = {
        {"shape", to_string(pol.shape)},
        {"interval", list      ? nlohmann::json(nullptr)
                     : integer ? nlohmann::json(pol.width)
                               : nlohmann::json(pol.interval.text())},
        {"premake", pol.premake},
        {"retention", integer ? null_or(!pol.keep_last, pol.keep_last.value_or(0))
                              : null_or(list || !pol.retention, pol.retention ? pol.retention->text() : "")},
        {"epoch", null_or(pol.shape != Shape::epoch, to_string(pol.epoch_unit))},
        {"start", null_or(!integer || !pol.start_value, pol.start_value.value_or(0))},
        {"values", null_or(!list || !pol.values_query.empty(), pol.values)},
        {"values_query", null_or(pol.values_query.empty(), pol.values_query)},
        {"list_retention", null_or(!list, to_string(pol.list_retention))},
        {"retention_action", to_string(pol.retention_action)},
        {"retention_schema", null_or(pol.retention_schema.empty(), pol.retention_schema)},
        {"archive_to", null_or(pol.archive_to.empty(), pol.archive_to)},
        {"timezone", pol.timezone.name()}};
    parents.push_back(
        {{"parent", quote_qualified(pol.schema, pol.table)},
         {"level", pol.level},
         {"partition_of",
          null_or(pol.level != 2, quote_qualified(st.parent->outer_schema, st.parent->outer_table))},
         {"sub_partitioned_by", null_or(!pol.sub, pol.sub ? sub_partition_clause(*pol.sub) : "")},
         {"policy", policy},
         {"largest_value", null_or(!integer || !st.parent->key_max, st.parent->key_max.value_or(0))},
         {"error", st.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.error)},
         {"partitions", parts},
         {"default_rows", default_rows ? nlohmann::json(*default_rows) : nlohmann::json(nullptr)}});
  }
  const nlohmann::json doc = {
      {"format", "partman-status"}, {"version", 1}, {"at", iso_utc(now)}, {"parents", parents}};
  return doc.dump(2) + "\n";
}

} // namespace partman::core
