#include "partman/core/adoption.hpp"

#include "partman/core/planner.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

namespace {

// The slots of a policy in its parent's key values: time keys hold microseconds (UTC for timestamptz,
// wall-clock otherwise), epoch keys whole seconds or milliseconds of an instant, integer keys themselves.
struct Slots
{
  const Policy& policy;
  KeyType type;
  Zone zone = nullptr;
  Micros per_key = 0; // epoch: microseconds per unit of the key

  // Returns the key where slot `slot` starts.
  Micros start(std::int64_t slot) const
  {
    if (policy.shape == Shape::integer)
      return slot * policy.width;
    const Micros local = slot_start(policy.interval, slot);
    if (per_key)
      return floor_div(to_utc(zone, local), per_key);
    return type == KeyType::timestamptz ? to_utc(zone, local) : local;
  }
  // Returns the slot that holds the key `key`.
  std::int64_t holding(Micros key) const
  {
    if (policy.shape == Shape::integer)
      return floor_div(key, policy.width);
    if (per_key)
      return slot_of(policy.interval, to_local(zone, key * per_key));
    return slot_of(policy.interval, type == KeyType::timestamptz ? to_local(zone, key) : key);
  }
};

} // namespace

Adoption check_adoption(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  Adoption out;
  Slots slots{policy, parent.key_type};
  std::optional<Micros> now_key; // integer ranges: the largest value present, if any
  if (policy.shape == Shape::integer) {
    now_key = parent.key_max;
  } else {
    slots.zone = *find_zone(policy.timezone);
    if (policy.shape == Shape::epoch)
      slots.per_key = policy.epoch_unit == EpochUnit::milliseconds ? 1000 : k_micros_per_second;
    now_key = slots.per_key                             ? floor_div(now, slots.per_key)
              : parent.key_type == KeyType::timestamptz ? now
                                                        : to_local(slots.zone, now);
  }
  if (parent.within) // planned over its whole range whatever now is: only what retention removes is behind
    now_key = key_position(parent, policy, now).cutoff;
  for (const auto& child : parent.children) {
    if (child.is_default) {
      out.has_default = true;
      continue;
    }
    ++out.partitions;
    bool aligned = false;
    if (child.lower && child.upper) {
      const std::int64_t slot = slots.holding(*child.lower);
      aligned = slots.start(slot) == *child.lower && slots.start(slot + 1) == *child.upper;
    }
    if (aligned)
      ++out.aligned;
    else if (child.upper && now_key && *child.upper <= *now_key)
      out.behind.push_back(child);
    else
      out.ahead.push_back(child);
  }
  return out;
}

} // namespace partman::core
