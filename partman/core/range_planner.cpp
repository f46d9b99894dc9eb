#include "partman/core/range_planner.hpp"

#include <algorithm>
#include <cstring>

#include "partman/core/action_sql.hpp"
#include "partman/core/children.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planning.hpp"
#include "partman/core/removal_guard.hpp"

namespace partman::core {

namespace {

// Returns a slot number or count as text.
std::string number_text(__int128 n)
{
  return std::to_string(static_cast<long long>(n));
}

// The slots a policy keeps at one instant: [first, last], and the one that holds now (an integer policy:
// the largest value present, or its start, or 0); `error` says why they cannot be planned.
struct SlotWindow
{
  __int128 first = 0;
  __int128 last = 0;
  __int128 current = 0;
  std::string error;
};

// Returns the error of a window of more than k_max_creates_per_parent slots, or "" (`hint` says what helps).
std::string window_size_error(const SlotWindow& w, const char* hint)
{
  if (w.last - w.first + 1 <= k_max_creates_per_parent)
    return {};
  return "the window from --start to premake holds " + number_text(w.last - w.first + 1) +
         " partitions, more than " + std::to_string(k_max_creates_per_parent) + "; HINT: " + hint;
}

// Returns the window of slots a time or epoch policy keeps on `parent` at `now`: from --start (or now) to
// premake, or the whole range of the partition `parent` is; every slot of it lies within the plannable dates.
SlotWindow time_window(const ParentSnapshot& parent, const Policy& policy, const KeySpace& keys,
                       const RangeSlots& slots, Micros now)
{
  const Interval& iv = policy.interval;
  SlotWindow w;
  const auto interval = [&iv] { return "interval '" + iv.text() + "'"; }; // for an error only
  const Micros now_key = keys.key_of_instant(now);
  const auto current = slots.holding(now_key);
  if (!current) {
    w.error = "now (" + keys.human(now_key) + ") has no partition of " + interval() + " within " +
              k_plannable_dates + "; HINT: choose a shorter interval";
    return w;
  }
  w.current = w.first = *current;
  if (policy.start) {
    const Micros start_key = keys.key_of_instant(*policy.start);
    const auto start = slots.holding(start_key);
    if (!start) {
      w.error = "start " + keys.human(start_key) + " has no partition of " + interval() + " within " +
                k_plannable_dates + "; HINT: choose a later --start or a shorter interval";
      return w;
    }
    w.first = std::min(w.first, *start);
  }
  w.last = w.current + policy.premake;
  if (w.last > plannable_slots(iv).last && !(parent.within && parent.within_upper)) {
    w.error = "premake " + std::to_string(policy.premake) + " of " + interval() + " ahead of now (" +
              keys.human(now_key) +
              ") reaches past 9999-12-31, the last date partman plans partitions for; "
              "HINT: choose a shorter interval or a smaller premake";
    return w;
  }
  if (parent.within) { // all of its own partition's range, whatever now is
    const auto lower = parent.within_lower ? slots.holding(*parent.within_lower) : w.first;
    const auto upper = parent.within_upper ? slots.holding(*parent.within_upper - 1) : w.last;
    if (!lower || !upper) {
      w.error = "the range " + keys.range_text(parent.within_lower, parent.within_upper) + " of " +
                quote_qualified(parent.schema, parent.table) + " has partitions of " + interval() +
                " outside " + k_plannable_dates;
      return w;
    }
    w.first = *lower;
    w.last = *upper;
  }
  w.error = window_size_error(w, "choose a later --start or a longer interval");
  return w;
}

// Returns the window of slots an integer policy keeps on `parent`: from the slot of the largest value
// present (or --start, or 0, in an empty table), or from --start when lower, to premake; or the whole range
// of the partition `parent` is.
SlotWindow integer_window(const ParentSnapshot& parent, const Policy& policy, const RangeSlots& slots)
{
  const auto slot_of = [&slots](std::int64_t v) { return *slots.holding(v); }; // always one
  SlotWindow w;
  w.current = w.first = slot_of(parent.key_max       ? *parent.key_max
                                : policy.start_value ? *policy.start_value
                                                     : 0);
  if (policy.start_value)
    w.first = std::min(w.first, slot_of(*policy.start_value));
  w.last = w.current + policy.premake;
  if (parent.within) { // all of its own partition's range, whatever the largest value is
    if (parent.within_lower)
      w.first = slot_of(*parent.within_lower);
    if (parent.within_upper)
      w.last = slot_of(*parent.within_upper - 1);
  }
  w.error = window_size_error(w, "choose a larger --start or a wider --interval");
  return w;
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

// Plans the create of each slot of window `w` that has not expired (its upper bound is above `cutoff`),
// narrowed to the key's range and to the range of the partition the parent is; `reason(slot)` says why
// each is wanted.
void add_slot_creates(Planning& ctx, const std::vector<const Child*>& sorted, const KeySpace& keys,
                      const RangeSlots& slots, const SlotWindow& w, const Bound& cutoff,
                      const std::function<std::string(__int128)>& reason)
{
  // An epoch key of type integer ends in 2038: slots past its range end in MAXVALUE.
  const auto [key_min, key_max] = key_limits(ctx.parent);
  for (__int128 slot = w.first; slot <= w.last; ++slot) {
    const __int128 lo = slots.start(slot);
    const __int128 hi = slots.start(slot + 1);
    if (lo >= hi || (cutoff && hi <= *cutoff) || hi <= key_min)
      continue; // skipped entirely by a DST change, already expired, or before the key's range
    if (lo > key_max)
      break;
    Bound from = lo < key_min ? Bound{} : Bound{static_cast<std::int64_t>(lo)};
    Bound to = hi > key_max ? Bound{} : Bound{static_cast<std::int64_t>(hi)};
    if (!clip_within(ctx.parent, from, to))
      continue;
    add_range_create(ctx, sorted, keys, from, to, slots.name(slot), [&] { return reason(slot); });
  }
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
      ctx.pp.actions.push_back(removal_action(ctx, *child, std::move(reason)));
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

} // namespace

RangeSlots::RangeSlots(const Policy& policy, const KeySpace& keys)
    : m_policy(policy), m_keys(keys),
      m_prefix(policy.shape == Shape::integer ? policy_child_prefix(policy) : std::string())
{
  if (policy.partition_names == PartitionNames::pg_partman && policy.shape != Shape::integer) {
    // validate_policy refused a format that cannot be read, before any plan: it reads here.
    if (auto format = NameFormat::parse(policy_name_format(policy)))
      m_format = *format;
  }
}

__int128 RangeSlots::start(__int128 slot) const
{
  if (m_policy.shape == Shape::integer)
    return slot * m_policy.width;
  return m_keys.key_of_local(slot_start(m_policy.interval, static_cast<std::int64_t>(slot)));
}

std::string RangeSlots::name(__int128 slot) const
{
  const bool pg_partman = m_policy.partition_names == PartitionNames::pg_partman;
  if (m_policy.shape == Shape::integer) {
    const auto lower = static_cast<std::int64_t>(std::max<__int128>(start(slot), INT64_MIN));
    return pg_partman ? pg_partman_child_name(m_policy.table, std::to_string(lower))
                      : m_prefix + integer_suffix(lower);
  }
  const Interval& iv = m_policy.interval;
  const Micros local = slot_start(iv, static_cast<std::int64_t>(slot));
  return m_format ? pg_partman_child_name(m_policy.table, m_format->suffix(local))
                  : child_name(m_policy.table, partition_suffix(iv, local));
}

std::optional<__int128> RangeSlots::holding(Micros key) const
{
  if (m_policy.shape == Shape::integer)
    return floor_div(key, m_policy.width);
  const Interval& iv = m_policy.interval;
  const SlotRange ok = plannable_slots(iv);
  const auto local = m_keys.plannable_local(key);
  if (!local)
    return {};
  std::int64_t slot = slot_of(iv, *local);
  if (slot < ok.first || slot > ok.last)
    return {};
  while (m_keys.key_of_local(slot_start(iv, slot)) > key) {
    if (--slot < ok.first)
      return {};
  }
  return slot;
}

Bound retention_cutoff(const ParentSnapshot& parent, const Policy& policy, const KeySpace& keys, Micros now)
{
  return policy.shape == Shape::integer ? integer_cutoff(parent, policy) : time_cutoff(keys, policy, now);
}

void add_range_create(Planning& ctx, const std::vector<const Child*>& sorted, const KeySpace& keys,
                      const Bound& lo, const Bound& hi, const std::string& name,
                      const std::function<std::string()>& reason)
{
  const auto hits = overlapping(sorted, lo, hi);
  if (hits.size() == 1 && hits[0]->lower == lo && hits[0]->upper == hi)
    return;
  const ParentSnapshot& parent = ctx.parent;
  if (!hits.empty()) {
    const Child& c = *hits.front();
    const bool covered =
        hits.size() == 1 && (!c.lower || (lo && *c.lower <= *lo)) && (!c.upper || (hi && *c.upper >= *hi));
    if (covered) {
      ctx.pp.notes.push_back(
          {NoteLevel::info, "range " + keys.range_text(lo, hi) + " is already covered by " +
                                quote_qualified(c.schema, c.name) + " " + keys.range_text(c.lower, c.upper)});
    } else {
      ctx.pp.notes.push_back(
          {NoteLevel::warning,
           "cannot create " + quote_qualified(parent.schema, name) + " for " + keys.range_text(lo, hi) +
               ": it would overlap " + quote_qualified(c.schema, c.name) + " " +
               keys.range_text(c.lower, c.upper) + "; HINT: such partitions are left as they are"});
    }
    return;
  }
  if (name_taken(parent, name) && !unfinished_move(parent, name)) {
    ctx.pp.notes.push_back(
        {NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) + " for " +
                                 keys.range_text(lo, hi) +
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

bool plan_range(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  const Policy& policy = ctx.policy;
  const KeySpace keys = key_space(parent, policy);
  const RangeSlots slots(policy, keys);
  const bool integer = policy.shape == Shape::integer;
  const SlotWindow w =
      integer ? integer_window(parent, policy, slots) : time_window(parent, policy, keys, slots, ctx.now);
  if (!w.error.empty()) {
    ctx.pp.error = w.error;
    return false;
  }
  const Bound cutoff = retention_cutoff(parent, policy, keys, ctx.now);
  const auto sorted = ranged_children(parent);
  const std::string premake = std::to_string(policy.premake);
  const std::string within = parent.within
                                 ? "within " + quote_qualified(parent.schema, parent.table) + "'s range " +
                                       keys.range_text(parent.within_lower, parent.within_upper)
                                 : std::string();
  if (integer) {
    const std::string max_text = parent.key_max ? std::to_string(*parent.key_max) : "";
    const std::string origin = policy.start_value ? "start " + std::to_string(*policy.start_value) : "0";
    add_slot_creates(ctx, sorted, keys, slots, w, cutoff, [&](__int128 slot) -> std::string {
      if (parent.within)
        return within;
      const std::string ahead = number_text(slot - w.current);
      if (slot < w.current)
        return "backfill from " + origin;
      if (!parent.key_max)
        return slot == w.current ? "first: the table holds no rows; counting from " + origin
                                 : "premake: " + ahead + " of " + premake + " ahead of " + origin +
                                       " (the table holds no rows)";
      if (slot == w.current)
        return "current: holds the largest value (" + max_text + ")";
      return "premake: " + ahead + " of " + premake + " ahead of the largest value " + max_text;
    });
    note_default_rows(ctx);
    remove_expired_ranges(ctx, sorted, keys, cutoff,
                          policy.keep_last ? "retention " + std::to_string(*policy.keep_last) : "", "above",
                          cutoff ? std::to_string(*cutoff) + " (the largest value " + max_text + " minus " +
                                       std::to_string(*policy.keep_last) + ")"
                                 : "");
    return true;
  }
  const std::string now_text = keys.human(keys.key_of_instant(ctx.now));
  add_slot_creates(ctx, sorted, keys, slots, w, cutoff, [&](__int128 slot) -> std::string {
    if (parent.within)
      return within;
    if (slot < w.current)
      return "backfill from start " + keys.human(static_cast<Micros>(slots.start(w.first)));
    if (slot == w.current)
      return "current: holds now (" + now_text + ")";
    return "premake: " + number_text(slot - w.current) + " of " + premake + " ahead of " + now_text;
  });
  note_default_rows(ctx);
  remove_expired_ranges(ctx, sorted, keys, cutoff,
                        policy.retention ? "retention " + policy.retention->text() : "", "after",
                        cutoff ? keys.human(*cutoff) : "");
  return true;
}

} // namespace partman::core
