// Reads the rows of a default partition that drain-default moves out: counts, the next key, examples.
#pragma once

#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "partman/core/snapshot.hpp"

namespace partman::db {

// Returns the rows of `table` (quoted) itself, without its partitions; with `null_key` (a quoted column)
// only those where it is NULL.
long long count_rows(pqxx::connection& conn, const std::string& table, const std::string& null_key = "");
// Returns the smallest key (column `key` of type `type`, quoted) in default partition `table` after `after`
// (an SQL value; for a RANGE key from it on, for a LIST key beyond it), or from the start when there is none:
// a LIST value as text, a RANGE key as the planner's number (microseconds since 1970 for time keys, the
// integer otherwise); none when no row is left. An index on the key answers it.
std::optional<std::string> next_default_key(pqxx::connection& conn, const std::string& table,
                                            const std::string& key, core::KeyType type, bool list,
                                            const std::optional<std::string>& after);
// Returns the `limit` smallest keys of `table` as text ("NULL" for a NULL key).
std::vector<std::string> example_keys(pqxx::connection& conn, const std::string& table,
                                      const std::string& key, int limit);

} // namespace partman::db
