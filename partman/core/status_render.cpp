// Renders the statuses of managed parents for `partman status`: a table per parent, a line per parent, JSON.
#include "partman/core/status.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
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

using StateCounts = std::array<std::size_t, k_state_count>;

// Returns how many of a parent's partitions are in each state.
StateCounts count_states(const ParentStatus& st)
{
  StateCounts counts{};
  for (const auto& p : st.partitions)
    ++counts[static_cast<std::size_t>(p.state)];
  return counts;
}

// Returns true when `view` shows partitions in `state`.
bool shows(const StatusView& view, PartitionState state)
{
  return view.states.empty() || std::find(view.states.begin(), view.states.end(), state) != view.states.end();
}

// Returns true when `view` shows the parent: an error, or a partition in a state it shows.
bool shows(const StatusView& view, const ParentStatus& st)
{
  return view.states.empty() || !st.error.empty() ||
         std::any_of(st.partitions.begin(), st.partitions.end(),
                     [&view](const PartitionStatus& p) { return shows(view, p.state); });
}

// Returns "N partition(s): a past, b current, c future, d expired" (a LIST parent's: listed, unlisted).
std::string counts_text(const ParentStatus& st)
{
  const StateCounts counts = count_states(st);
  const auto count_of = [&counts](PartitionState state, const char* name) {
    return std::to_string(counts[static_cast<std::size_t>(state)]) + " " + name;
  };
  std::string out = std::to_string(st.partitions.size()) + " partition(s): ";
  if (st.policy->shape == Shape::list)
    return out + count_of(PartitionState::listed, "listed") + ", " +
           count_of(PartitionState::unlisted, "unlisted");
  return out + count_of(PartitionState::past, "past") + ", " + count_of(PartitionState::current, "current") +
         ", " + count_of(PartitionState::future, "future") + ", " +
         count_of(PartitionState::expired, "expired");
}

// The partitions with the lowest and the highest bounds of a RANGE parent (none for LIST, or without
// partitions).
struct BoundRange
{
  const PartitionStatus* oldest = nullptr; // the partition with the lowest bounds
  const PartitionStatus* newest = nullptr; // the partition with the highest bounds
};

BoundRange bound_range(const ParentStatus& st)
{
  BoundRange r;
  if (st.policy->shape == Shape::list)
    return r;
  for (const auto& p : st.partitions) { // in key order, the default partition last
    if (p.child->is_default)
      continue;
    if (!r.oldest)
      r.oldest = &p;
    r.newest = &p;
  }
  return r;
}

// Returns the default partition's status, or null.
const PartitionStatus* default_of(const ParentStatus& st)
{
  for (const auto& p : st.partitions) {
    if (p.child->is_default)
      return &p;
  }
  return nullptr;
}

// Returns a parent's name, and whose partition it is under a level-2 policy.
std::string parent_head(const ParentStatus& st)
{
  const Policy& pol = *st.policy;
  std::string head = quote_qualified(pol.schema, pol.table);
  if (pol.level == 2)
    head += " (a partition of " + quote_qualified(st.parent->outer_schema, st.parent->outer_table) +
            ", under its level-2 policy)";
  return head;
}

// Returns the parent's line of `status --summary`.
std::string summary_lines(const ParentStatus& st)
{
  std::string out;
  if (!st.error.empty()) {
    append_line(out, parent_head(st) + ": error: " + st.error);
    return out;
  }
  std::string line = parent_head(st) + ": " + counts_text(st);
  const BoundRange range = bound_range(st);
  const bool epoch = st.policy->shape == Shape::epoch;
  if (range.oldest)
    line += "; from " + (epoch ? range.oldest->from_time : range.oldest->from) + " to " +
            (epoch ? range.newest->to_time : range.newest->to);
  if (const PartitionStatus* def = default_of(st))
    line += "; default partition holds " + rows_text(*def->child) + " row(s)";
  append_line(out, line);
  return out;
}

// Returns the parent's block of `status`: its policy, a line per partition shown, and the totals.
std::string detail_lines(const ParentStatus& st, const StatusView& view)
{
  // Names, bounds and values from the catalog go into lines that append_line escapes for the terminal.
  const Policy& pol = *st.policy;
  std::string out;
  std::string head = parent_head(st);
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
    return out;
  }
  std::size_t width = 9;
  for (const auto& p : st.partitions)
    width = std::max(width, printable(quote_qualified(p.child->schema, p.child->name)).size());
  append_line(out, "  " + pad("partition", width) + "  " + pad("from", 29) + "  " + pad("to", 29) + "  " +
                       pad("state", 14) + "  " + pad("rows", 10) + "  size");
  const bool epoch = pol.shape == Shape::epoch;
  for (const auto& p : st.partitions) {
    if (!shows(view, p.state))
      continue;
    const bool def = p.child->is_default;
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
  append_line(out, "  " + counts_text(st));
  if (pol.shape == Shape::integer)
    append_line(out, st.parent->key_max ? "  largest value " + std::to_string(*st.parent->key_max)
                                        : "  the partitions hold no rows");
  if (const PartitionStatus* def = default_of(st))
    append_line(out, "  default partition " + quote_qualified(def->child->schema, def->child->name) +
                         " holds " + rows_text(*def->child) + " row(s)");
  return out;
}

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

