#include "partman/core/planner.hpp"

#include <algorithm>
#include <set>

#include "partman/core/names.hpp"

namespace partman::core {

namespace {

const char* const k_create_locks =
    "SHARE UPDATE EXCLUSIVE on the parent; ACCESS EXCLUSIVE on the new table and on a default partition "
    "(scanned)";
const char* const k_drop_locks = "ACCESS EXCLUSIVE on the parent, the partition and a default partition";
const char* const k_finalize_locks =
    "SHARE UPDATE EXCLUSIVE on the parent; ACCESS EXCLUSIVE on the partition";

// Converts between wall-clock times in the policy's zone and partition key values.
struct KeySpace
{
  KeyType type;
  Zone zone;

  Micros key_of_local(Micros local) const
  {
    return type == KeyType::timestamptz ? to_utc(zone, local) : local;
  }
  Micros local_of_instant(Micros utc) const { return to_local(zone, utc); }
  Micros key_of_instant(Micros utc) const { return type == KeyType::timestamptz ? utc : to_local(zone, utc); }
  std::string literal(Micros key) const { return bound_text(type, zone, key); }
  std::string display(const std::optional<Micros>& key, const char* infinite) const
  {
    return key ? literal(*key) : infinite;
  }
};

// Children with bounds, sorted by lower bound (they never overlap, so also by upper bound).
std::vector<const Child*> ranged_children(const ParentSnapshot& parent)
{
  std::vector<const Child*> out;
  for (const auto& child : parent.children) {
    if (!child.is_default)
      out.push_back(&child);
  }
  std::sort(out.begin(), out.end(), [](const Child* a, const Child* b) {
    if (!a->lower || !b->lower)
      return !a->lower && b->lower;
    return *a->lower < *b->lower;
  });
  return out;
}

// Returns the children whose range meets [lo, hi).
std::vector<const Child*> overlapping(const std::vector<const Child*>& sorted, Micros lo, Micros hi)
{
  auto it = std::partition_point(sorted.begin(), sorted.end(),
                                 [lo](const Child* c) { return c->upper && *c->upper <= lo; });
  std::vector<const Child*> out;
  for (; it != sorted.end() && (!(*it)->lower || *(*it)->lower < hi); ++it)
    out.push_back(*it);
  return out;
}

std::string qualified_text(const std::string& schema, const std::string& name)
{
  return quote_qualified(schema, name);
}

std::string policy_summary(const Policy& policy)
{
  std::string s = policy.interval.text() + ", premake " + std::to_string(policy.premake);
  if (policy.retention) {
    s += ", retention " + policy.retention->text() + " (" + to_string(policy.retention_action);
    if (policy.retention_action == RetentionAction::detach && !policy.retention_schema.empty())
      s += " to schema " + quote_ident(policy.retention_schema);
    s += ")";
  }
  s += ", " + policy.timezone;
  return s;
}

Action create_action(const ParentSnapshot& parent, const std::string& name, const std::string& from,
                     const std::string& to, std::string reason)
{
  Action a;
  a.kind = ActionKind::create;
  a.schema = parent.schema;
  a.name = name;
  a.from = from;
  a.to = to;
  const std::string child = quote_qualified(parent.schema, name);
  const std::string parent_sql = quote_qualified(parent.schema, parent.table);
  a.sql.push_back("CREATE TABLE " + child + " (LIKE " + parent_sql +
                  " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE"
                  " INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)");
  a.sql.push_back("ALTER TABLE " + parent_sql + " ATTACH PARTITION " + child + " FOR VALUES FROM (" +
                  quote_literal(from) + ") TO (" + quote_literal(to) + ")");
  a.locks = k_create_locks;
  a.reason = std::move(reason);
  return a;
}

Action retention_action(const ParentSnapshot& parent, const Policy& policy, const Child& child,
                        std::string reason)
{
  Action a;
  a.schema = child.schema;
  a.name = child.name;
  const std::string child_sql = quote_qualified(child.schema, child.name);
  switch (policy.retention_action) {
  case RetentionAction::drop:
    a.kind = ActionKind::drop;
    a.sql.push_back("DROP TABLE " + child_sql);
    break;
  case RetentionAction::detach:
    a.kind = ActionKind::detach;
    a.sql.push_back("ALTER TABLE " + quote_qualified(parent.schema, parent.table) + " DETACH PARTITION " +
                    child_sql);
    if (!policy.retention_schema.empty() && policy.retention_schema != child.schema)
      a.sql.push_back("ALTER TABLE " + child_sql + " SET SCHEMA " + quote_ident(policy.retention_schema));
    break;
  }
  a.locks = k_drop_locks;
  a.reason = std::move(reason);
  return a;
}

Action finalize_action(const ParentSnapshot& parent, const Child& child)
{
  Action a;
  a.kind = ActionKind::finalize_detach;
  a.schema = child.schema;
  a.name = child.name;
  a.sql.push_back("ALTER TABLE " + quote_qualified(parent.schema, parent.table) + " DETACH PARTITION " +
                  quote_qualified(child.schema, child.name) + " FINALIZE");
  a.transactional = false;
  a.locks = k_finalize_locks;
  a.reason = "an interrupted DETACH ... CONCURRENTLY left this partition pending; finish it";
  return a;
}

} // namespace

std::string bound_text(KeyType type, Zone zone, Micros key)
{
  switch (type) {
  case KeyType::timestamptz:
    return format_instant(zone, key);
  case KeyType::timestamp:
    return format_local(key);
  case KeyType::date:
    return format_date(key);
  case KeyType::unsupported:
    break;
  }
  return "?";
}

std::string policy_child_prefix(const Policy& policy)
{
  return child_prefix(policy.table, partition_suffix(policy.interval, 0).size());
}

std::string check_parent_shape(const ParentSnapshot& parent)
{
  const std::string name = quote_qualified(parent.schema, parent.table);
  if (!parent.exists)
    return "parent " + name +
           " does not exist; HINT: it was dropped or renamed; 'partman unmanage' removes "
           "its policy";
  if (!parent.partitioned)
    return name + " is not a partitioned table";
  if (parent.strategy != 'r')
    return name + " is not partitioned BY RANGE";
  if (parent.key_count != 1 || parent.key_column.empty())
    return name + " must be partitioned on exactly one column (not an expression)";
  if (parent.key_type == KeyType::unsupported)
    return "the partition key " + quote_ident(parent.key_column) + " of " + name + " has type " +
           parent.key_type_name + "; HINT: partman plans timestamptz, timestamp and date keys";
  return {};
}

ParentPlan plan_parent(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  ParentPlan pp;
  pp.schema = policy.schema;
  pp.table = policy.table;
  pp.summary = policy_summary(policy);
  if (pp.error = check_parent_shape(parent); !pp.error.empty())
    return pp;
  if (pp.error = validate_policy(policy, parent.key_type); !pp.error.empty())
    return pp;
  const KeySpace keys{parent.key_type, *find_zone(policy.timezone)};
  const Interval& iv = policy.interval;

  // Returns the slot whose range holds the instant `utc`. In the first pass of a repeated (fall-back) hour
  // the wall clock maps to the later offset, after `utc`: step back to the slot that holds it.
  const auto slot_holding = [&](Micros utc) {
    std::int64_t slot = slot_of(iv, keys.local_of_instant(utc));
    while (keys.key_of_local(slot_start(iv, slot)) > keys.key_of_instant(utc))
      --slot;
    return slot;
  };
  const Micros local_now = keys.local_of_instant(now);
  const Micros now_key = keys.key_of_instant(now);
  const std::int64_t current = slot_holding(now);
  std::int64_t first = current;
  if (policy.start)
    first = std::min(first, slot_holding(*policy.start));
  const std::int64_t last = current + policy.premake;
  if (last - first + 1 > k_max_creates_per_parent) {
    pp.error = "the window from --start to premake holds " + std::to_string(last - first + 1) +
               " partitions, more than " + std::to_string(k_max_creates_per_parent) +
               "; HINT: choose a later --start or a longer interval";
    return pp;
  }
  std::optional<Micros> cutoff;
  std::string cutoff_text;
  if (policy.retention) {
    cutoff = keys.key_of_local(subtract_period(local_now, *policy.retention));
    cutoff_text = keys.literal(*cutoff);
  }

  const auto sorted = ranged_children(parent);
  std::set<std::string> taken(parent.taken_names.begin(), parent.taken_names.end());
  for (const auto& child : parent.children)
    taken.insert(child.name);

  const std::string now_text = keys.literal(now_key);
  for (std::int64_t slot = first; slot <= last; ++slot) {
    const Micros start_local = slot_start(iv, slot);
    const Micros lo = keys.key_of_local(start_local);
    const Micros hi = keys.key_of_local(slot_start(iv, slot + 1));
    if (lo >= hi || (cutoff && hi <= *cutoff))
      continue; // skipped entirely by a DST change, or already expired
    const std::string from = keys.literal(lo);
    const std::string to = keys.literal(hi);
    const auto hits = overlapping(sorted, lo, hi);
    if (hits.size() == 1 && hits[0]->lower == lo && hits[0]->upper == hi)
      continue;
    const std::string name = child_name(policy.table, partition_suffix(iv, start_local));
    if (!hits.empty()) {
      const Child& c = *hits.front();
      const bool covered = hits.size() == 1 && (!c.lower || *c.lower <= lo) && (!c.upper || *c.upper >= hi);
      if (covered) {
        pp.notes.push_back({NoteLevel::info, "range [" + from + ", " + to + ") is already covered by " +
                                                 qualified_text(c.schema, c.name) + " (" + c.bound_text +
                                                 ")"});
      } else {
        pp.notes.push_back({NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) +
                                                    " for [" + from + ", " + to + "): it would overlap " +
                                                    qualified_text(c.schema, c.name) + " (" + c.bound_text +
                                                    "); HINT: such partitions are left as they are"});
      }
      continue;
    }
    if (taken.count(name)) {
      pp.notes.push_back({NoteLevel::warning,
                          "cannot create " + quote_qualified(parent.schema, name) + " for [" + from + ", " +
                              to +
                              "): a table of that name exists and is not this partition; HINT: rename or "
                              "drop it, or attach it yourself"});
      continue;
    }
    std::string reason;
    if (slot < current)
      reason = "backfill from start " + keys.literal(keys.key_of_local(slot_start(iv, first)));
    else if (slot == current)
      reason = "current: holds now (" + now_text + ")";
    else
      reason = "premake: " + std::to_string(slot - current) + " of " + std::to_string(policy.premake) +
               " ahead of " + now_text;
    pp.actions.push_back(create_action(parent, name, from, to, std::move(reason)));
  }

