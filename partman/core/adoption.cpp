#include "partman/core/adoption.hpp"

#include "partman/core/timepoint.hpp"

namespace partman::core {

Adoption check_adoption(const ParentSnapshot& parent, const Policy& policy, Micros now)
{
  Adoption out;
  const Zone zone = *find_zone(policy.timezone);
  const bool tz = parent.key_type == KeyType::timestamptz;
  const auto key_of_local = [&](Micros local) { return tz ? to_utc(zone, local) : local; };
  const Micros now_key = tz ? now : to_local(zone, now);
  for (const auto& child : parent.children) {
    if (child.is_default) {
      out.has_default = true;
      continue;
    }
    ++out.partitions;
    bool aligned = false;
    if (child.lower && child.upper) {
      const std::int64_t slot = slot_of(policy.interval, tz ? to_local(zone, *child.lower) : *child.lower);
      aligned = key_of_local(slot_start(policy.interval, slot)) == *child.lower &&
                key_of_local(slot_start(policy.interval, slot + 1)) == *child.upper;
    }
    if (aligned)
      ++out.aligned;
    else if (child.upper && *child.upper <= now_key)
      out.behind.push_back(child);
    else
      out.ahead.push_back(child);
  }
  return out;
}

} // namespace partman::core
