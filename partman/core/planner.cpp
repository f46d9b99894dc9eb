#include "partman/core/planner.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "partman/core/children.hpp"
#include "partman/core/names.hpp"
#include "partman/core/render.hpp"
#include "partman/core/subpartitions.hpp"

namespace partman::core {

namespace {

// A key value; empty means MINVALUE as a lower bound and MAXVALUE as an upper one.
using Bound = std::optional<Micros>;

// Converts between wall-clock times in the policy's zone and partition key values, and writes key values.
// Time keys hold microseconds (UTC for timestamptz, wall-clock otherwise); epoch keys hold whole seconds
// or milliseconds of an instant; integer keys hold themselves.
struct KeySpace
{
  KeyType type;
  Zone zone;
  Micros per_key = 0; // an epoch key: microseconds per unit of the key; 0 otherwise

  Micros key_of_local(Micros local) const
  {
    if (per_key)
      return floor_div(to_utc(zone, local), per_key);
    return type == KeyType::timestamptz ? to_utc(zone, local) : local;
  }
  Micros local_of_instant(Micros utc) const { return to_local(zone, utc); }
  Micros local_of_key(Micros key) const
  {
    if (per_key)
      return to_local(zone, key * per_key);
    return type == KeyType::timestamptz ? to_local(zone, key) : key;
  }
  Micros key_of_instant(Micros utc) const
  {
    if (per_key)
      return floor_div(utc, per_key);
    return type == KeyType::timestamptz ? utc : to_local(zone, utc);
  }
  // Returns the wall-clock time of key value `key`, or none when it lies outside the plannable range.
  std::optional<Micros> plannable_local(Micros key) const
  {
    const Micros margin = 2 * k_micros_per_day; // more than any zone's offset
    const Micros per = per_key ? per_key : 1;
    if (key < (k_first_plannable - margin) / per || key > (k_end_plannable + margin) / per)
      return {};
    const Micros local = local_of_key(key);
    return plannable(local) ? std::optional<Micros>(local) : std::nullopt;
  }
  // Returns a key value as the plan's bounds and the SQL write it (unquoted).
  std::string literal(Micros key) const
  {
    return per_key ? std::to_string(key) : bound_text(type, zone, key);
  }
  // Returns a key value for people: an epoch key as the instant it holds.
  std::string human(Micros key) const
  {
    const Micros limit = std::numeric_limits<Micros>::max() / (per_key ? per_key : 1);
    if (!per_key || key > limit || key < -limit)
      return literal(key);
    return format_instant(zone, key * per_key);
  }
  std::string human(const Bound& key, const char* infinite) const { return key ? human(*key) : infinite; }
  std::string literal(const Bound& key, const char* infinite) const { return key ? literal(*key) : infinite; }
  // Returns a bound as SQL: time values quoted, numbers and MINVALUE / MAXVALUE as they are.
  std::string sql(const Bound& key, const char* infinite) const
  {
    if (!key)
      return infinite;
    return is_time_key(type) && !per_key ? quote_literal(literal(*key)) : literal(*key);
  }
};

// Returns the key space of a time, epoch or integer policy on `parent`.
KeySpace key_space(const ParentSnapshot& parent, const Policy& policy)
{
  if (policy.shape == Shape::integer)
    return {parent.key_type, nullptr, 0};
  const Micros per_key = policy.shape != Shape::epoch                   ? 0
                         : policy.epoch_unit == EpochUnit::milliseconds ? 1000
                                                                        : k_micros_per_second;
  return {parent.key_type, *find_zone(policy.timezone), per_key};
}

// Returns the retention cutoff of a time or epoch policy at `now` (none without retention).
Bound time_cutoff(const KeySpace& keys, const Policy& policy, Micros now)
{
  if (!policy.retention)
    return {};
  const Micros local = keys.local_of_instant(now);
  if (!plannable(local) || reaches_before_plannable(local, *policy.retention))
    return {}; // nothing partman plans is that old
  return keys.key_of_local(subtract_period(local, *policy.retention));
}

// Returns the slot of `iv` whose range holds key value `key`, or none when that slot is not one of the
// plannable slots `ok`. In the first pass of a repeated (fall-back) hour the wall clock maps to the later
// offset, after `key`: step back to the slot that holds it.
std::optional<std::int64_t> slot_holding(const KeySpace& keys, const Interval& iv, const SlotRange& ok,
                                         Micros key)
{
  const auto local = keys.plannable_local(key);
  if (!local)
    return {};
  std::int64_t slot = slot_of(iv, *local);
  if (slot < ok.first || slot > ok.last)
    return {};
  while (keys.key_of_local(slot_start(iv, slot)) > key) {
    if (--slot < ok.first)
      return {};
  }
  return slot;
}

// The slots a time or epoch policy keeps at one instant: [first, last], and the one that holds now; `error`
// says why they cannot be planned.
struct TimeWindow
{
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t current = 0;
  std::string error;
};

constexpr const char* k_plannable_dates = "0001-01-01 to 9999-12-31, the dates partman plans partitions for";

// Returns the window of slots `policy` keeps on `parent` at `now`: from --start (or now) to premake, or the
// whole range of the partition `parent` is; every slot of it lies within the plannable dates.
TimeWindow time_window(const ParentSnapshot& parent, const Policy& policy, const KeySpace& keys, Micros now)
{
  const Interval& iv = policy.interval;
  const SlotRange ok = plannable_slots(iv);
  TimeWindow w;
  const auto interval = [&iv] { return "interval '" + iv.text() + "'"; }; // for an error only
  const Micros now_key = keys.key_of_instant(now);
  const auto current = slot_holding(keys, iv, ok, now_key);
  if (!current) {
    w.error = "now (" + keys.human(now_key) + ") has no partition of " + interval() + " within " +
              k_plannable_dates + "; HINT: choose a shorter interval";
    return w;
  }
  w.current = w.first = *current;
  if (policy.start) {
    const Micros start_key = keys.key_of_instant(*policy.start);
    const auto start = slot_holding(keys, iv, ok, start_key);
    if (!start) {
      w.error = "start " + keys.human(start_key) + " has no partition of " + interval() + " within " +
                k_plannable_dates + "; HINT: choose a later --start or a shorter interval";
      return w;
    }
    w.first = std::min(w.first, *start);
  }
  w.last = w.current + policy.premake;
  if (w.last > ok.last && !(parent.within && parent.within_upper)) {
    w.error = "premake " + std::to_string(policy.premake) + " of " + interval() + " ahead of now (" +
              keys.human(now_key) +
              ") reaches past 9999-12-31, the last date partman plans partitions for; "
              "HINT: choose a shorter interval or a smaller premake";
    return w;
  }
  if (parent.within) { // all of its own partition's range, whatever now is
    const auto lower = parent.within_lower ? slot_holding(keys, iv, ok, *parent.within_lower) : w.first;
    const auto upper = parent.within_upper ? slot_holding(keys, iv, ok, *parent.within_upper - 1) : w.last;
    if (!lower || !upper) {
      w.error = "the range [" + keys.human(parent.within_lower, "MINVALUE") + ", " +
                keys.human(parent.within_upper, "MAXVALUE") + ") of " +
                quote_qualified(parent.schema, parent.table) + " has partitions of " + interval() +
                " outside " + k_plannable_dates;
      return w;
    }
    w.first = *lower;
    w.last = *upper;
  }
  if (w.last - w.first + 1 > k_max_creates_per_parent)
    w.error = "the window from --start to premake holds " + std::to_string(w.last - w.first + 1) +
              " partitions, more than " + std::to_string(k_max_creates_per_parent) +
              "; HINT: choose a later --start or a longer interval";
  return w;
}

// Returns the retention cutoff of an integer policy (none without retention or without rows).
Bound integer_cutoff(const ParentSnapshot& parent, const Policy& policy)
{
  if (!parent.key_max || !policy.keep_last)
    return {};
  return static_cast<std::int64_t>(
      std::max<__int128>(static_cast<__int128>(*parent.key_max) - *policy.keep_last, INT64_MIN));
}

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
std::vector<const Child*> overlapping(const std::vector<const Child*>& sorted, const Bound& lo,
                                      const Bound& hi)
{
  auto it = std::partition_point(sorted.begin(), sorted.end(),
                                 [&lo](const Child* c) { return lo && c->upper && *c->upper <= *lo; });
  std::vector<const Child*> out;
  for (; it != sorted.end() && (!(*it)->lower || !hi || *(*it)->lower < *hi); ++it)
    out.push_back(*it);
  return out;
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

// What every shape's planning shares: the parent, how removals are done, and the plan being made.
struct Planning
{
  const ParentSnapshot& parent;
  const Policy& policy;
  const Policy& removal; // the policy as far as removals go (a LIST policy's list retention as its action)
  const Child* def;      // the default partition, or nullptr
  const PlanOptions& options;
  ParentPlan& pp;
  Micros now; // what a new sub-partitioned partition's own partitions are planned at
  const std::string parent_sql = quote_qualified(parent.schema, parent.table); // once for its many removals
};

// Returns why rows cannot be moved out of the parent's default partition (empty: they can): a foreign key
// that references it would make the DELETE cascade or fail.
std::string default_unmovable(const Planning& ctx)
{
  if (!ctx.def)
    return {};
  if (!ctx.def->referenced_by().empty())
    return "it is referenced by foreign key " + ctx.def->referenced_by();
  if (!ctx.parent.properties.referenced_by.empty())
    return "the parent is referenced by foreign key " + ctx.parent.properties.referenced_by;
  return {};
}

// Returns true when an interrupted run left table `name` holding rows it moved out of the default partition.
bool unfinished_move(const ParentSnapshot& parent, const std::string& name)
{
  const auto& names = parent.unfinished_moves;
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Adds to `a` (the create of partition `name` of a parent whose policy has a level-2 policy, with range
// [lower, upper) on a RANGE parent) the statements that create and attach the new partition's own
// partitions, before it is attached itself; sets the plan's error when they cannot be planned.
void add_sub_partitions(const Planning& ctx, const std::string& name, const Bound& lower, const Bound& upper,
                        Action& a)
{
  const ParentSnapshot& parent = ctx.parent;
  const Policy& sub = *ctx.policy.sub;
  const ParentPlan inner = plan_parent(new_sub_parent(parent, sub, name, lower, upper),
                                       sub_policy_for(ctx.policy, parent.schema, name), ctx.now, ctx.options);
  const std::string table = quote_qualified(parent.schema, name);
  if (!inner.error.empty()) {
    ctx.pp.error = "the partitions of new partition " + table + " cannot be planned: " + inner.error;
    return;
  }
  const std::string own_lock = lock_sql(parent.schema, name, "SHARE UPDATE EXCLUSIVE");
  for (const auto& ia : inner.actions) {
    for (const auto& statement : ia.sql) {
      if (statement != own_lock) // the new table is this transaction's own
        a.sql.push_back(statement);
    }
    a.sub_partitions.push_back(ia.name);
  }
  for (const auto& n : inner.notes) {
    if (n.level == NoteLevel::warning)
      ctx.pp.notes.push_back({n.level, "in new partition " + table + ": " + n.message});
  }
}

// Returns the create of partition `name` attached with `bound` ("FOR VALUES ..."), shaped like its parent;
// beside a default partition, the rows matching `condition` (the partition's) move out of it first. A table
// an interrupted move left behind is adopted instead of created. Under a level-2 policy the partition is
// created partitioned, with its own partitions ([lower, upper) is its range on a RANGE parent).
Action create_action(const Planning& ctx, const std::string& name, const std::string& bound,
                     const std::string& condition, std::string reason, const Bound& lower = {},
                     const Bound& upper = {})
{
  const ParentSnapshot& parent = ctx.parent;
  Action a;
  a.kind = ActionKind::create;
  a.schema = parent.schema;
  a.name = name;
  const std::string child = quote_qualified(parent.schema, name);
  const std::string parent_sql = quote_qualified(parent.schema, parent.table);
  const bool resume = unfinished_move(parent, name);
  const bool sub = ctx.policy.sub && bound != "DEFAULT"; // a default partition stays a plain table
  const ChildSetup setup = child_setup(parent, ctx.policy, name, sub);
  // Locks in one order everywhere: the parent, then its default partition, then the partition.
  a.sql.push_back(lock_sql(parent.schema, parent.table, "SHARE UPDATE EXCLUSIVE"));
  if (ctx.def)
    a.sql.push_back(lock_sql(ctx.def->schema, ctx.def->name, "ACCESS EXCLUSIVE"));
  a.exclusive = ctx.def != nullptr;
  const std::size_t setup_from = a.sql.size();
  if (!resume) {
    a.sql.push_back(create_like_sql(child, parent_sql) +
                    (sub ? " PARTITION BY " + sub_partition_clause(*ctx.policy.sub) : std::string()) +
                    setup.create_suffix);
    a.sql.insert(a.sql.end(), setup.before_attach.begin(), setup.before_attach.end());
    if (sub)
      add_sub_partitions(ctx, name, lower, upper, a);
  }
  if (ctx.def && default_unmovable(ctx).empty()) {
    DefaultMove m;
    m.schema = ctx.def->schema;
    m.name = ctx.def->name;
    m.condition = condition;
    m.batch_size = ctx.options.batch_size;
    const std::string def_sql = quote_qualified(m.schema, m.name);
    const auto& columns = parent.properties.columns;
    m.batch_sql = move_rows_sql(def_sql, child, columns, condition, m.batch_size);
    m.setup_from = setup_from;
    m.setup_count = a.sql.size() - setup_from;
    m.resume = resume;
    m.batched = resume;
    // The last rows move inside the attach's transaction, under its locks: none can slip in between.
    a.sql.push_back(move_rows_sql(def_sql, child, columns, condition, 0));
    a.move = std::move(m);
  }
  a.sql.push_back("ALTER TABLE " + parent_sql + " ATTACH PARTITION " + child + " " + bound);
  a.sql.insert(a.sql.end(), setup.after_attach.begin(), setup.after_attach.end());
  if (sub)
    a.locks = ctx.def
                  ? "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition "
                    "(the attach scans it) and on the new table and its new partitions"
                  : "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table "
                    "and its new partitions";
  else
    a.locks = ctx.def
                  ? "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the default partition "
                    "(the attach scans it) and on the new table"
                  : "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table";
  a.reason = std::move(reason);
  if (sub && !resume)
    a.reason += "; created partitioned BY " + sub_partition_clause(*ctx.policy.sub) + " with " +
                std::to_string(a.sub_partitions.size()) + " partition(s) of its own";
  if (resume)
    a.reason += "; an interrupted run created this table and moved rows of the default partition into it: "
                "finish the move and attach it";
  return a;
}

// Returns true when a relation other than a partition of this parent, or a partition, is named `name`.
bool name_taken(const ParentSnapshot& parent, const std::string& name)
{
  return std::find(parent.taken_names.begin(), parent.taken_names.end(), name) != parent.taken_names.end() ||
         std::any_of(parent.children.begin(), parent.children.end(),
                     [&name](const Child& c) { return c.name == name; });
}

// Plans the create of range [lo, hi) as partition `name`, unless a partition already is that range; a
// partition that covers or overlaps it, or a table that holds the name, gives a note instead. `reason()`
// says why the range is wanted.
template <typename Reason>
void add_range_create(Planning& ctx, const std::vector<const Child*>& sorted, const KeySpace& keys,
                      const Bound& lo, const Bound& hi, const std::string& name, const Reason& reason)
{
  const auto hits = overlapping(sorted, lo, hi);
  if (hits.size() == 1 && hits[0]->lower == lo && hits[0]->upper == hi)
    return;
  const auto range_text = [&keys](const Bound& from, const Bound& to) {
    return "[" + keys.human(from, "MINVALUE") + ", " + keys.human(to, "MAXVALUE") + ")";
  };
  const ParentSnapshot& parent = ctx.parent;
  if (!hits.empty()) {
    const Child& c = *hits.front();
    const bool covered =
        hits.size() == 1 && (!c.lower || (lo && *c.lower <= *lo)) && (!c.upper || (hi && *c.upper >= *hi));
    if (covered) {
      ctx.pp.notes.push_back({NoteLevel::info, "range " + range_text(lo, hi) + " is already covered by " +
                                                   quote_qualified(c.schema, c.name) + " " +
                                                   range_text(c.lower, c.upper)});
    } else {
      ctx.pp.notes.push_back({NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) +
                                                      " for " + range_text(lo, hi) + ": it would overlap " +
                                                      quote_qualified(c.schema, c.name) + " " +
                                                      range_text(c.lower, c.upper) +
                                                      "; HINT: such partitions are left as they are"});
    }
    return;
  }
  if (name_taken(parent, name) && !unfinished_move(parent, name)) {
    ctx.pp.notes.push_back(
        {NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) + " for " +
                                 range_text(lo, hi) +
                                 ": a table of that name exists and is not this partition; HINT: rename or "
                                 "drop it, or attach it yourself"});
    return;
  }
  const std::string from = keys.sql(lo, "MINVALUE");
  const std::string to = keys.sql(hi, "MAXVALUE");
  Action a = create_action(ctx, name, "FOR VALUES FROM (" + from + ") TO (" + to + ")",
                           range_condition(parent.key_column, from, to), reason(), lo, hi);
  a.from = keys.literal(lo, "MINVALUE");
  a.to = keys.literal(hi, "MAXVALUE");
  ctx.pp.actions.push_back(std::move(a));
}

// Warns that an attach fails when the default partition holds rows for a new partition that cannot be
// moved out of it first.
void note_default_rows(Planning& ctx)
{
  const Child* def = ctx.def;
  const std::string unmovable = default_unmovable(ctx);
  if (def && !unmovable.empty() && !ctx.pp.actions.empty())
    ctx.pp.notes.push_back(
        {NoteLevel::warning, "rows cannot be moved out of default partition " +
                                 quote_qualified(def->schema, def->name) + ": " + unmovable +
                                 " (a DELETE would cascade or fail); it holds about " +
                                 std::to_string(std::max<std::int64_t>(def->estimated_count(), 0)) +
                                 " rows, and an attach fails if any of them belong to a new partition"});
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
void add_after_detach(const Policy& policy, const Child& child, Action& a, const std::string& child_sql)
{
  if (policy.retention_action == RetentionAction::archive)
    a.archive_to = policy.archive_to;
  else if (policy.retention_action == RetentionAction::drop)
    a.sql.push_back("DROP TABLE " + child_sql);
  else if (!policy.retention_schema.empty() && policy.retention_schema != child.schema)
    a.sql.push_back("ALTER TABLE " + child_sql + " SET SCHEMA " + quote_ident(policy.retention_schema));
}

void add_after_detach(const Policy& policy, const Child& child, Action& a)
{
  add_after_detach(policy, child, a, quote_qualified(child.schema, child.name));
}

Action retention_action(const Planning& ctx, const Child& child, std::string reason)
{
  const ParentSnapshot& parent = ctx.parent;
  const Child* def = ctx.def;
  Action a;
  a.kind = removal_kind(ctx.removal);
  a.schema = child.schema;
  a.name = std::string(child.name); // a copy at its size (assigned, it would get room to grow)
  a.reason = std::move(reason);
  a.sql.reserve(def ? 4 : 2); // a drop's statements
  const std::string child_sql = quote_qualified(child.schema, child.name);
  std::string detach;
  detach.reserve(ctx.parent_sql.size() + child_sql.size() + 43); // with " CONCURRENTLY"
  detach.append("ALTER TABLE ").append(ctx.parent_sql).append(" DETACH PARTITION ").append(child_sql);
  if (def) {
    // DETACH ... CONCURRENTLY is not allowed beside a default partition: one short transaction instead.
    a.sql.push_back(lock_sql(parent.schema, parent.table, "ACCESS EXCLUSIVE"));
    a.sql.push_back(lock_sql(def->schema, def->name, "ACCESS EXCLUSIVE"));
    a.sql.push_back(std::move(detach));
    a.exclusive = true;
    a.locks = "ACCESS EXCLUSIVE on the parent, then on the default partition and the partition (the parent "
              "has a default partition, so DETACH ... CONCURRENTLY is not allowed)";
  } else {
    a.sql.push_back(std::move(detach.append(" CONCURRENTLY")));
    a.transactional = false;
    a.concurrent_detach = true;
    a.locks = "SHARE UPDATE EXCLUSIVE on the parent (DETACH ... CONCURRENTLY, outside a transaction block), "
              "then ACCESS EXCLUSIVE on the detached table";
  }
  add_after_detach(ctx.removal, child, a, child_sql);
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

Action finalize_action(const Planning& ctx, const Child& child, bool expired)
{
  const Policy& policy = ctx.removal;
  Action a;
  a.kind = ActionKind::finalize_detach;
  a.schema = child.schema;
  a.name = child.name;
  a.sql.push_back("ALTER TABLE " + ctx.parent_sql + " DETACH PARTITION " +
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

// Returns true, with a note that says why, when retention would drop `child` while a foreign key references
// it: its DROP TABLE would fail after the detach, leaving the change half done, so it is not removed.
bool referenced_removal(Planning& ctx, const Child& child)
{
  if (child.referenced_by().empty() || ctx.removal.retention_action == RetentionAction::detach)
    return false;
  ctx.pp.notes.push_back(
      {NoteLevel::warning, quote_qualified(child.schema, child.name) +
                               " is due for removal but is referenced by foreign key " +
                               child.referenced_by() +
                               ", so it is left in place (its DROP TABLE would fail after the detach); HINT: "
                               "drop or change that constraint, or use --retention-action detach"});
  return true;
}

// Plans the removal of every range partition whose upper bound is not above `cutoff` (none: nothing
// expires), and the finishing of interrupted detaches. `why` starts each reason; `relation` ("after",
// "above") joins the bound to `cutoff_text`.
void remove_expired_ranges(Planning& ctx, const std::vector<const Child*>& sorted, const KeySpace& keys,
                           const Bound& cutoff, const std::string& why, const char* relation,
                           const std::string& cutoff_text)
{
  // Room for them all at once: a long retention cut grown by doubling would leave much of it unused.
  std::size_t removals = 0;
  for (const Child* child : sorted)
    removals += child->detach_pending || (cutoff && child->upper && *child->upper <= *cutoff);
  ctx.pp.actions.reserve(ctx.pp.actions.size() + removals);
  for (const Child* child : sorted) {
    const bool expired =
        cutoff && child->upper && *child->upper <= *cutoff && !referenced_removal(ctx, *child);
    if (child->detach_pending) {
      ctx.pp.actions.push_back(finalize_action(ctx, *child, expired));
    } else if (expired) {
      const std::string upper = keys.human(*child->upper);
      std::string reason;
      reason.reserve(why.size() + upper.size() + std::strlen(relation) + cutoff_text.size() + 23);
      reason.append(why).append(": upper bound ").append(upper).append(" is not ");
      reason.append(relation).append(" ").append(cutoff_text);
      ctx.pp.actions.push_back(retention_action(ctx, *child, std::move(reason)));
    } else {
      continue;
    }
    if (!ctx.pp.actions.back().archive_to.empty()) {
      // The bounds it had, for the archive's record (restore --attach uses them).
      ctx.pp.actions.back().from = keys.literal(child->lower, "MINVALUE");
      ctx.pp.actions.back().to = keys.literal(child->upper, "MAXVALUE");
    }
  }
}

// Narrows [from, to) to the range of the partition `parent` is (a partition of a parent partitioned BY
// RANGE on the same key); returns false when nothing is left.
bool clip_within(const ParentSnapshot& parent, Bound& from, Bound& to)
{
  if (!parent.within)
    return true;
  if (parent.within_lower && (!from || *from < *parent.within_lower))
    from = parent.within_lower;
  if (parent.within_upper && (!to || *to > *parent.within_upper))
    to = parent.within_upper;
  return !from || !to || *from < *to;
}

// Returns why a partition of a sub-partitioned partition on the same key is wanted.
std::string within_reason(const ParentSnapshot& parent, const KeySpace& keys)
{
  return "within " + quote_qualified(parent.schema, parent.table) + "'s range [" +
         keys.human(parent.within_lower, "MINVALUE") + ", " + keys.human(parent.within_upper, "MAXVALUE") +
         ")";
}

// Plans a time or epoch policy: the slots from --start (or now) to premake, and retention by age.
bool plan_time(Planning& ctx, const Policy& policy, Micros now)
{
  const ParentSnapshot& parent = ctx.parent;
  ParentPlan& pp = ctx.pp;
  const KeySpace keys = key_space(parent, policy);
  const Micros per_key = keys.per_key;
  const Interval& iv = policy.interval;

  const TimeWindow window = time_window(parent, policy, keys, now);
  if (!window.error.empty()) {
    pp.error = window.error;
    return false;
  }
  const std::int64_t current = window.current;
  const std::int64_t first = window.first;
  const std::int64_t last = window.last;
  const Micros now_key = keys.key_of_instant(now);
  const Bound cutoff = time_cutoff(keys, policy, now);
  // An epoch key of type integer ends in 2038: slots past its range end in MAXVALUE.
  const auto [key_min, key_max] = per_key ? integer_key_range(parent.key_type)
                                          : std::pair<std::int64_t, std::int64_t>{INT64_MIN, INT64_MAX};

  const auto sorted = ranged_children(parent);
  const std::string now_text = keys.human(now_key);
  for (std::int64_t slot = first; slot <= last; ++slot) {
    const Micros start_local = slot_start(iv, slot);
    const Micros lo = keys.key_of_local(start_local);
    const Micros hi = keys.key_of_local(slot_start(iv, slot + 1));
    if (lo >= hi || (cutoff && hi <= *cutoff) || hi <= key_min)
      continue; // skipped entirely by a DST change, already expired, or before the key's range
    if (lo > key_max)
      break;
    Bound from = lo < key_min ? Bound{} : Bound{lo};
    Bound to = hi > key_max ? Bound{} : Bound{hi};
    if (!clip_within(parent, from, to))
      continue;
    add_range_create(ctx, sorted, keys, from, to, child_name(policy.table, partition_suffix(iv, start_local)),
                     [&] {
                       if (parent.within)
                         return within_reason(parent, keys);
                       if (slot < current)
                         return "backfill from start " + keys.human(keys.key_of_local(slot_start(iv, first)));
                       if (slot == current)
                         return "current: holds now (" + now_text + ")";
                       return "premake: " + std::to_string(slot - current) + " of " +
                              std::to_string(policy.premake) + " ahead of " + now_text;
                     });
  }
  note_default_rows(ctx);
  remove_expired_ranges(ctx, sorted, keys, cutoff,
                        policy.retention ? "retention " + policy.retention->text() : "", "after",
                        cutoff ? keys.human(*cutoff) : "");
  return true;
}

// Plans an integer policy: aligned slots of the policy's width from the largest value present (or from
// --start, or 0, in an empty table) to premake, and retention below the largest value.
bool plan_integer(Planning& ctx, const Policy& policy)
{
  const ParentSnapshot& parent = ctx.parent;
  ParentPlan& pp = ctx.pp;
  const KeySpace keys = key_space(parent, policy);
  const auto [key_min, key_max] = integer_key_range(parent.key_type);
  const __int128 width = policy.width;
  const auto slot_of_value = [&](std::int64_t v) {
    return static_cast<__int128>(floor_div(v, policy.width));
  };
  const __int128 base = slot_of_value(parent.key_max       ? *parent.key_max
                                      : policy.start_value ? *policy.start_value
                                                           : 0);
  __int128 first = base;
  if (policy.start_value)
    first = std::min(first, slot_of_value(*policy.start_value));
  __int128 last = base + policy.premake;
  if (parent.within) { // all of its own partition's range, whatever the largest value is
    if (parent.within_lower)
      first = slot_of_value(*parent.within_lower);
    if (parent.within_upper)
      last = slot_of_value(*parent.within_upper - 1);
  }
  if (last - first + 1 > k_max_creates_per_parent) {
    pp.error = "the window from --start to premake holds " +
               std::to_string(static_cast<long long>(last - first + 1)) + " partitions, more than " +
               std::to_string(k_max_creates_per_parent) +
               "; HINT: choose a larger --start or a wider --interval";
    return false;
  }
  const Bound cutoff = integer_cutoff(parent, policy);
  const std::string max_text = parent.key_max ? std::to_string(*parent.key_max) : "";
  const std::string origin = policy.start_value ? "start " + std::to_string(*policy.start_value) : "0";

  const auto sorted = ranged_children(parent);
  for (__int128 slot = first; slot <= last; ++slot) {
    const __int128 lo = slot * width;
    const __int128 hi = lo + width;
    if (lo > key_max)
      break;
    if (hi <= key_min || (cutoff && hi <= *cutoff))
      continue; // before the key's range, or already expired
    Bound from = lo < key_min ? Bound{} : Bound{static_cast<std::int64_t>(lo)};
    Bound to = hi > key_max ? Bound{} : Bound{static_cast<std::int64_t>(hi)};
    if (!clip_within(parent, from, to))
      continue;
    const std::string name = policy_child_prefix(policy) +
                             integer_suffix(static_cast<std::int64_t>(std::max<__int128>(lo, INT64_MIN)));
    add_range_create(ctx, sorted, keys, from, to, name, [&] {
      if (parent.within)
        return within_reason(parent, keys);
      const std::string ahead = std::to_string(static_cast<long long>(slot - base));
      if (slot < base)
        return "backfill from " + origin;
      if (!parent.key_max)
        return slot == base ? "first: the table holds no rows; counting from " + origin
                            : "premake: " + ahead + " of " + std::to_string(policy.premake) + " ahead of " +
                                  origin + " (the table holds no rows)";
      if (slot == base)
        return "current: holds the largest value (" + max_text + ")";
      return "premake: " + ahead + " of " + std::to_string(policy.premake) + " ahead of the largest value " +
             max_text;
    });
  }
  note_default_rows(ctx);
  remove_expired_ranges(ctx, sorted, keys, cutoff,
                        policy.keep_last ? "retention " + std::to_string(*policy.keep_last) : "", "above",
                        cutoff ? std::to_string(*cutoff) + " (the largest value " + max_text + " minus " +
                                     std::to_string(*policy.keep_last) + ")"
                               : "");
  return true;
}

// Plans a LIST policy: a partition for each listed value that has none, and the removal (as the list
// retention says) of partitions whose values are all no longer listed.
bool plan_list(Planning& ctx, const Policy& policy)
{
  const ParentSnapshot& parent = ctx.parent;
  ParentPlan& pp = ctx.pp;
  const std::vector<std::string>* wanted = &policy.values;
  if (!policy.values_query.empty()) {
    if (!parent.values_error.empty()) {
      pp.error = parent.values_error;
      return false;
    }
    wanted = &parent.queried_values;
  }
  std::unordered_map<std::string, const Child*> holder;
  std::unordered_set<std::string> names(parent.taken_names.begin(), parent.taken_names.end());
  std::vector<const Child*> listed;
  for (const auto& c : parent.children) {
    names.insert(c.name);
    if (c.is_default)
      continue;
    listed.push_back(&c);
    for (const auto& v : c.values())
      holder.emplace(v, &c);
  }
  std::sort(listed.begin(), listed.end(), [](const Child* a, const Child* b) { return a->name < b->name; });
  const std::string prefix = policy_child_prefix(policy);
  std::size_t creates = 0;
  for (const auto& v : *wanted) {
    if (holder.count(v))
      continue;
    if (++creates > static_cast<std::size_t>(k_max_creates_per_parent)) {
      pp.error = "the list names more than " + std::to_string(k_max_creates_per_parent) +
                 " values without a partition; HINT: partman creates at most that many per run";
      pp.actions.clear();
      return false;
    }
    std::string name;
    for (int hash : {0, 8, 16}) {
      name = prefix + value_suffix(parent.key_type, v, hash);
      if (!names.count(name) || unfinished_move(parent, name))
        break;
    }
    if (names.count(name) && !unfinished_move(parent, name)) {
      pp.notes.push_back({NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) +
                                                  " for value " + quote_literal(v) +
                                                  ": a table of that name exists and is not this partition; "
                                                  "HINT: rename or drop it, or attach it yourself"});
      continue;
    }
    names.insert(name);
    const std::string literal = list_literal(parent.key_type, v);
    Action a = create_action(ctx, name, "FOR VALUES IN (" + literal + ")",
                             values_condition(parent.key_column, literal), "listed value " + literal);
    a.values = {v};
    a.value_type = parent.key_type;
    pp.actions.push_back(std::move(a));
  }
  note_default_rows(ctx);
  const std::unordered_set<std::string> keep(wanted->begin(), wanted->end());
  for (const Child* child : listed) {
    const bool gone =
        !child->values().empty() && std::none_of(child->values().begin(), child->values().end(),
                                                 [&keep](const std::string& v) { return keep.count(v) > 0; });
    const bool remove =
        gone && policy.list_retention != ListRetention::keep && !referenced_removal(ctx, *child);
    if (child->detach_pending) {
      pp.actions.push_back(finalize_action(ctx, *child, remove));
    } else if (remove) {
      pp.actions.push_back(
          retention_action(ctx, *child,
                           "no longer listed: " + values_text(parent.key_type, child->values()) +
                               " (list retention " + to_string(policy.list_retention) + ")"));
    } else {
      if (gone)
        pp.notes.push_back({NoteLevel::info, quote_qualified(child->schema, child->name) +
                                                 " holds values no longer listed (" +
                                                 values_text(parent.key_type, child->values()) +
                                                 "); it stays (list retention keep)"});
      continue;
    }
    pp.actions.back().values = child->values();
    pp.actions.back().value_type = parent.key_type;
  }
  return true;
}

// Plans the default partition the policy asks for (it has none).
void add_default_create(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  const std::string name = child_name(parent.table, "default");
  if (name_taken(parent, name)) {
    ctx.pp.notes.push_back(
        {NoteLevel::warning, "cannot create default partition " + quote_qualified(parent.schema, name) +
                                 ": a table of that name exists and is not this partition; "
                                 "HINT: rename or drop it, or attach it yourself"});
    return;
  }
  ctx.pp.actions.push_back(
      create_action(ctx, name, "DEFAULT", "", "default partition: the policy keeps one"));
  ctx.pp.actions.back().locks = "SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new "
                                "(empty) table";
}

// Warns about each table an interrupted move filled that this plan does not finish (its range is no longer
// wanted): its rows are out of the default partition and not visible through the parent.
void note_unadopted_moves(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  for (const auto& name : parent.unfinished_moves) {
    if (std::any_of(ctx.pp.actions.begin(), ctx.pp.actions.end(),
                    [&name](const Action& a) { return a.kind == ActionKind::create && a.name == name; }))
      continue;
    const std::string table = quote_qualified(parent.schema, name);
    ctx.pp.notes.push_back(
        {NoteLevel::warning, table +
                                 " holds rows an interrupted run moved out of the default partition, and "
                                 "this plan does not attach it; HINT: attach it to " +
                                 quote_qualified(parent.schema, parent.table) +
                                 " yourself, or put its rows back with INSERT INTO " +
                                 quote_qualified(parent.schema, parent.table) + " SELECT * FROM " + table});
  }
}

// Says, when the plan removes partitions of a parent that a foreign key references, what PostgreSQL does
// with a partition whose rows are still referenced.
void note_referenced_parent(Planning& ctx)
{
  const std::string& fk = ctx.parent.properties.referenced_by;
  const bool removes = std::any_of(ctx.pp.actions.begin(), ctx.pp.actions.end(),
                                   [](const Action& a) { return a.kind != ActionKind::create; });
  if (!fk.empty() && removes)
    ctx.pp.notes.push_back(
        {NoteLevel::info, "the parent is referenced by foreign key " + fk +
                              ": PostgreSQL refuses to detach a partition whose rows are still referenced, "
                              "and that removal then fails without changing anything"});
}

// Says which partitions of a parent with a level-2 policy are not partitioned themselves, so that it does
// not apply to them (made before the level-2 policy, or by hand).
void note_unpartitioned(Planning& ctx)
{
  std::size_t count = 0;
  const Child* example = nullptr;
  for (const auto& c : ctx.parent.children) {
    if (!c.partitioned && !c.is_default && count++ == 0)
      example = &c;
  }
  if (example)
    ctx.pp.notes.push_back({NoteLevel::info, std::to_string(count) + " partition(s), such as " +
                                                 quote_qualified(example->schema, example->name) +
                                                 ", are not partitioned themselves, so the level-2 policy "
                                                 "does not apply to them; new partitions are created "
                                                 "partitioned BY " +
                                                 sub_partition_clause(*ctx.policy.sub)});
}

// Returns true when `outer` (the plan of the parent of partition `schema`.`name`) removes that partition.
bool removes(const ParentPlan& outer, const std::string& schema, const std::string& name)
{
  return outer.refused.empty() &&
         std::any_of(outer.actions.begin(), outer.actions.end(), [&](const Action& a) {
           return a.kind != ActionKind::create && a.schema == schema && a.name == name;
         });
}

// Returns the plan of `parent` under `policy` before anything is planned.
ParentPlan start_plan(const ParentSnapshot& parent, const Policy& policy)
{
  ParentPlan pp;
  pp.schema = policy.schema;
  pp.table = policy.table;
  pp.summary = policy_summary(policy);
  if (!parent.outer_table.empty())
    pp.partition_of = quote_qualified(parent.outer_schema, parent.outer_table);
  return pp;
}

// Returns how removals are done for `policy`: a LIST policy's list retention as a retention action.
Policy removal_policy(const Policy& policy)
{
  Policy out;
  out.schema = policy.schema;
  out.table = policy.table;
  out.retention_schema = policy.retention_schema;
  out.archive_to = policy.archive_to;
  out.retention_action = policy.list_retention == ListRetention::drop      ? RetentionAction::drop
                         : policy.list_retention == ListRetention::archive ? RetentionAction::archive
                                                                           : RetentionAction::detach;
  return out;
}

// Counts the partitions a plan removes, and adds its creates to `partitions`.
std::size_t count_removals(const ParentPlan& pp, std::size_t& partitions)
{
  std::size_t removals = 0;
  for (const auto& a : pp.actions) {
    removals += a.kind == ActionKind::drop || a.kind == ActionKind::detach || a.kind == ActionKind::archive;
    partitions += a.kind == ActionKind::create;
  }
  return removals;
}

// Returns why removing `removals` of `partitions` partitions is refused (empty: it is not): too large a
// share, or else the clock (PlanOptions::hold_removals); `of` names them.
std::string refusal(std::size_t removals, std::size_t partitions, const std::string& of,
                    const PlanOptions& options)
{
  const std::size_t percent = static_cast<std::size_t>(std::max(options.max_removal_percent, 0));
  if (options.force || removals == 0)
    return {};
  if (removals < 2 || removals * 100 <= partitions * percent)
    return options.hold_removals; // the clock's reason, when there is one
  return "would drop or detach " + std::to_string(removals) + " of " + std::to_string(partitions) +
         " partitions" + of + ", more than " + std::to_string(options.max_removal_percent) +
         "%, so only its creates are applied; HINT: check the retention and the clock, then rerun with "
         "--force (or raise --max-removal)";
}

// Refuses the plan of a parent that would drop or detach more than the allowed share of its partitions
// (those it has, and those the plan creates).
void guard_removals(std::size_t existing, const PlanOptions& options, ParentPlan& pp)
{
  std::size_t partitions = existing;
  const std::size_t removals = count_removals(pp, partitions);
  pp.refused = refusal(removals, partitions, "", options);
}

// Returns the partitions of `parent` other than its default partition.
std::size_t ranged_count(const ParentSnapshot& parent)
{
  return static_cast<std::size_t>(std::count_if(parent.children.begin(), parent.children.end(),
                                                [](const Child& c) { return !c.is_default; }));
}

// Guards the removals of the plans [from, to) of partitions planned under one parent's level-2 policy as
// one: a month of daily partitions expiring as a whole is normal, half of all of them at once is not.
void guard_sub_removals(const std::vector<ParentSnapshot>& parents, std::size_t from, std::size_t to,
                        const PlanOptions& options, Plan& plan)
{
  std::size_t removals = 0;
  std::size_t partitions = 0;
  std::vector<std::size_t> removing; // the plans that remove something
  for (std::size_t i = from; i < to; ++i) {
    partitions += ranged_count(parents[i]);
    if (const std::size_t n = count_removals(plan.parents[i], partitions); n > 0) {
      removals += n;
      removing.push_back(i);
    }
  }
  const std::string why =
      refusal(removals, partitions, " of the partitions of " + plan.parents[from].partition_of, options);
  for (const std::size_t i : removing)
    plan.parents[i].refused = why;
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

std::string exclusive_timeout_sql(const Action& a, const std::string& timeout)
{
  if (!a.exclusive || timeout.empty())
    return "";
  return "SET LOCAL lock_timeout = " + quote_literal(timeout) + ";\n";
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
  case KeyType::smallint:
  case KeyType::integer:
  case KeyType::bigint:
    return std::to_string(key);
  case KeyType::text:
  case KeyType::uuid:
  case KeyType::unsupported:
    break;
  }
  return "?";
}

std::string policy_child_prefix(const Policy& policy)
{
  switch (policy.shape) {
  case Shape::time:
  case Shape::epoch:
    break;
  case Shape::integer:
    return child_prefix(policy.table, k_integer_suffix_bytes);
  case Shape::list:
    return child_prefix(policy.table, k_value_suffix_bytes);
  }
  return child_prefix(policy.table, partition_suffix(policy.interval, 0).size());
}

KeyPosition key_position(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  if (policy.shape == Shape::integer)
    return {parent.key_max, integer_cutoff(parent, policy)};
  const KeySpace keys = key_space(parent, policy);
  return {keys.key_of_instant(now), time_cutoff(keys, policy, now)};
}

std::string bound_for_people(const ParentSnapshot& parent, const Policy& policy,
                             const std::optional<Micros>& key, const char* infinite)
{
  return key_space(parent, policy).human(key, infinite);
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
  if (parent.strategy != 'r' && parent.strategy != 'l')
    return name + " is not partitioned BY RANGE";
  if (parent.key_count != 1 || parent.key_column.empty())
    return name + " must be partitioned on exactly one column (not an expression)";
  if (parent.key_type == KeyType::unsupported)
    return "the partition key " + quote_ident(parent.key_column) + " of " + name + " has type " +
           parent.key_type_name +
           "; HINT: partman plans timestamptz, timestamp, date, smallint, integer and bigint RANGE keys, and "
           "text, varchar, smallint, integer, bigint, uuid and date LIST keys";
  return {};
}

ParentPlan plan_parent(const ParentSnapshot& parent, const Policy& policy, Micros now,
                       const PlanOptions& options)
{
  ParentPlan pp = start_plan(parent, policy);
  if (pp.error = check_parent_shape(parent); !pp.error.empty())
    return pp;
  if (pp.error = check_policy_fits(policy, parent.strategy, parent.key_type, parent.key_type_name);
      !pp.error.empty())
    return pp;
  if (policy.level == 2 && parent.key_column != policy.partition_key) {
    pp.error = quote_qualified(parent.schema, parent.table) + " is partitioned on " +
               quote_ident(parent.key_column) + ", but the level-2 policy of " +
               quote_qualified(parent.outer_schema, parent.outer_table) + " partitions its partitions on " +
               quote_ident(policy.partition_key) +
               "; HINT: the level-2 policy applies to partitions partitioned BY " +
               sub_partition_clause(policy);
    return pp;
  }
  if (!policy.template_table.empty() && !parent.properties.template_found) {
    pp.error = "the policy's template table " +
               quote_qualified(policy.template_schema, policy.template_table) +
               " does not exist, so new partitions would lack its unique indexes; HINT: create it again, or "
               "'partman manage " +
               quote_qualified(parent.schema, parent.table) + " --template-table none'";
    return pp;
  }
  const Policy list_removal = policy.shape == Shape::list ? removal_policy(policy) : Policy{};
  Planning ctx{
      parent, policy, policy.shape == Shape::list ? list_removal : policy, default_partition(parent), options,
      pp,     now};
  bool planned = false;
  switch (policy.shape) {
  case Shape::time:
  case Shape::epoch:
    planned = plan_time(ctx, policy, now);
    break;
  case Shape::integer:
    planned = plan_integer(ctx, policy);
    break;
  case Shape::list:
    planned = plan_list(ctx, policy);
    break;
  }
  if (!planned || !pp.error.empty()) {
    pp.actions.clear();
    return pp;
  }
  if (policy.sub)
    note_unpartitioned(ctx);
  if (policy.level != 2)                               // make_plan guards a level-2 policy's plans together
    guard_removals(ranged_count(parent), options, pp); // finishing detached tables is not a removal
  const Policy& removal = ctx.removal;
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
    a.kind = removal_kind(removal);
    a.schema = parent.schema;
    a.name = name;
    add_after_detach(removal, detached, a);
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
                          "archive #" + std::to_string(pa.id) + " of " + table + " stopped at '" + to_string(pa.state) +
                              "' and the table no longer exists; HINT: 'partman archive list' shows what "
                              "was written; the table was dropped by something other than partman"});
      continue;
    }
    Action a;
    a.kind = ActionKind::archive;
    a.schema = pa.schema;
    a.name = pa.name;
    a.archive_id = pa.id;
    a.archive_to = removal.archive_to;
    a.locks = "ACCESS EXCLUSIVE on the detached table (no longer a partition) for the drop";
    a.reason = "archive #" + std::to_string(pa.id) + " stopped at '" + to_string(pa.state) + "'; finish it";
    pp.actions.push_back(std::move(a));
  }
  note_unadopted_moves(ctx);
  if (policy.default_partition && !ctx.def)
    add_default_create(ctx); // last: the parent's other actions were planned without a default partition
  note_referenced_parent(ctx);
  return pp;
}

Plan make_plan(const std::vector<ParentSnapshot>& parents, const std::vector<Policy>& policies, Micros now,
               const PlanOptions& options)
{
  Plan plan;
  plan.at = now;
  plan.parents.reserve(policies.size());
  std::size_t outer = 0; // the plan of the last level-1 parent: a level-2 one's parent precedes it
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const ParentSnapshot& parent = parents.at(i);
    if (policies[i].level == 2 && outer < plan.parents.size() &&
        removes(plan.parents[outer], parent.schema, parent.table)) {
      ParentPlan pp = start_plan(parent, policies[i]);
      pp.notes.push_back({NoteLevel::info, "its parent " +
                                               quote_qualified(parent.outer_schema, parent.outer_table) +
                                               " removes it in this run, with its partitions"});
      plan.parents.push_back(std::move(pp));
      continue;
    }
    if (policies[i].level != 2)
      outer = plan.parents.size();
    plan.parents.push_back(plan_parent(parent, policies[i], now, options));
  }
  for (std::size_t i = 0; i < policies.size();) {
    std::size_t end = i;
    while (end < policies.size() && policies[end].level == 2)
      ++end;
    if (end > i)
      guard_sub_removals(parents, i, end, options, plan);
    i = std::max(end, i + 1);
  }
  return plan;
}

std::string check_time_window(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  if (policy.shape != Shape::time && policy.shape != Shape::epoch)
    return {};
  return time_window(parent, policy, key_space(parent, policy), now).error;
}

bool needs_details(const ParentSnapshot& parent, const ParentPlan& pp)
{
  return !pp.actions.empty() || !pp.error.empty() || !parent.interrupted.empty();
}

void set_move_estimates(Plan& plan, const std::vector<long long>& estimates)
{
  std::size_t i = 0;
  for (auto& p : plan.parents) {
    for (auto& a : p.actions) {
      if (!a.move)
        continue;
      const long long estimate = i < estimates.size() ? estimates[i] : -1;
      ++i;
      a.move->estimated_rows = estimate;
      a.move->batched = a.move->batched || estimate > 1;
    }
  }
}

namespace {

// Returns the start of a drain step: the parent's plan, or why it cannot be planned.
DrainStep drain_step(const ParentSnapshot& parent, const Policy& policy)
{
  DrainStep step;
  step.plan.schema = policy.schema;
  step.plan.table = policy.table;
  step.plan.summary = policy_summary(policy);
  step.stays = check_parent_shape(parent);
  if (step.stays.empty())
    step.stays = check_policy_fits(policy, parent.strategy, parent.key_type, parent.key_type_name);
  return step;
}

// Finishes a drain step: its create moves rows in batches; without one, the notes say why not.
void finish_drain_step(DrainStep& step)
{
  ParentPlan& pp = step.plan;
  for (auto& a : pp.actions) {
    if (a.move)
      a.move->batched = true;
  }
  if (!pp.actions.empty())
    return;
  for (const auto& n : pp.notes)
    step.stays += (step.stays.empty() ? "" : "; ") + n.message;
  if (step.stays.empty())
    step.stays = "a partition already holds it";
}

} // namespace

DrainStep plan_drain_range(const ParentSnapshot& parent, const Policy& policy, Micros now, Micros key,
                           const PlanOptions& options)
{
  DrainStep step = drain_step(parent, policy);
  if (!step.stays.empty() || policy.shape == Shape::list)
    return step;
  Planning ctx{parent, policy, policy, default_partition(parent), options, step.plan, now};
  const KeySpace keys = key_space(parent, policy);
  const auto [key_min, key_max] = is_integer_key(parent.key_type)
                                      ? integer_key_range(parent.key_type)
                                      : std::pair<std::int64_t, std::int64_t>{INT64_MIN, INT64_MAX};
  __int128 lo = 0, hi = 0;
  std::string name;
  Bound cutoff;
  if (policy.shape == Shape::integer) {
    lo = static_cast<__int128>(floor_div(key, policy.width)) * policy.width;
    hi = lo + policy.width;
    name = policy_child_prefix(policy) +
           integer_suffix(static_cast<std::int64_t>(std::max<__int128>(lo, INT64_MIN)));
    cutoff = integer_cutoff(parent, policy);
  } else {
    // The slot whose range holds `key` (across a repeated or skipped hour of a DST change).
    const Interval& iv = policy.interval;
    const SlotRange ok = plannable_slots(iv);
    auto slot = slot_holding(keys, iv, ok, key);
    while (slot && keys.key_of_local(slot_start(iv, *slot + 1)) <= key)
      slot = *slot < ok.last ? std::optional<std::int64_t>(*slot + 1) : std::nullopt;
    if (!slot) {
      // Outside the plannable slots, which lie side by side: below the first, or at or above the end.
      const Bound first = ok.first <= ok.last ? Bound{keys.key_of_local(slot_start(iv, ok.first))} : Bound{};
      const bool below = first && key < *first;
      const Bound end = first && !below ? Bound{keys.key_of_local(slot_start(iv, ok.last + 1))} : Bound{};
      step.range =
          "[" + keys.human(end, "MINVALUE") + ", " + keys.human(below ? first : Bound{}, "MAXVALUE") + ")";
      step.stays =
          std::string("its partition of interval '") + iv.text() + "' would lie outside " + k_plannable_dates;
      step.next = below ? first : Bound{};
      return step;
    }
    lo = keys.key_of_local(slot_start(iv, *slot));
    hi = keys.key_of_local(slot_start(iv, *slot + 1));
    name = child_name(policy.table, partition_suffix(iv, slot_start(iv, *slot)));
    cutoff = time_cutoff(keys, policy, now);
  }
  const Bound from = lo < key_min ? Bound{} : Bound{static_cast<std::int64_t>(lo)};
  const Bound to = hi > key_max ? Bound{} : Bound{static_cast<std::int64_t>(hi)};
  step.range = "[" + keys.human(from, "MINVALUE") + ", " + keys.human(to, "MAXVALUE") + ")";
  step.next = to;
  if (cutoff && to && *to <= *cutoff) {
    step.stays = "it has expired under the policy's retention";
    return step;
  }
  add_range_create(ctx, ranged_children(parent), keys, from, to, name,
                   [&] { return "drain-default: the default partition holds rows of " + step.range; });
  finish_drain_step(step);
  return step;
}

DrainStep plan_drain_value(const ParentSnapshot& parent, const Policy& policy, Micros now,
                           const std::string& value, const PlanOptions& options)
{
  DrainStep step = drain_step(parent, policy);
  step.range = quote_literal(value);
  if (!step.stays.empty() || policy.shape != Shape::list)
    return step;
  if (!policy.values_query.empty() && !parent.values_error.empty()) {
    step.stays = parent.values_error;
    return step;
  }
  const auto& wanted = policy.values_query.empty() ? policy.values : parent.queried_values;
  if (std::find(wanted.begin(), wanted.end(), value) == wanted.end()) {
    step.stays = "the policy does not list it";
    return step;
  }
  for (const auto& c : parent.children) {
    if (!c.is_default && std::find(c.values().begin(), c.values().end(), value) != c.values().end()) {
      step.stays = "partition " + quote_qualified(c.schema, c.name) + " already holds it";
      return step;
    }
  }
  // The plan of this one value: its partition, and nothing else.
  Policy one = policy;
  one.values = {value};
  one.values_query.clear();
  one.list_retention = ListRetention::keep;
  one.default_partition = false;
  ParentPlan pp = plan_parent(parent, one, now, options);
  pp.summary = step.plan.summary;
  pp.notes.erase(std::remove_if(pp.notes.begin(), pp.notes.end(),
                                [](const Note& n) { return n.level == NoteLevel::info; }),
                 pp.notes.end()); // about the other values, which this plan leaves out
  step.plan = std::move(pp);
  for (auto& a : step.plan.actions)
    a.reason = "drain-default: the default partition holds rows of value " + step.range;
  finish_drain_step(step);
  return step;
}

std::string key_sql(const ParentSnapshot& parent, const Policy& policy, Micros key)
{
  return key_space(parent, policy).sql(key, "NULL");
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
