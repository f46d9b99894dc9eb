#include "partman/core/planner.hpp"

#include <algorithm>

#include "partman/core/names.hpp"

namespace partman::core {

namespace {

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
  const auto by_lower = [](const Child* a, const Child* b) {
    if (!a->lower || !b->lower)
      return !a->lower && b->lower;
    return *a->lower < *b->lower;
  };
  if (!std::is_sorted(out.begin(), out.end(), by_lower))
    std::sort(out.begin(), out.end(), by_lower);
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

std::string policy_summary(const Policy& policy)
{
  std::string s = policy.interval.text() + ", premake " + std::to_string(policy.premake);
  if (policy.retention) {
    s += ", retention " + policy.retention->text() + " (" + to_string(policy.retention_action);
    if (policy.retention_action == RetentionAction::detach && !policy.retention_schema.empty())
      s += " to schema " + quote_ident(policy.retention_schema);
    if (policy.retention_action == RetentionAction::archive)
      s += " to " + policy.archive_to;
    s += ")";
  }
  s += ", " + policy.timezone;
  return s;
}

// Returns the parent's default partition, or nullptr.
const Child* default_partition(const ParentSnapshot& parent)
{
  for (const auto& c : parent.children) {
    if (c.is_default)
      return &c;
  }
  return nullptr;
}

Action create_action(const ParentSnapshot& parent, const Child* def, const std::string& name,
                     const std::string& from, const std::string& to, std::string reason)
{
  Action a;
  a.kind = ActionKind::create;
  a.schema = parent.schema;
  a.name = name;
  a.from = from;
  a.to = to;
  const std::string child = quote_qualified(parent.schema, name);
  const std::string parent_sql = quote_qualified(parent.schema, parent.table);
  // Locks in one order everywhere: the parent, then its default partition, then the partition.
  a.sql.push_back(lock_sql(parent.schema, parent.table, "SHARE UPDATE EXCLUSIVE"));
  if (def)
    a.sql.push_back(lock_sql(def->schema, def->name, "ACCESS EXCLUSIVE"));
  a.sql.push_back(create_like_sql(child, parent_sql));
  a.sql.push_back("ALTER TABLE " + parent_sql + " ATTACH PARTITION " + child + " FOR VALUES FROM (" +
                  quote_literal(from) + ") TO (" + quote_literal(to) + ")");
  a.locks = def ? "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition "
                  "(the attach scans it) and on the new table"
                : "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table";
  a.reason = std::move(reason);
  return a;
}

// Returns the kind of action that removes an expired partition under `policy`.
ActionKind removal_kind(const Policy& policy)
{
  switch (policy.retention_action) {
  case RetentionAction::drop:
    return ActionKind::drop;
  case RetentionAction::detach:
    return ActionKind::detach;
  case RetentionAction::archive:
    return ActionKind::archive;
  }
  return ActionKind::detach;
}

// Adds what follows the detach of an expired partition: DROP TABLE, SET SCHEMA to the retention schema, or
// the archive steps (export, verify, drop; run by the executor, not SQL).
void add_after_detach(const Policy& policy, const Child& child, Action& a)
{
  const std::string child_sql = quote_qualified(child.schema, child.name);
  if (policy.retention_action == RetentionAction::archive)
    a.archive_to = policy.archive_to;
  else if (policy.retention_action == RetentionAction::drop)
    a.sql.push_back("DROP TABLE " + child_sql);
  else if (!policy.retention_schema.empty() && policy.retention_schema != child.schema)
    a.sql.push_back("ALTER TABLE " + child_sql + " SET SCHEMA " + quote_ident(policy.retention_schema));
}

Action retention_action(const ParentSnapshot& parent, const Child* def, const Policy& policy,
                        const Child& child, std::string reason)
{
  Action a;
  a.kind = removal_kind(policy);
  a.schema = child.schema;
  a.name = child.name;
  a.reason = std::move(reason);
  const std::string detach = "ALTER TABLE " + quote_qualified(parent.schema, parent.table) +
                             " DETACH PARTITION " + quote_qualified(child.schema, child.name);
  if (def) {
    // DETACH ... CONCURRENTLY is not allowed beside a default partition: one short transaction instead.
    a.sql.push_back(lock_sql(parent.schema, parent.table, "ACCESS EXCLUSIVE"));
    a.sql.push_back(lock_sql(def->schema, def->name, "ACCESS EXCLUSIVE"));
    a.sql.push_back(detach);
    a.locks = "ACCESS EXCLUSIVE on the parent, then on the default partition and the partition (the parent "
              "has a default partition, so DETACH ... CONCURRENTLY is not allowed)";
  } else {
    a.sql.push_back(detach + " CONCURRENTLY");
    a.transactional = false;
    a.concurrent_detach = true;
    a.locks = "SHARE UPDATE EXCLUSIVE on the parent (DETACH ... CONCURRENTLY, outside a transaction block), "
              "then ACCESS EXCLUSIVE on the detached table";
  }
  add_after_detach(policy, child, a);
  return a;
}

// Returns what retention does once a partition is detached, in words.
const char* after_detach_text(RetentionAction action)
{
  switch (action) {
  case RetentionAction::drop:
    return "drop it (expired)";
  case RetentionAction::detach:
    return "keep it detached";
  case RetentionAction::archive:
    return "archive it (expired)";
  }
  return "?";
}

Action finalize_action(const ParentSnapshot& parent, const Policy& policy, const Child& child, bool expired)
{
  Action a;
  a.kind = ActionKind::finalize_detach;
  a.schema = child.schema;
  a.name = child.name;
  a.sql.push_back("ALTER TABLE " + quote_qualified(parent.schema, parent.table) + " DETACH PARTITION " +
                  quote_qualified(child.schema, child.name) + " FINALIZE");
  if (expired)
    add_after_detach(policy, child, a);
  a.transactional = false;
  a.locks = "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the partition";
  a.reason = "an interrupted DETACH ... CONCURRENTLY left this partition pending; finish it";
  if (expired)
    a.reason += ", then " + std::string(after_detach_text(policy.retention_action));
  return a;
}

// Refuses the plan of a parent that would drop or detach more than the allowed share of its partitions
// (those it has, and those the plan creates).
void guard_removals(std::size_t existing, const PlanOptions& options, ParentPlan& pp)
{
  std::size_t removals = 0;
  std::size_t partitions = existing;
  for (const auto& a : pp.actions) {
    removals += a.kind == ActionKind::drop || a.kind == ActionKind::detach || a.kind == ActionKind::archive;
    partitions += a.kind == ActionKind::create;
  }
  const std::size_t percent = static_cast<std::size_t>(std::max(options.max_removal_percent, 0));
  if (options.force || removals < 2 || removals * 100 <= partitions * percent)
    return;
  pp.refused = "would drop or detach " + std::to_string(removals) + " of " + std::to_string(partitions) +
               " partitions, more than " + std::to_string(options.max_removal_percent) +
               "%, so only its creates are applied; HINT: check the retention and the clock, then rerun with "
               "--force (or raise --max-removal)";
}

} // namespace

std::string create_like_sql(const std::string& child_sql, const std::string& parent_sql)
{
  return "CREATE TABLE " + child_sql + " (LIKE " + parent_sql +
         " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE"
         " INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)";
}

std::string lock_sql(const std::string& schema, const std::string& name, const char* mode)
{
  return "LOCK TABLE ONLY " + quote_qualified(schema, name) + " IN " + mode + " MODE";
}

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

ParentPlan plan_parent(const ParentSnapshot& parent, const Policy& policy, Micros now,
                       const PlanOptions& options)
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
  const Child* const def = default_partition(parent);
  const auto taken = [&parent](const std::string& name) {
    return std::find(parent.taken_names.begin(), parent.taken_names.end(), name) !=
               parent.taken_names.end() ||
           std::any_of(parent.children.begin(), parent.children.end(),
                       [&name](const Child& c) { return c.name == name; });
  };
  const auto range_text = [&keys](const std::optional<Micros>& lo, const std::optional<Micros>& hi) {
    return "[" + keys.display(lo, "MINVALUE") + ", " + keys.display(hi, "MAXVALUE") + ")";
  };

