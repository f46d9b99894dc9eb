#include "partman/core/adoption.hpp"

#include "partman/core/key_space.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

namespace {

// The slots of a policy in its parent's key values (see KeySpace).
struct Slots
{
  const Policy& policy;
  KeySpace keys;

  // Returns the key where slot `slot` starts.
  Micros start(std::int64_t slot) const
  {
    if (policy.shape == Shape::integer)
      return slot * policy.width;
    return keys.key_of_local(slot_start(policy.interval, slot));
  }
  // Returns the slot that holds the key `key`.
  std::int64_t holding(Micros key) const
  {
    if (policy.shape == Shape::integer)
      return floor_div(key, policy.width);
    return slot_of(policy.interval, keys.local_of_key(key));
  }
};

} // namespace

Adoption check_adoption(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  Adoption out;
  const Slots slots{policy, key_space(parent, policy)};
  // Integer ranges: the largest value present, if any.
  std::optional<Micros> now_key =
      policy.shape == Shape::integer ? parent.key_max : std::optional<Micros>(slots.keys.key_of_instant(now));
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
