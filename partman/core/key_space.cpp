#include "partman/core/key_space.hpp"

#include <algorithm>
#include <limits>

#include "partman/core/names.hpp"

namespace partman::core {

std::optional<Micros> KeySpace::plannable_local(Micros key) const
{
  const Micros margin = 2 * k_micros_per_day; // more than any zone's offset
  const Micros per = per_key ? per_key : 1;
  if (key < (k_first_plannable - margin) / per || key > (k_end_plannable + margin) / per)
    return {};
  const Micros local = local_of_key(key);
  return plannable(local) ? std::optional<Micros>(local) : std::nullopt;
}

std::string KeySpace::literal(Micros key) const
{
  return per_key ? std::to_string(key) : bound_text(type, zone, key);
}

std::string KeySpace::human(Micros key) const
{
  const Micros limit = std::numeric_limits<Micros>::max() / (per_key ? per_key : 1);
  if (!per_key || key > limit || key < -limit)
    return literal(key);
  return format_instant(zone, key * per_key);
}

std::string KeySpace::sql(const Bound& key, const char* infinite) const
{
  if (!key)
    return infinite;
  return is_time_key(type) && !per_key ? quote_literal(literal(*key)) : literal(*key);
}

std::string KeySpace::range_text(const Bound& from, const Bound& to) const
{
  return "[" + human(from, "MINVALUE") + ", " + human(to, "MAXVALUE") + ")";
}

KeySpace key_space(const ParentSnapshot& parent, const Policy& policy)
{
  if (policy.shape == Shape::integer)
    return {parent.key_type, nullptr, 0};
  const Micros per_key = policy.shape != Shape::epoch                   ? 0
                         : policy.epoch_unit == EpochUnit::milliseconds ? 1000
                                                                        : k_micros_per_second;
  return {parent.key_type, policy.timezone.rules(), per_key};
}

std::pair<std::int64_t, std::int64_t> key_limits(const ParentSnapshot& parent)
{
  return is_integer_key(parent.key_type) ? integer_key_range(parent.key_type)
                                         : std::pair<std::int64_t, std::int64_t>{INT64_MIN, INT64_MAX};
}

Bound time_cutoff(const KeySpace& keys, const Policy& policy, Micros now)
{
  if (!policy.retention)
    return {};
  const Micros local = keys.local_of_instant(now);
  if (!plannable(local) || reaches_before_plannable(local, *policy.retention))
    return {}; // nothing partman plans is that old
  return keys.key_of_local(subtract_period(local, *policy.retention));
}

Bound integer_cutoff(const ParentSnapshot& parent, const Policy& policy)
{
  if (!parent.key_max || !policy.keep_last)
    return {};
  return static_cast<std::int64_t>(
      std::max<__int128>(static_cast<__int128>(*parent.key_max) - *policy.keep_last, INT64_MIN));
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

std::string key_sql(const ParentSnapshot& parent, const Policy& policy, Micros key)
{
  return key_space(parent, policy).sql(key, "NULL");
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

} // namespace partman::core
