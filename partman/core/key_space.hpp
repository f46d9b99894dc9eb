// The values of a RANGE parent's key: how wall-clock times in a policy's zone map to them, how they are
// written, and where a parent stands among them (retention cutoffs).
#pragma once

#include <optional>
#include <string>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

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

  // Returns the key value of the wall-clock time `local`.
  Micros key_of_local(Micros local) const
  {
    if (per_key)
      return floor_div(to_utc(zone, local), per_key);
    return type == KeyType::timestamptz ? to_utc(zone, local) : local;
  }
  // Returns the wall-clock time of the instant `utc`.
  Micros local_of_instant(Micros utc) const { return to_local(zone, utc); }
  // Returns the wall-clock time of key value `key`.
  Micros local_of_key(Micros key) const
  {
    if (per_key)
      return to_local(zone, key * per_key);
    return type == KeyType::timestamptz ? to_local(zone, key) : key;
  }
  // Returns the key value of the instant `utc`.
  Micros key_of_instant(Micros utc) const
  {
    if (per_key)
      return floor_div(utc, per_key);
    return type == KeyType::timestamptz ? utc : to_local(zone, utc);
  }
  // Returns the wall-clock time of key value `key`, or none when it lies outside the plannable range.
  std::optional<Micros> plannable_local(Micros key) const;
  // Returns a key value as the plan's bounds and the SQL write it (unquoted).
  std::string literal(Micros key) const;
  // Returns a key value for people: an epoch key as the instant it holds.
  std::string human(Micros key) const;
  // Returns a bound for people; `infinite` when it is empty.
  std::string human(const Bound& key, const char* infinite) const { return key ? human(*key) : infinite; }
  // Returns a bound as the plan writes it; `infinite` when it is empty.
  std::string literal(const Bound& key, const char* infinite) const { return key ? literal(*key) : infinite; }
  // Returns a bound as SQL: time values quoted, numbers and MINVALUE / MAXVALUE as they are.
  std::string sql(const Bound& key, const char* infinite) const;
  // Returns "[from, to)" for people.
  std::string range_text(const Bound& from, const Bound& to) const;
};

// Returns the key space of a time, epoch or integer policy on `parent`.
KeySpace key_space(const ParentSnapshot& parent, const Policy& policy);
// Returns the smallest and largest value `parent`'s key holds (an integer key's type range; the whole
// 64 bits for time keys).
std::pair<std::int64_t, std::int64_t> key_limits(const ParentSnapshot& parent);

// Returns the retention cutoff of a time or epoch policy at `now` (none without retention).
Bound time_cutoff(const KeySpace& keys, const Policy& policy, Micros now);
// Returns the retention cutoff of an integer policy (none without retention or without rows).
Bound integer_cutoff(const ParentSnapshot& parent, const Policy& policy);

// Returns a bound's value as text for `type` (timestamptz bounds carry their offset in `zone`); the SQL
// literal is this text single-quoted.
std::string bound_text(KeyType type, Zone zone, Micros key);
// Returns RANGE key value `key` of `parent` under `policy` as an SQL value ('2026-01-01 ...', 17).
std::string key_sql(const ParentSnapshot& parent, const Policy& policy, Micros key);

// Where a RANGE parent stands at instant `now`, in its key's values.
struct KeyPosition
{
  std::optional<Micros> now;    // the key value of now; for integer policies the largest value present
  std::optional<Micros> cutoff; // partitions whose upper bound is not above this have expired
};
// Returns where `parent` stands under `policy` (a RANGE policy whose shape fits the parent) at `now`.
KeyPosition key_position(const ParentSnapshot& parent, const Policy& policy, Micros now);
// Returns a bound of one of `parent`'s range partitions for people (an epoch key as the instant it holds);
// `infinite` when it is empty.
std::string bound_for_people(const ParentSnapshot& parent, const Policy& policy,
                             const std::optional<Micros>& key, const char* infinite);

} // namespace partman::core
