// The planning of RANGE policies, time and integer keys alike: the slots a policy cuts its key into, the
// window of them it keeps, their creates, and the removal of expired partitions. Internal to the planner.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "partman/core/key_space.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/core/planner.hpp"

namespace partman::core {

struct Planning;

// The dates partman plans partitions for, as errors name them.
constexpr const char* k_plannable_dates = "0001-01-01 to 9999-12-31, the dates partman plans partitions for";

// The slots a RANGE policy cuts its key into: calendar intervals in the policy's zone (time and epoch
// policies), or fixed widths counted from 0 (integer policies). Slot k + 1 follows slot k. Slot numbers
// and keys are 128 bits wide here: an integer slot may start or end past its key's range.
class RangeSlots
{
public:
  RangeSlots(const Policy& policy, const KeySpace& keys);
  // Returns the key value slot `slot` starts at.
  __int128 start(__int128 slot) const;
  // Returns the name of the partition of slot `slot`.
  std::string name(__int128 slot) const;
  // Returns the slot that holds key value `key`; none for a time key outside the plannable slots. In the
  // first pass of a repeated (fall-back) hour the wall clock maps to the later offset, after `key`: the slot
  // is the one that holds it.
  std::optional<__int128> holding(Micros key) const;

private:
  const Policy& m_policy;
  const KeySpace& m_keys;
  std::string m_prefix;               // integer policies with partman's names: the names' shared prefix
  std::optional<NameFormat> m_format; // time and epoch policies with pg_partman's names: their suffix
};

// Returns the retention cutoff of a RANGE policy at `now`: partitions whose upper bound is not above it have
// expired (none: nothing expires).
Bound retention_cutoff(const ParentSnapshot& parent, const Policy& policy, const KeySpace& keys, Micros now);

// Plans the create of range [lo, hi) as partition `name`, unless a partition already is that range; a
// partition that covers or overlaps it, or a table that holds the name, gives a note instead. `reason()`
// says why the range is wanted.
void add_range_create(Planning& ctx, const std::vector<const Child*>& sorted, const KeySpace& keys,
                      const Bound& lo, const Bound& hi, const std::string& name,
                      const std::function<std::string()>& reason);
// Plans a time, epoch or integer policy: its window of slots (from --start, or now or the largest value, to
// premake), and retention. Returns false, with the plan's error set, when it cannot be planned.
bool plan_range(Planning& ctx);

} // namespace partman::core
