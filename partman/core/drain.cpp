#include <algorithm>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/planning.hpp"
#include "partman/core/range_planner.hpp"

namespace partman::core {

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
  Planning ctx{parent, policy, removal_of(policy), default_partition(parent), options, step.plan, now};
  const KeySpace keys = key_space(parent, policy);
  const RangeSlots slots(policy, keys);
  auto slot = slots.holding(key);
  if (policy.shape != Shape::integer) {
    // The slot whose range holds `key` (across a repeated or skipped hour of a DST change).
    const SlotRange ok = plannable_slots(policy.interval);
    while (slot && slots.start(*slot + 1) <= key)
      slot = *slot < ok.last ? std::optional<__int128>(*slot + 1) : std::nullopt;
    if (!slot) {
      // Outside the plannable slots, which lie side by side: below the first, or at or above the end.
      const Bound first = ok.first <= ok.last ? Bound{static_cast<Micros>(slots.start(ok.first))} : Bound{};
      const bool below = first && key < *first;
      const Bound end = first && !below ? Bound{static_cast<Micros>(slots.start(ok.last + 1))} : Bound{};
      step.range = keys.range_text(end, below ? first : Bound{});
      step.stays =
          "its partition of interval '" + policy.interval.text() + "' would lie outside " + k_plannable_dates;
      step.next = below ? first : Bound{};
      return step;
    }
  }
  const auto [key_min, key_max] = key_limits(parent);
  const __int128 lo = slots.start(*slot);
  const __int128 hi = slots.start(*slot + 1);
  const Bound from = lo < key_min ? Bound{} : Bound{static_cast<std::int64_t>(lo)};
  const Bound to = hi > key_max ? Bound{} : Bound{static_cast<std::int64_t>(hi)};
  step.range = keys.range_text(from, to);
  step.next = to;
  const Bound cutoff = retention_cutoff(parent, policy, keys, now);
  if (cutoff && to && *to <= *cutoff) {
    step.stays = "it has expired under the policy's retention";
    return step;
  }
  add_range_create(ctx, ranged_children(parent), keys, from, to, slots.name(*slot),
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

} // namespace partman::core