// Returns the names of `states`, comma-separated.
std::string states_text(const std::vector<PartitionState>& states)
{
  std::string out;
  for (const auto state : states)
    out += (out.empty() ? "" : ", ") + std::string(to_string(state));
  return out;
}

// Returns a text as JSON, or null when it is empty.
nlohmann::json text_or_null(const std::string& text)
{
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(json_time(text));
}

// Returns a partition's line of the status JSON.
nlohmann::json partition_json(const PartitionStatus& p, const Policy& pol)
{
  const Child& c = *p.child;
  const bool list = pol.shape == Shape::list;
  return {{"partition", quote_qualified(c.schema, c.name)},
          {"default", c.is_default},
          {"from", c.is_default ? nlohmann::json(nullptr) : nlohmann::json(json_time(p.from))},
          {"to", c.is_default || list ? nlohmann::json(nullptr) : nlohmann::json(json_time(p.to))},
          {"from_time", text_or_null(p.from_time)},
          {"to_time", text_or_null(p.to_time)},
          {"values", list && !c.is_default ? nlohmann::json(c.values()) : nlohmann::json(nullptr)},
          {"state", to_string(p.state)},
          {"estimated_rows",
           c.estimated_rows < 0 ? nlohmann::json(nullptr) : nlohmann::json(c.estimated_count())},
          {"bytes", c.bytes}};
}

// Returns a parent's policy as the status JSON writes it.
nlohmann::json policy_json(const Policy& pol)
{
  const auto null_or = [](bool null, const nlohmann::json& value) {
    return null ? nlohmann::json(nullptr) : value;
  };
  const bool integer = pol.shape == Shape::integer;
  const bool list = pol.shape == Shape::list;
  return {
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
      {"timezone", pol.timezone.name()},
      {"partition_names", to_string(pol.partition_names)},
      {"name_format",
       null_or(pol.partition_names == PartitionNames::partman || integer || list, policy_name_format(pol))}};
}

// Returns a parent's entry of the status JSON.
nlohmann::json parent_status_json(const ParentStatus& st, const StatusView& view)
{
  const Policy& pol = *st.policy;
  const bool level2 = pol.level == 2;
  nlohmann::json doc = parent_json(
      pol.schema, pol.table, level2 ? quote_qualified(st.parent->outer_schema, st.parent->outer_table) : "",
      policy_summary(pol), st.error.empty() ? "ok" : "error", st.error);
  doc["policy"] = policy_json(pol);
  doc["sub_partitioned_by"] =
      pol.sub ? nlohmann::json(sub_partition_clause(*pol.sub)) : nlohmann::json(nullptr);
  doc["largest_value"] = pol.shape == Shape::integer && st.parent->key_max
                             ? nlohmann::json(*st.parent->key_max)
                             : nlohmann::json(nullptr);
  const PartitionStatus* def = default_of(st);
  const auto default_rows = def ? def->child->counted_rows() : std::nullopt;
  doc["default_rows"] = default_rows ? nlohmann::json(*default_rows) : nlohmann::json(nullptr);
  nlohmann::json counts = nlohmann::json::object();
  const StateCounts n = count_states(st);
  for (std::size_t i = 0; i < k_state_count; ++i)
    counts[to_string(static_cast<PartitionState>(i))] = n[i];
  doc["counts"] = counts;
  const BoundRange range = bound_range(st);
  doc["oldest_bound"] = range.oldest ? text_or_null(range.oldest->from) : nullptr;
  doc["newest_bound"] = range.newest ? text_or_null(range.newest->to) : nullptr;
  doc["oldest_time"] = range.oldest ? text_or_null(range.oldest->from_time) : nullptr;
  doc["newest_time"] = range.newest ? text_or_null(range.newest->to_time) : nullptr;
  if (!view.summary) {
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& p : st.partitions) {
      if (shows(view, p.state))
        parts.push_back(partition_json(p, pol));
    }
    doc["partitions"] = parts;
  }
  return doc;
}

} // namespace

std::string render_status_text(const std::vector<ParentStatus>& statuses, const StatusView& view)
{
  if (statuses.empty())
    return "no managed parents; HINT: register one with 'partman manage PARENT --interval ...'\n";
  std::string all;
  for (const auto& st : statuses) {
    if (!shows(view, st))
      continue;
    if (!all.empty() && !view.summary)
      all += "\n";
    append_block(all, view.summary ? summary_lines(st) : detail_lines(st, view), st.policy->level);
  }
  if (all.empty())
    all = "no managed parent has a partition in state " + states_text(view.states) + "\n";
  return all;
}

std::string render_status_json(const std::vector<ParentStatus>& statuses, Micros now, const StatusView& view)
{
  nlohmann::json parents = nlohmann::json::array();
  for (const auto& st : statuses) {
    if (shows(view, st))
      parents.push_back(parent_status_json(st, view));
  }
  nlohmann::json states = nullptr;
  if (!view.states.empty()) {
    states = nlohmann::json::array();
    for (const auto state : view.states)
      states.push_back(to_string(state));
  }
  const nlohmann::json doc = {{"format", "partman-status"},
                              {"version", 1},
                              {"at", iso_utc(now)},
                              {"view", {{"summary", view.summary}, {"states", states}}},
                              {"parents", parents}};
  return doc.dump(2) + "\n";
}

} // namespace partman::core
