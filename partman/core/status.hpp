// The state of managed parents for `partman status`: pure, from a snapshot, a policy and a point in time.
#pragma once

#include <string>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/result.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

// Where a partition stands relative to now and the retention cutoff.
enum class PartitionState
{
  past,
  current,
  future,
  expired,
  default_partition,
  detach_pending,
  listed,  // a LIST partition of a value the policy lists
  unlisted // a LIST partition whose values the policy no longer lists
};

// The number of PartitionState values.
constexpr std::size_t k_state_count = 8;

// One partition's line in the status.
struct PartitionStatus
{
  const Child* child = nullptr;
  std::string from;      // lower bound's value, or MINVALUE; a LIST partition's values, "IN ('a', 'b')"
  std::string to;        // upper bound's value, or MAXVALUE
  std::string from_time; // an epoch key's lower bound as the instant it holds (empty for other keys)
  std::string to_time;   // an epoch key's upper bound as the instant it holds
  PartitionState state = PartitionState::past;
};

// One parent's status.
struct ParentStatus
{
  const Policy* policy = nullptr;
  const ParentSnapshot* parent = nullptr;
  std::string error;
  std::vector<PartitionStatus> partitions; // in key order, the default partition last
};

// What `status` shows of the statuses: each partition or a line per parent, and which states.
struct StatusView
{
  bool summary = false;               // a line per parent (counts by state, bounds, default rows)
  std::vector<PartitionState> states; // only partitions in these states, and parents that have one
                                      // (or an error); none: all
};

// Returns "past", "current", "future", "expired", "default", "detach-pending", "listed" or "unlisted".
const char* to_string(PartitionState state);
// Returns the states of a comma-separated list of their names ("future,expired"), or an error that
// quotes the first unknown name.
Result<std::vector<PartitionState>> parse_states(const std::string& list);
// Classifies every partition of `parent` at instant `now`.
ParentStatus make_status(const ParentSnapshot& parent, const Policy& policy, Micros now);
// Returns the statuses as a table for people (or a line per parent), as `view` asks.
std::string render_status_text(const std::vector<ParentStatus>& statuses, const StatusView& view = {});
// Returns the statuses as a versioned JSON document, as `view` asks: per parent its counts by state, oldest
// and newest bound and default rows, and (unless a summary) its partitions.
std::string render_status_json(const std::vector<ParentStatus>& statuses, Micros now,
                               const StatusView& view = {});

// Returns a size as PostgreSQL's pg_size_pretty writes it, in 1024 steps: "17 B", "1.2 MB".
std::string human_bytes(std::uint64_t bytes);

} // namespace partman::core