  const std::string now_text = keys.literal(now_key);
  for (std::int64_t slot = first; slot <= last; ++slot) {
    const Micros start_local = slot_start(iv, slot);
    const Micros lo = keys.key_of_local(start_local);
    const Micros hi = keys.key_of_local(slot_start(iv, slot + 1));
    if (lo >= hi || (cutoff && hi <= *cutoff))
      continue; // skipped entirely by a DST change, or already expired
    const auto hits = overlapping(sorted, lo, hi);
    if (hits.size() == 1 && hits[0]->lower == lo && hits[0]->upper == hi)
      continue;
    const std::string from = keys.literal(lo);
    const std::string to = keys.literal(hi);
    const std::string name = child_name(policy.table, partition_suffix(iv, start_local));
    if (!hits.empty()) {
      const Child& c = *hits.front();
      const bool covered = hits.size() == 1 && (!c.lower || *c.lower <= lo) && (!c.upper || *c.upper >= hi);
      if (covered) {
        pp.notes.push_back({NoteLevel::info, "range [" + from + ", " + to + ") is already covered by " +
                                                 quote_qualified(c.schema, c.name) + " " +
                                                 range_text(c.lower, c.upper)});
      } else {
        pp.notes.push_back({NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) +
                                                    " for [" + from + ", " + to + "): it would overlap " +
                                                    quote_qualified(c.schema, c.name) + " " +
                                                    range_text(c.lower, c.upper) +
                                                    "; HINT: such partitions are left as they are"});
      }
      continue;
    }
    if (taken(name)) {
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
    pp.actions.push_back(create_action(parent, def, name, from, to, std::move(reason)));
  }