  for (const auto& child : parent.children) {
    if (child.is_default && child.estimated_rows > 0 && !pp.actions.empty()) {
      pp.notes.push_back({NoteLevel::warning,
                          "default partition " + qualified_text(child.schema, child.name) + " holds about " +
                              std::to_string(static_cast<long long>(child.estimated_rows)) +
                              " rows; an attach fails if any of them belong to a new partition"});
    }
  }

  for (const Child* child : sorted) {
    if (child->detach_pending) {
      pp.actions.push_back(finalize_action(parent, *child));
      continue;
    }
    if (cutoff && child->upper && *child->upper <= *cutoff) {
      pp.actions.push_back(retention_action(parent, policy, *child,
                                            "retention " + policy.retention->text() + ": upper bound " +
                                                keys.literal(*child->upper) + " is not after " +
                                                cutoff_text));
    }
  }
  return pp;
}

Plan make_plan(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies, Micros now)
{
  Plan plan;
  plan.at = now;
  plan.parents.reserve(policies.size());
  for (std::size_t i = 0; i < policies.size(); ++i)
    plan.parents.push_back(plan_parent(parents.at(i), policies[i], now));
  return plan;
}

std::size_t Plan::action_count() const
{
  std::size_t n = 0;
  for (const auto& p : parents)
    n += p.actions.size();
  return n;
}

const char* to_string(ActionKind kind)
{
  switch (kind) {
  case ActionKind::create:
    return "create";
  case ActionKind::drop:
    return "drop";
  case ActionKind::detach:
    return "detach";
  case ActionKind::finalize_detach:
    return "finalize-detach";
  }
  return "?";
}

const char* to_string(NoteLevel level)
{
  switch (level) {
  case NoteLevel::info:
    return "info";
  case NoteLevel::warning:
    return "warning";
  }
  return "?";
}

} // namespace partman::core