  for (const auto& child : parent.children) {
    if (child.is_default && child.estimated_rows > 0 && !pp.actions.empty()) {
      pp.notes.push_back({NoteLevel::warning,
                          "default partition " + quote_qualified(child.schema, child.name) + " holds about " +
                              std::to_string(static_cast<long long>(child.estimated_rows)) +
                              " rows; an attach fails if any of them belong to a new partition"});
    }
  }

  for (const Child* child : sorted) {
    const bool expired = cutoff && child->upper && *child->upper <= *cutoff;
    if (child->detach_pending) {
      pp.actions.push_back(finalize_action(parent, policy, *child, expired));
    } else if (expired) {
      pp.actions.push_back(retention_action(parent, def, policy, *child,
                                            "retention " + policy.retention->text() + ": upper bound " +
                                                keys.literal(*child->upper) + " is not after " +
                                                cutoff_text));
    } else {
      continue;
    }
    if (!pp.actions.back().archive_to.empty()) {
      // The bounds it had, for the archive's record (restore --attach uses them).
      pp.actions.back().from = keys.display(child->lower, "MINVALUE");
      pp.actions.back().to = keys.display(child->upper, "MAXVALUE");
    }
  }
  guard_removals(sorted.size(), options, pp); // finishing work on tables already detached is not a removal
  for (const auto& name : parent.interrupted) {
    // Detached by an earlier run that stopped before the rest of its action: finish it. An archive's own
    // row tells more (below).
    if (std::find(parent.taken_names.begin(), parent.taken_names.end(), name) == parent.taken_names.end() ||
        std::any_of(parent.archives.begin(), parent.archives.end(),
                    [&](const PendingArchive& pa) { return pa.schema == parent.schema && pa.name == name; }))
      continue;
    Child detached;
    detached.schema = parent.schema;
    detached.name = name;
    Action a;
    a.kind = removal_kind(policy);
    a.schema = parent.schema;
    a.name = name;
    add_after_detach(policy, detached, a);
    if (a.sql.empty() && a.archive_to.empty())
      continue; // a plain detach is already complete
    a.locks = "ACCESS EXCLUSIVE on the detached table (no longer a partition)";
    a.reason = "an earlier run detached this partition and stopped before it could " +
               std::string(a.kind == ActionKind::drop      ? "drop it"
                           : a.kind == ActionKind::archive ? "archive it"
                                                           : "move it to the retention schema");
    pp.actions.push_back(std::move(a));
  }
  for (const auto& pa : parent.archives) {
    if (pa.attached)
      continue; // still a partition: retention decides about it like any other
    const std::string table = quote_qualified(pa.schema, pa.name);
    if (!pa.table_exists) {
      pp.notes.push_back({NoteLevel::warning,
                          "archive #" + std::to_string(pa.id) + " of " + table + " stopped at '" + pa.state +
                              "' and the table no longer exists; HINT: 'partman archive list' shows what "
                              "was written; the table was dropped by something other than partman"});
      continue;
    }
    Action a;
    a.kind = ActionKind::archive;
    a.schema = pa.schema;
    a.name = pa.name;
    a.archive_id = pa.id;
    a.archive_to = policy.archive_to;
    a.locks = "ACCESS EXCLUSIVE on the detached table (no longer a partition) for the drop";
    a.reason = "archive #" + std::to_string(pa.id) + " stopped at '" + pa.state + "'; finish it";
    pp.actions.push_back(std::move(a));
  }
  return pp;
}

Plan make_plan(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies, Micros now,
               const PlanOptions& options)
{
  Plan plan;
  plan.at = now;
  plan.parents.reserve(policies.size());
  for (std::size_t i = 0; i < policies.size(); ++i)
    plan.parents.push_back(plan_parent(parents.at(i), policies[i], now, options));
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
  case ActionKind::archive:
    return "archive";
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
